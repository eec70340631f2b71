"""The command implementations, once Django is set up."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from django.core.management import call_command


def demo(args: argparse.Namespace) -> int:
    from attendwise.core.calendar import load_calendar

    call_command("migrate", verbosity=0)
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    calendar = load_calendar(text)
    sys.stdout.write(
        f"{calendar.name}: {len(calendar.school_days)} school days, "
        f"{calendar.first_day:%d %b %Y} to {calendar.last_day:%d %b %Y}\n"
    )
    return 0


def create_school(args: argparse.Namespace) -> int:
    from attendwise.core.calendar import CalendarError
    from attendwise.web.register.services import SchoolError
    from attendwise.web.register.services import create_school as create

    call_command("migrate", verbosity=0)
    try:
        calendar = Path(args.calendar).read_text(encoding="utf-8")
        policy = Path(args.policy).read_text(encoding="utf-8") if args.policy else ""
        school = create(args.slug, args.name, calendar, policy)
    except (OSError, UnicodeDecodeError, CalendarError, SchoolError) as problem:
        sys.stderr.write(f"attendwise create-school: {problem}\n")
        return 1
    sys.stdout.write(f"Created {school.name} ({school.slug}).\n")
    return 0


def import_file(args: argparse.Namespace) -> int:
    """Import one file; print its counts, or every error to stderr (exit 1)."""
    from tqdm import tqdm

    from attendwise.sources.base import ImportRejected
    from attendwise.web.register import services
    from attendwise.web.register.models import School

    school = School.objects.filter(slug=args.school).first()
    if school is None:
        sys.stderr.write(f"attendwise {args.command}: no school {args.school!r}\n")
        return 1
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as problem:
        sys.stderr.write(f"attendwise {args.command}: {problem}\n")
        return 1

    # The bar shows only on a terminal, and only for a file long enough to
    # take more than a second. Each row counts twice: read, then applied.
    with tqdm(
        total=2 * data.count(b"\n"),
        unit=" rows",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        delay=1.0,
        leave=False,
    ) as bar:
        try:
            if args.command == "import-register":
                result = services.import_register(
                    school, data, path.name, args.layout, progress=bar.update
                )
            else:
                service = (
                    services.import_pupils
                    if args.command == "import-pupils"
                    else services.import_contacts
                )
                result = service(school, data, path.name, progress=bar.update)
        except ImportRejected as rejected:
            bar.close()
            report = rejected.report
            noun = "error" if report.error_count == 1 else "errors"
            sys.stderr.write(
                f"{report.file} was rejected with {report.error_count:,} {noun}; "
                "nothing from it was imported.\n"
            )
            for line in report.error_lines():
                sys.stderr.write(f"{line}\n")
            return 1

    report = result.report
    counts = report.counts
    sys.stdout.write(
        f"{report.file}: {counts.get('rows', 0):,} rows read; "
        f"{result.created:,} created, {result.changed:,} changed, "
        f"{result.unchanged:,} unchanged"
        + (f", {counts['removed']:,} removed" if counts.get("removed") else "")
        + (f"; {report.warning_count:,} warnings" if report.warning_count else "")
        + ".\n"
    )
    for line in report.warning_lines():
        sys.stdout.write(f"  {line}\n")
    return 0


COMMANDS = {
    "demo": demo,
    "create-school": create_school,
    "import-pupils": import_file,
    "import-contacts": import_file,
    "import-register": import_file,
}


def run_command(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args)
