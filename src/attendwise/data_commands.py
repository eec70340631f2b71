"""Commands for data in and out: sources, scheduled imports, quality, exports.

Registered in the COMMANDS of attendwise.commands (imported from there),
with their arguments declared by add_arguments() (called from cli.py).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from attendwise.commands import CommandError, _pupil, _school, command, parse_day
from attendwise.core.figures import counted
from attendwise.export import Table, neutralise, write_csv, write_xlsx
from attendwise.sources.base import Encoding, FileFormat, ImportRejected
from attendwise.sources.dates import DateFormat
from attendwise.sources.mapped import ROLES, PupilKey, SourceError
from attendwise.sources.presets import PRESETS
from attendwise.web.register.models import School, Source
from attendwise.web.register.quality import KINDS, quality_report
from attendwise.web.register.services import ImportResult, import_register
from attendwise.web.register.sources import save_source, spec_of

#: Exit status of import-scheduled when another run holds the inbox.
BUSY = 75


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    """Return NAME=VALUE arguments as a dict (a bare NAME=: empty value)."""
    found = {}
    for value in values or []:
        name, equals, rest = value.partition("=")
        if not equals or not name:
            raise CommandError(f"{value!r} is not {what} (write NAME=VALUE)")
        found[name] = rest
    return found


def _code_table(args: argparse.Namespace) -> dict[str, str] | None:
    """Return the code table a save gives: its --code pairs, {} for
    --no-codes, or None (neither: the saved table is kept)."""
    if args.no_codes and args.code:
        raise CommandError("give --code or --no-codes, not both")
    if args.no_codes:
        return {}
    return _pairs(args.code, "a code (LOCAL=CODE)") if args.code else None


def _source(school: School, name: str) -> Source:
    source = Source.objects.filter(school=school, name=name).first()
    if source is None:
        known = ", ".join(school.sources.values_list("name", flat=True)) or "none yet"
        raise CommandError(
            f"{school.slug} has no source {name!r} (sources: {known}); save one "
            "with 'attendwise source-save'"
        )
    return source


# -- sources -------------------------------------------------------------------


@command("source-save")
def source_save(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    try:
        source = save_source(
            school,
            args.name,
            preset=args.preset,
            columns=_pairs(args.column, "a column (ROLE=Heading)"),
            date_format=args.date_format,
            encoding=args.encoding,
            file_format=args.file_format,
            sheet=args.sheet,
            code_table=_code_table(args),
            session_names=_pairs(args.session, "a session (NAME=AM)") or None,
            several_registers=args.several_registers,
            pupil_key=args.pupils_by,
        )
    except SourceError as problem:
        raise CommandError(str(problem)) from None
    out.write(f"Saved the source {source.name!r} of {school.name}.\n")
    _describe_source(source, out)
    return 0


def _describe_source(source: Source, out: IO[str]) -> None:
    spec = spec_of(source)
    columns = ", ".join(f"{role}={heading!r}" for role, heading in spec.columns.items())
    out.write(
        f"  columns: {columns}\n"
        f"  file: {spec.file_format.value}"
        + (f" (sheet {spec.sheet!r})" if spec.sheet else "")
        + f", {spec.encoding.label}; dates {spec.date_format.value}\n"
        f"  pupils by {spec.pupil_key.value}; sessions "
        + ", ".join(f"{name}={session}" for name, session in spec.session_names.items())
        + ("; several registers per session" if spec.several_registers else "")
        + "\n"
    )
    if spec.code_table:
        table = ", ".join(f"{local}={code}" for local, code in spec.code_table.items())
        out.write(f"  code table: {table}\n")


@command("source-list")
def source_list(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    sources = list(school.sources.order_by("name"))
    if not sources:
        out.write(f"{school.name} has no sources yet.\n")
    for source in sources:
        out.write(
            f"{source.name}" + (f" (from {source.preset})" if source.preset else "")
        )
        out.write("\n")
        _describe_source(source, out)
    out.write("\nPresets:\n")
    for name, shipped in PRESETS.items():
        note = "" if shipped.verified else " [headings unverified: check your file]"
        out.write(f"  {name}: {shipped.spec.description}{note}\n")
        out.write(f"    from: {shipped.provenance}\n")
    return 0


# -- imports -------------------------------------------------------------------


def _summary(result: ImportResult) -> str:
    report = result.report
    return (
        f"{report.file}: {counted(report.counts.get('rows', 0), 'row')} read; "
        f"{result.created:,} created, {result.changed:,} changed, "
        f"{result.unchanged:,} unchanged"
        + (
            f"; {counted(report.warning_count, 'warning')}"
            if report.warning_count
            else ""
        )
        + "."
    )


def _rejection(rejected: ImportRejected) -> list[str]:
    report = rejected.report
    noun = "error" if report.error_count == 1 else "errors"
    return [
        f"{report.file} was rejected with {report.error_count:,} {noun}; "
        "nothing from it was imported.",
        *report.error_lines(),
    ]


def _import_one(school: School, source: Source, path: Path, err: IO[str]) -> Any:
    from tqdm import tqdm

    try:
        data = path.read_bytes()
    except OSError as problem:
        raise CommandError(f"cannot read {path}: {problem.strerror}") from None
    with tqdm(
        total=2 * max(data.count(b"\n"), 1),
        unit=" rows",
        file=err,
        disable=not err.isatty(),
        delay=1.0,
        leave=False,
    ) as bar:
        try:
            return import_register(
                school, data, path.name, source=source, progress=bar.update
            )
        except SourceError as problem:
            raise CommandError(str(problem)) from None


@command("import-source")
def import_source(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    source = _source(school, args.source)
    try:
        result = _import_one(school, source, Path(args.file), err)
    except ImportRejected as rejected:
        err.writelines(f"{line}\n" for line in _rejection(rejected))
        return 1
    out.write(_summary(result) + "\n")
    out.writelines(f"  {line}\n" for line in result.report.warning_lines())
    return 0


@contextlib.contextmanager
def _inbox_lock(inbox: Path) -> Iterator[bool]:
    """Yield whether this run holds the inbox (another cron run may)."""
    with open(inbox / ".attendwise.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _move(path: Path, folder: Path, stamp: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / f"{stamp}-{path.name}"
    os.replace(path, target)
    return target


@command("import-scheduled")
def import_scheduled(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Import every waiting file of the inbox, oldest first (for cron).

    Each file is imported all or nothing through the school's source, then
    moved to imported/ or, with its errors beside it, to rejected/, so a
    file is never imported twice and never lost. Nothing waiting prints
    nothing (cron mails only what matters). Exit status 1 when a file was
    rejected, BUSY when another run holds the inbox.
    """
    school = _school(args.school)
    source = _source(school, args.source)
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise CommandError(f"{inbox} is not a folder")
    with _inbox_lock(inbox) as held:
        if not held:
            err.write(f"another import is running on {inbox}; try again later\n")
            return BUSY
        waiting = sorted(
            (
                path
                for path in inbox.glob(args.pattern)
                if path.is_file() and not path.name.startswith(".")
            ),
            key=lambda path: (path.stat().st_mtime, path.name),
        )
        status = 0
        for path in waiting:
            stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
            try:
                result = _import_one(school, source, path, err)
            except ImportRejected as rejected:
                status = 1
                moved = _move(path, inbox / "rejected", stamp)
                lines = _rejection(rejected)
                moved.with_name(moved.name + ".errors.txt").write_text(
                    "\n".join(lines) + "\n", encoding="utf-8"
                )
                err.write(f"{lines[0]} Moved to {moved}.\n")
                continue
            moved = _move(path, inbox / "imported", stamp)
            out.write(_summary(result) + f" Moved to {moved}.\n")
    return status


# -- quality -------------------------------------------------------------------


@command("quality")
def quality(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    report = quality_report(school, args.as_of)
    if args.format == "json":
        rows = [
            {**asdict(issue), "first": issue.first.isoformat() if issue.first else None}
            for issue in report.issues
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return 0
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["kind", "pupil", "name", "first", "count", "detail"])
        for issue in report.issues:
            first = issue.first.isoformat() if issue.first else ""
            writer.writerow(
                [
                    neutralise(issue.kind),
                    neutralise(issue.pupil),
                    neutralise(issue.name),
                    first,
                    issue.count,
                    neutralise(issue.detail),
                ]
            )
        return 0
    total = len(report.issues)
    out.write(
        f"Data quality of {school.name}, {report.period_first:%d/%m/%Y} to "
        f"{report.as_of:%d/%m/%Y}: {counted(total, 'issue')}.\n"
    )
    for kind in KINDS:
        issues = report.of_kind(kind)
        if not issues:
            continue
        out.write(f"\n{kind} ({len(issues)})\n")
        for issue in issues:
            who = f"{issue.pupil} {issue.name}: " if issue.pupil else ""
            out.write(f"  {who}{issue.detail}\n")
    return 0


# -- exports -------------------------------------------------------------------


def _tables(args: argparse.Namespace, school: School) -> list[Table]:
    from attendwise.web import exports

    wanted = args.what
    tables = []
    if wanted in ("worklist", "all"):
        tables.append(exports.worklist_table(school, args.date))
    if wanted in ("figures", "all"):
        tables.append(exports.figures_table(school, args.date))
    if wanted in ("cases", "all"):
        pupil = _pupil(school, args.pupil) if args.pupil else None
        tables.append(
            exports.case_history_table(school, pupil, safeguarding=args.safeguarding)
        )
    return tables


@command("export")
def export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    target = Path(args.output)
    kind = target.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise CommandError("the output file must end in .csv or .xlsx")
    tables = _tables(args, school)
    if kind == ".csv":
        if len(tables) != 1:
            raise CommandError("a CSV file holds one table: export 'all' to .xlsx")
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            write_csv(tables[0], handle)
    else:
        with open(target, "wb") as handle:
            write_xlsx(tables, handle)
    rows = ", ".join(f"{table.name}: {len(table.rows):,} rows" for table in tables)
    out.write(f"Wrote {target} ({rows}).\n")
    return 0


# -- arguments -----------------------------------------------------------------


def add_arguments(commands: Any) -> None:
    """Declare the arguments of the commands above on the CLI's subparsers."""
    school = argparse.ArgumentParser(add_help=False)
    school.add_argument("--school", required=True, help="the school's short name")

    save = commands.add_parser(
        "source-save",
        parents=[school],
        help="save (or change) a named register source: the mapping of an export",
        description="Roles: " + ", ".join(ROLES) + ". See docs/import-formats.md.",
    )
    save.add_argument("name", help="the source's name, such as 'Arbor daily'")
    save.add_argument("--preset", choices=sorted(PRESETS))
    save.add_argument(
        "--column", action="append", metavar="ROLE=HEADING", help="repeatable"
    )
    save.add_argument("--date-format", choices=[f.value for f in DateFormat])
    save.add_argument("--encoding", choices=[e.value for e in Encoding])
    save.add_argument("--file-format", choices=[f.value for f in FileFormat])
    save.add_argument("--sheet", help="the sheet of an .xlsx file (default: first)")
    save.add_argument(
        "--code",
        action="append",
        metavar="LOCAL=CODE",
        help="repeatable; the codes given are the whole code table, replacing "
        "the saved one (without --code the saved table is kept)",
    )
    save.add_argument(
        "--no-codes", action="store_true", help="empty the source's code table"
    )
    save.add_argument(
        "--session", action="append", metavar="NAME=AM|PM", help="repeatable"
    )
    save.add_argument(
        "--several-registers", action=argparse.BooleanOptionalAction, default=None
    )
    save.add_argument("--pupils-by", choices=[k.value for k in PupilKey])

    commands.add_parser(
        "source-list", parents=[school], help="the school's sources and the presets"
    )

    one = commands.add_parser(
        "import-source",
        parents=[school],
        help="import a register file through a named source",
    )
    one.add_argument("file", metavar="FILE")
    one.add_argument("--source", required=True, help="the source's name")

    scheduled = commands.add_parser(
        "import-scheduled",
        parents=[school],
        help="import every file waiting in a folder (run it from cron)",
    )
    scheduled.add_argument("--source", required=True, help="the source's name")
    scheduled.add_argument("--inbox", required=True, help="the folder files arrive in")
    scheduled.add_argument(
        "--pattern", default="*", help="which files to take (default: all)"
    )

    report = commands.add_parser(
        "quality", parents=[school], help="the data quality report"
    )
    report.add_argument(
        "--as-of",
        "--date",
        dest="as_of",
        required=True,
        type=parse_day,
        help="the day the report is as of (--date is the same)",
    )
    report.add_argument("--format", choices=["text", "csv", "json"], default="text")

    out = commands.add_parser(
        "export",
        parents=[school],
        help="export the worklist, figures or case histories to CSV or Excel",
    )
    out.add_argument("what", choices=["worklist", "figures", "cases", "all"])
    out.add_argument("--date", required=True, type=parse_day)
    out.add_argument("--output", required=True, help="a .csv or .xlsx file")
    out.add_argument("--pupil", help="cases of one pupil only (MIS id or UPN)")
    out.add_argument(
        "--safeguarding", action="store_true", help="include Stage 4 events"
    )
