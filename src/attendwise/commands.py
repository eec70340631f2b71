"""The command implementations, once Django is set up.

Each command writes its result to `out` and its complaints to `err`, and
returns the exit status. Domain errors are shown as they are (they are
written for people) and give status 1.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shlex
import shutil
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.contrib.auth.models import User
from django.core.management import call_command

from attendwise.core.calendar import CalendarError
from attendwise.core.figures import counted, format_percent, percent_of
from attendwise.core.pathway import PathwayError
from attendwise.core.policy import PolicyError, load_policy, shipped_policy_text
from attendwise.core.pupilday import day_figures, indicated_stage
from attendwise.export import neutralise
from attendwise.sources.base import ImportRejected, WarningKind
from attendwise.web.cases.models import WAITING, Event, Task
from attendwise.web.cases.services import (
    CASE_LEVEL_ACTIONS,
    SchoolRules,
    TaskError,
    case_action,
    complete_task,
    daily_run,
    draft_pending,
    read_register,
    school_measures,
)
from attendwise.web.cases.worklist import (
    GROUPS,
    QUEUED,
    TYPES,
    Item,
    Queue,
    queued,
    worklist,
)
from attendwise.web.register import services as register_services
from attendwise.web.register.models import Contact, Pupil, School
from attendwise.web.ui.access import Staff, audit, staff_member
from attendwise.web.ui.roles import (
    CASEWORK,
    CONTACT_EDITORS,
    SAFEGUARDING_ACTIONS,
    Role,
    may_act_on_case,
    may_complete,
)

Command = Callable[[argparse.Namespace, IO[str], IO[str]], int]
COMMANDS: dict[str, Command] = {}


class CommandError(Exception):
    """A problem with what the user asked for, said plainly."""


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def parse_day(text: str) -> dt.date:
    """Return the date of ISO (2025-12-11) or UK (11/12/2025) text."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a date: use 2025-12-11 or 11/12/2025"
    )


def _school(slug: str) -> School:
    try:
        return School.objects.get(slug=slug)
    except School.DoesNotExist:
        raise CommandError(
            f"no school {slug!r}; create one with 'attendwise create-school'"
        ) from None


#: The commands that create the database when there is none; every other
#: command needs a database that create-school has set up.
CREATE_DATABASE = frozenset({"create-school", "demo"})


def _database() -> str:
    """Return where the database is, for a message (no password)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    return f"{settings['NAME']} on {settings['HOST'] or 'localhost'}"


def _require_database() -> None:
    """Raise CommandError unless the database exists and is set up.

    Checked before anything connects: SQLite would create an empty file.
    """
    from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper, not its proxy

    embedded = isinstance(connection, SQLite) and not connection.is_in_memory_db()
    if embedded and not Path(connection.settings_dict["NAME"]).is_file():
        raise CommandError(
            f"there is no Attendwise database at {_database()}: set "
            "ATTENDWISE_HOME to the folder that holds it, or run "
            "'attendwise create-school ...' first"
        )
    try:
        tables = connection.introspection.table_names()
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise CommandError(
            f"cannot open the database {_database()}: {reason}"
        ) from None
    if "register_school" not in tables:
        raise CommandError(
            f"the database {_database()} is not set up for Attendwise: run "
            "'attendwise create-school ...' first"
        )


def _create_database() -> None:
    """Create the database (and its folder) if need be, with every table."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.HOME.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)


def _user(username: str | None) -> User:
    if not username:
        raise CommandError("say who is acting: --user USERNAME")
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no user {username!r}") from None


def _staff(username: str | None, school: School) -> Staff:
    """Return the user as a member of staff of `school`.

    Raises CommandError for a user with no role at any school (such as a
    superuser made with 'manage createsuperuser') or a role at another.
    """
    user = _user(username)
    staff = staff_member(user)
    if staff is None:
        raise CommandError(
            f"{user.username} is not a member of staff at any school; give them "
            f"a role with 'attendwise add-user {user.username} --school SLUG "
            "--role ROLE'. Nothing was recorded"
        )
    if staff.school.pk != school.pk:
        raise CommandError(
            f"{user.username} is a member of staff at {staff.school.name}, not at "
            f"{school.name}. Nothing was recorded"
        )
    return staff


def _pupil(school: School, reference: str) -> Pupil:
    pupil = (
        Pupil.objects.filter(school=school, mis_id=reference).first()
        or Pupil.objects.filter(school=school, upn=reference).first()
    )
    if pupil is None:
        raise CommandError(
            f"no pupil with MIS id or UPN {reference!r} at {school.slug}"
        )
    return pupil


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


def _progress(err: IO[str], description: str) -> Callable[[list[int]], Iterable[int]]:
    def wrap(items: list[int]) -> Iterable[int]:
        if not err.isatty():
            return items
        from tqdm import tqdm

        return tqdm(items, desc=description, file=err, unit="pupil", leave=False)

    return wrap


# -- commands ----------------------------------------------------------------


@command("create-school")
def create_school(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    _create_database()
    calendar_text = _read_text(args.calendar)
    policy_text = _read_text(args.policy) if args.policy else shipped_policy_text()
    load_policy(policy_text, args.policy or "forest-view.toml")
    school = register_services.create_school(
        args.slug, args.name, calendar_text, policy_text
    )
    out.write(f"Created {school.name} ({school.slug}).\n")
    return 0


def _import(
    args: argparse.Namespace, data: bytes, name: str, school: School, bar: Any
) -> Any:
    if args.command == "import-register":
        return register_services.import_register(
            school, data, name, args.layout, progress=bar.update
        )
    if args.command == "import-pupils":
        return register_services.import_pupils(
            school, data, name, on=args.on or _today(), progress=bar.update
        )
    return register_services.import_contacts(school, data, name, progress=bar.update)


def _today() -> dt.date:
    """Return the web application's today (ATTENDWISE_TODAY, else London's)."""
    from attendwise.web.ui.access import today

    return today()


def import_file(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Import one file; print its counts, or every error (exit 1)."""
    from tqdm import tqdm

    school = _school(args.school)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise CommandError(f"cannot read {path}: {problem.strerror}") from None

    # The bar shows only on a terminal, and only for a file long enough to
    # take more than a second. Each row counts twice: read, then applied.
    with tqdm(
        total=2 * data.count(b"\n"),
        unit=" rows",
        file=err,
        disable=not err.isatty(),
        delay=1.0,
        leave=False,
    ) as bar:
        try:
            result = _import(args, data, path.name, school, bar)
        except ImportRejected as rejected:
            bar.close()
            report = rejected.report
            noun = "error" if report.error_count == 1 else "errors"
            err.write(
                f"{report.file} was rejected with {report.error_count:,} {noun}; "
                "nothing from it was imported.\n"
            )
            for line in report.error_lines():
                err.write(f"{line}\n")
            return 1

    report = result.report
    counts = report.counts
    out.write(
        f"{report.file}: {counted(counts.get('rows', 0), 'row')} read; "
        f"{result.created:,} created, {result.changed:,} changed, "
        f"{result.unchanged:,} unchanged"
        + (f", {counts['removed']:,} removed" if counts.get("removed") else "")
        + (
            f"; {counted(report.warning_count, 'warning')}"
            if report.warning_count
            else ""
        )
        + ".\n"
    )
    for line in report.warning_lines():
        out.write(f"  {line}\n")
    if getattr(args, "list_not_in_file", False):
        for warning in report.warnings:
            if warning.kind is WarningKind.NOT_IN_FILE:
                out.writelines(f"    {item}\n" for item in warning.items)
    return 0


for _name in ("import-pupils", "import-contacts", "import-register"):
    COMMANDS[_name] = import_file


@command("run")
def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    report = daily_run(school, args.date, progress=_progress(err, "Daily run"))
    stages = ", ".join(
        f"Stage {stage}: {count}"
        for stage, count in sorted(report.stage_counts.items())
        if stage
    )
    limit = SchoolRules.of(school).policy.setting("daily_new_proposals_per_role")
    queue = (
        f" ({report.released} from the queue); {report.queued} queued by the "
        f"daily limit of {counted(limit, 'new pathway proposal')} a day per role"
        if limit
        else ""
    )
    out.write(
        f"Daily run for {school.name}, {args.date:%a %d %b %Y}: "
        f"{counted(report.pupils, 'pupil')}; {stages or 'no stage indicated'}.\n"
        f"{counted(report.proposed, 'new item')}{queue}, {report.withdrawn} "
        f"withdrawn, {counted(report.calls_missing, 'first-day call')} not "
        "recorded.\n\n"
    )
    if not args.quiet:
        _write_worklist(school, args.date, out, kind=None, fmt="text")
    return 0


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    """Return `row` with text a spreadsheet would run as a formula neutralised."""
    return {k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()}


def _item_row(item: Item) -> dict[str, Any]:
    task = item.task
    return {
        "id": task.pk,
        "group": item.group,
        "due": task.due_on.isoformat(),
        "stage": item.stage,
        "pupil": task.pupil.mis_id,
        "name": f"{task.pupil.legal_forename} {task.pupil.legal_surname}",
        "year": task.pupil.year_group,
        "item": task.title,
        "role": task.role,
        "attendance": str(item.figure) + "%" if item.figure is not None else "",
        "first_indicated": task.first_indicated_on.isoformat(),
    }


def _queue_line(school: School, queue: Queue) -> str:
    """Return the worklist's line about the queue: its count, oldest, roles."""
    policy = SchoolRules.of(school).policy
    roles = "; ".join(
        f"{policy.role_name(role)} {count}"
        for role, count in sorted(queue.by_role.items())
    )
    return f"{queue.summary()} ({roles}; 'attendwise worklist --queued' lists them)\n"


def _write_worklist(
    school: School,
    as_of: dt.date,
    out: IO[str],
    *,
    kind: str | None,
    fmt: str,
    safeguarding: bool = False,
    queue_only: bool = False,
) -> None:
    queue = queued(school, kind=kind, safeguarding=safeguarding)
    items = (
        queue.items
        if queue_only
        else worklist(school, as_of, kind=kind, safeguarding=safeguarding)
    )
    rows = [_item_row(item) for item in items]
    if fmt == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        writer.writerows(_safe(row) for row in rows)
        return
    if queue_only:
        out.write(
            f"{QUEUED} ({len(rows)})\n" if rows else f"Nothing is {QUEUED.lower()}.\n"
        )
        for row in rows:  # first indicated, not due: nothing is due yet
            _write_row(out, row, row["first_indicated"])
        return
    if not rows:
        out.write("The worklist is empty.\n")
    for group in GROUPS:
        mine = [row for row in rows if row["group"] == group]
        if not mine:
            continue
        out.write(f"{group} ({len(mine)})\n")
        for row in mine:
            _write_row(out, row, row["due"])
        out.write("\n")
    if len(queue):
        out.write(_queue_line(school, queue))


def _write_row(out: IO[str], row: dict[str, Any], day: str) -> None:
    stage = f"S{row['stage']}" if row["stage"] else "  "
    out.write(
        f"  #{row['id']:<6} {day} {stage} {row['name'][:26]:<26} "
        f"Y{row['year'] or '-':<3} {row['attendance']:>6}  {row['item']}\n"
    )


@command("worklist")
def worklist_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    _write_worklist(
        school,
        args.date,
        out,
        kind=args.type,
        fmt=args.format,
        safeguarding=args.safeguarding,
        queue_only=args.queued,
    )
    return 0


@command("case")
def case_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    pupil = _pupil(school, args.pupil)
    out.write(
        f"{pupil.legal_forename} {pupil.legal_surname} (MIS id {pupil.mis_id}), "
        f"Year {pupil.year_group}, {pupil.reg_group}\n"
    )
    for case in pupil.cases.order_by("academic_year"):
        state = case.state
        year = f"{case.academic_year}/{(case.academic_year + 1) % 100:02d}"
        if state.get("stage4_since") and not args.safeguarding:
            out.write(f"Case {year}: on hold: speak to the safeguarding lead\n")
            continue
        out.write(
            f"Case {year}: Stage {case.stage}, {case.status}, at "
            f"{state.get('node') or '-'} ({state.get('phase')})\n"
        )
    out.write("\nTimeline\n")
    events = Event.objects.filter(pupil=pupil)
    if not args.safeguarding:
        events = events.filter(safeguarding=False)
    for event in events.select_related("actor"):
        who = event.actor.username if event.actor else "daily run"
        out.write(f"  {event.school_day:%a %d %b %Y}  [{who}] {event.summary}\n")
    open_items = Task.objects.filter(pupil=pupil, status__in=WAITING)
    if not args.safeguarding:
        open_items = open_items.filter(safeguarding=False)
    if open_items:
        out.write("\nOpen items\n")
        for task in open_items.order_by("due_on"):
            when = (
                f"queued by the daily limit, first indicated "
                f"{task.first_indicated_on:%d/%m/%Y}"
                if task.status == Task.Status.QUEUED
                else f"due {task.due_on:%d/%m/%Y}"
            )
            out.write(f"  #{task.pk} {when}: {task.title}\n")
    return 0


@command("confirm")
def confirm(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    try:
        task = Task.objects.select_related("school", "pupil").get(pk=args.task)
    except Task.DoesNotExist:
        raise CommandError(f"no item #{args.task}") from None
    staff = _staff(args.user, task.school)
    if not may_complete(staff.role, task.role, task.safeguarding):
        policy = SchoolRules.of(task.school).policy
        whose = (
            Role.SAFEGUARDING.label.lower()
            if task.safeguarding
            else policy.role_name(task.role)
        )
        raise CommandError(
            f"{staff.user.username} ({staff.role.label}) may not complete "
            f"#{task.pk}: it is for the {whose}. Nothing was recorded"
        )
    task = complete_task(
        task,
        action=args.action.replace("-", " "),
        on=args.on,
        user=staff.user,
        option=args.option or "",
        reason=args.reason or "",
        held_on=args.held_on,
        attended=not args.did_not_attend,
        reason_satisfactory=args.reason_satisfactory,
    )
    audit(
        staff,
        "attendwise confirm",
        "task.completed",
        f"{task.title}: {task.get_status_display().lower()}",
        task.pupil_id,
        safeguarding=task.safeguarding,
    )
    out.write(f"#{task.pk} {task.title}: {task.get_status_display().lower()}.\n")
    return 0


#: The columns of `measures --format csv|json`, each with what it means
#: (docs/codes.md says how each is counted). Percentages are numbers with
#: one decimal place, rounded half up, and empty (null) when the figure is
#: not available: never 0 or 100 for "nothing possible".
MEASURE_COLUMNS = {
    "mis_id": "the MIS id (Student ID)",
    "forename": "legal forename",
    "surname": "legal surname",
    "year_group": "year group",
    "reg_group": "registration group",
    "ytd_possible": "possible sessions, year to date",
    "ytd_attended": "sessions attended (present, late, approved activity)",
    "ytd_authorised": "sessions of authorised absence",
    "ytd_unauthorised": "sessions of unauthorised absence",
    "ytd_not_counted": "sessions not counted as possible (D, X, Q, Y1-Y7, Z, #)",
    "ytd_percent": "attendance %, year to date",
    "w6_complete": "whether the six-week figure exists (on roll all 30 days)",
    "w6_possible": "possible sessions in the last 30 school days",
    "w6_attended": "sessions attended in the last 30 school days",
    "w6_authorised": "authorised absence in the last 30 school days",
    "w6_unauthorised": "unauthorised absence in the last 30 school days",
    "w6_percent": "attendance % over the last 30 school days",
    "pn_count": "unauthorised sessions in the last 10 school weeks",
    "pn_met": "whether the national penalty-notice threshold is met",
    "ytd_lates_u": "sessions late after the register closed (U)",
    "ytd_n_sessions": "sessions still coded N (no reason yet)",
    "missing": "sessions with no mark (register incomplete)",
    "pa": "persistent absence (attendance 90% or less)",
    "sa": "severe absence (attendance 50% or less)",
    "indicated_stage": "the stage the policy indicates today (0: none; "
    "empty: not on roll)",
}


def _measure_rows(frame: Any, stages: dict[int, int]) -> list[dict[str, Any]]:
    rows = []
    for row in frame.iter_rows(named=True):
        w6 = percent_of(row["w6_attended"], row["w6_possible"])
        values = row | {
            "ytd_percent": percent_of(row["ytd_attended"], row["ytd_possible"]),
            "w6_percent": w6 if row["w6_complete"] else None,
            "indicated_stage": stages.get(row["pupil_id"]),
        }
        rows.append({key: values[key] for key in MEASURE_COLUMNS})
    return rows


def _indicated_stages(rules: SchoolRules, as_of: dt.date) -> dict[int, int]:
    """Return the stage the policy indicates for each pupil on roll, by id."""
    register = read_register(rules, as_of)
    return {
        pupil_id: indicated_stage(
            day_figures(day, rules.calendar, rules.policy), rules.policy
        ).stage
        for pupil_id, day in register.days.items()
    }


def _as_json(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else str(value)


@command("case-action")
def case_action_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    staff = _staff(args.user, school)
    pupil = _pupil(school, args.pupil)
    case = pupil.cases.order_by("-academic_year").first()
    if case is None:
        raise CommandError(f"pupil {args.pupil} has no case")
    on_hold = bool(case.state.get("stage4_since"))
    if not may_act_on_case(staff.role, args.action, on_hold):
        raise CommandError(
            f"{staff.user.username} ({staff.role.label}) may not take the action "
            f"{args.action!r} on this case: "
            + (
                "that is for the designated safeguarding lead. "
                if staff.role in CASEWORK
                else "only casework roles act on cases. "
            )
            + "Nothing was recorded"
        )
    case = case_action(
        case,
        args.action,
        args.on,
        staff.user,
        args.reason or "",
        stage=args.stage or 0,
        until=args.until,
    )
    audit(
        staff,
        "attendwise case-action",
        "case.changed",
        args.action[:1].upper() + args.action[1:],
        pupil.pk,
        safeguarding=on_hold or args.action in SAFEGUARDING_ACTIONS,
    )
    out.write(f"{args.action}: done; the case is at Stage {case.stage}.\n")
    return 0


def _yes_no(text: str | None, current: bool) -> bool:
    return current if text is None else text == "yes"


def _contact_line(contact: Contact) -> str:
    settings = register_services.ContactSettings.of(contact)
    parental = "" if contact.parental_responsibility else ", no parental responsibility"
    return (
        f"contact {contact.priority}: {contact} ({contact.relationship}"
        f"{parental}): {settings.describe()}\n"
    )


@command("contact")
def contact_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    staff = _staff(args.user, school)
    if staff.role not in CONTACT_EDITORS:
        raise CommandError(
            f"{staff.user.username} ({staff.role.label}) may not see or change "
            "a pupil's contacts. Nothing was recorded"
        )
    pupil = _pupil(school, args.pupil)
    contacts = {contact.priority: contact for contact in pupil.contacts.all()}
    changing = args.court_order_bar is not None or args.correspondence is not None
    if args.contact is not None and args.contact not in contacts:
        held = ", ".join(map(str, contacts)) or "none"
        raise CommandError(
            f"pupil {pupil.mis_id} has no contact {args.contact} (priorities: "
            f"{held}). Nothing was recorded"
        )
    if not changing:
        shown = contacts.values() if args.contact is None else [contacts[args.contact]]
        for contact in shown:
            out.write(_contact_line(contact))
        if not contacts:
            out.write(f"pupil {pupil.mis_id} has no contact recorded\n")
        return 0
    if args.contact is None:
        raise CommandError(
            "say which contact changes: --contact PRIORITY (list them without "
            "--court-order-bar and --correspondence). Nothing was recorded"
        )
    contact = contacts[args.contact]
    seen = register_services.ContactSettings.of(contact)
    wanted = register_services.ContactSettings(
        _yes_no(args.court_order_bar, seen.court_order_bar),
        _yes_no(args.correspondence, seen.receives_correspondence),
    )
    changes = register_services.change_contact_settings(
        contact, wanted, seen=seen, user=staff.user, reason=args.reason or ""
    )
    if changes:
        draft_pending(school, args.on or _today(), pupil=pupil)
        audit(
            staff,
            "attendwise contact",
            "contact.changed",
            f"Contact {contact.priority} of {pupil}: {wanted.describe()}",
            pupil.pk,
            safeguarding=False,
        )
        out.write(
            f"contact {contact.priority} of pupil {pupil.mis_id}: "
            f"{wanted.describe()}; letters not yet approved are drafted again.\n"
        )
    else:
        out.write(f"contact {contact.priority}: nothing changed\n")
    return 0


@command("measures")
def measures(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    school = _school(args.school)
    rules = SchoolRules.of(school)
    if args.year is not None:
        frame = school_measures(rules, args.as_of).filter(
            pl.col("year_group") == args.year
        )
    else:
        frame = school_measures(rules, args.as_of)
    if args.format == "json" or args.format == "csv":
        rows = _measure_rows(
            frame.sort("surname", "forename"), _indicated_stages(rules, args.as_of)
        )
    if args.format == "json":
        json.dump(rows, out, indent=2, default=_as_json)
        out.write("\n")
        return 0
    if args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(MEASURE_COLUMNS))
        writer.writeheader()
        writer.writerows(_safe(row) for row in rows)
        return 0
    totals = frame.select(
        pl.col("ytd_possible").sum(), pl.col("ytd_attended").sum(), pl.col("pa").sum()
    ).row(0)
    on_roll = frame.filter(pl.col("ytd_possible") > 0).height
    persistent = (
        f"persistent absence {format_percent(totals[2], on_roll)} of pupils"
        if on_roll
        else "persistent absence not available (no pupil has possible sessions)"
    )
    out.write(
        f"{school.name}, as of {args.as_of:%a %d %b %Y}: "
        f"{counted(frame.height, 'pupil')}; "
        f"attendance {format_percent(totals[1], totals[0])} "
        f"({totals[1]:,} of {counted(totals[0], 'session')}); {persistent}.\n"
        "Use --format csv or json for each pupil's figures.\n"
    )
    return 0


#: The demo school's size: a small secondary, so that `make demo` (which
#: replays every school day of the autumn term) finishes within two minutes
#: on a two-core machine. The generator and the replay work at any size.
DEMO_PUPILS = 300


def _only_the_demo_school(slug: str) -> None:
    """Refuse to remove a database that holds any school but the demo's."""
    from django.db import connection

    if "register_school" not in connection.introspection.table_names():
        return
    others = School.objects.exclude(slug=slug).count()
    if others:
        raise CommandError(
            f"this database holds {others} other school(s): --fresh would delete "
            "them. Set ATTENDWISE_HOME to a folder of its own for the demo "
            "(make demo uses var/demo)"
        )


def _remove_sqlite_database(path: Path) -> None:
    """Remove the SQLite database at `path` with its -wal, -shm and -journal.

    Every connection is closed first: a connection left open would go on
    writing into the removed file, and the next one would find no database.
    """
    from django.db import connections

    connections.close_all()
    for name in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + name).unlink(missing_ok=True)


def _as_typed(path: Path) -> str:
    """Return `path` relative to this folder when it lies inside it."""
    absolute = path.resolve()
    return (
        str(absolute.relative_to(Path.cwd()))
        if absolute.is_relative_to(Path.cwd())
        else str(absolute)
    )


@command("demo")
def demo(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import time

    from django.conf import settings

    from attendwise.web import demo as demo_school

    database = settings.DATABASES["default"]
    if args.pupils < 50:
        raise CommandError("the demo school needs at least 50 pupils")
    last_day = args.until or demo_school.LAST_DAY
    if not demo_school.FIRST_DAY <= last_day <= demo_school.LAST_DAY:
        raise CommandError(
            f"--until must be a day of the autumn term, "
            f"{demo_school.FIRST_DAY:%d/%m/%Y} to {demo_school.LAST_DAY:%d/%m/%Y}"
        )
    if args.fresh:
        settings.HOME.mkdir(parents=True, exist_ok=True)
        _only_the_demo_school(demo_school.SLUG)
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--fresh only removes the embedded SQLite database")
        _remove_sqlite_database(Path(database["NAME"]))
        shutil.rmtree(settings.LETTERS_DIR, ignore_errors=True)
    _create_database()
    if School.objects.filter(slug=demo_school.SLUG).exists():
        raise CommandError(
            "the demo school already exists: run 'attendwise demo --fresh' "
            "(this removes the embedded database) or use another ATTENDWISE_HOME"
        )
    started = time.perf_counter()

    def progress(days: list[dt.date]) -> Iterable[dt.date]:
        if not err.isatty():
            return days
        from tqdm import tqdm

        return tqdm(days, desc="Replaying the autumn term", unit="day", file=err)

    summary = demo_school.run_demo(
        out, pupils=args.pupils, last_day=last_day, progress=progress
    )
    seconds = time.perf_counter() - started
    # The commands to go on with, as typed in this folder.
    home = "ATTENDWISE_HOME=" + shlex.quote(_as_typed(settings.HOME))
    command = shlex.quote(_as_typed(Path(sys.argv[0]))) if sys.argv[0] else "attendwise"
    stages = (
        ", ".join(
            f"Stage {stage}: {count}" for stage, count in sorted(summary.stages.items())
        )
        or "none yet"
    )
    out.write(
        f"Replayed {counted(summary.days, 'school day')} in {seconds:.0f} s: "
        f"{counted(summary.imports, 'register import')}, "
        f"{counted(summary.completed, 'item')} completed by the scripted "
        f"staff.\nCases: {stages}.\n"
        f"Open on the worklist: {counted(summary.open_items, 'item')}.\n"
        f"Letters: {counted(summary.letters, 'PDF')} in {settings.LETTERS_DIR}\n"
        f"Database: {database['NAME']}\n"
        "The worklist, and the web application (then sign in at "
        "http://127.0.0.1:8000/ as officer, cfsw, head, dsl (safeguarding lead), "
        f"governor (read-only) or admin, password '{demo_school.DEMO_PASSWORD}'):\n"
        f"  {home} {command} worklist --school {demo_school.SLUG} "
        f"--date {last_day.isoformat()}\n"
        f"  {home} ATTENDWISE_TODAY={last_day.isoformat()} {command} serve\n"
    )
    return 0


def add_arguments(commands: Any) -> None:
    """Declare the arguments of the commands above on the CLI's subparsers."""
    school = argparse.ArgumentParser(add_help=False)
    school.add_argument("--school", required=True, help="the school's short name")

    create = commands.add_parser("create-school", help="create a school")
    create.add_argument("slug", help="short name, such as oakfield")
    create.add_argument("--name", required=True, help="the school's name")
    create.add_argument("--calendar", required=True, help="calendar file (TOML)")
    create.add_argument("--policy", help="policy file (default: the shipped policy)")

    for name, what, layouts in (
        ("import-pupils", "the pupils file", ["sims"]),
        ("import-contacts", "the contacts file", ["sims"]),
        ("import-register", "a register file", ["canonical", "sims"]),
    ):
        command = commands.add_parser(
            name,
            parents=[school],
            help=f"import {what}: all of it, or (on any error) nothing",
            description=f"Import {what}. Layouts: docs/import-formats.md.",
        )
        command.add_argument("file", metavar="FILE")
        command.add_argument(
            "--layout",
            choices=layouts,
            required=len(layouts) > 1,
            default=layouts[0] if len(layouts) == 1 else None,
        )
        if name == "import-pupils":
            command.add_argument(
                "--on",
                type=parse_day,
                help="the day of the import: a date of birth after it is an "
                "error (default: today, or ATTENDWISE_TODAY)",
            )
            command.add_argument(
                "--list-not-in-file",
                action="store_true",
                help="list every stored pupil the file leaves out (the "
                "warning names the first few), one Student ID a line",
            )

    run_parser = commands.add_parser(
        "run", parents=[school], help="the daily run for one school day"
    )
    run_parser.add_argument("--date", required=True, type=parse_day)
    run_parser.add_argument("--quiet", action="store_true", help="no worklist")

    listing = commands.add_parser("worklist", parents=[school], help="the open items")
    listing.add_argument("--date", required=True, type=parse_day)
    listing.add_argument("--type", choices=sorted(TYPES))
    listing.add_argument("--format", choices=["text", "csv", "json"], default="text")
    listing.add_argument(
        "--safeguarding",
        action="store_true",
        help="include the items for the safeguarding lead only",
    )
    listing.add_argument(
        "--queued",
        action="store_true",
        help="list the new proposals the policy's daily limit holds back instead, "
        "in the order later daily runs release them",
    )

    acting = commands.add_parser(
        "case-action",
        parents=[school],
        help="act on a case outside the worklist (Stage 4, LA, escalate, defer check)",
    )
    acting.add_argument("pupil", help="MIS id or UPN")
    acting.add_argument("--action", required=True, choices=sorted(CASE_LEVEL_ACTIONS))
    acting.add_argument("--on", required=True, type=parse_day, help="the school day")
    acting.add_argument("--user", required=True)
    acting.add_argument("--reason", required=True)
    acting.add_argument("--stage", type=int, help="escalate: to Stage 2 or 3")
    acting.add_argument("--until", type=parse_day, help="defer check: to this day")

    contact = commands.add_parser(
        "contact",
        parents=[school],
        help="a pupil's contacts: list them, or set a court-order bar or "
        "correspondence",
    )
    contact.add_argument("pupil", help="MIS id or UPN")
    contact.add_argument("--contact", type=int, help="the contact's priority")
    contact.add_argument("--user", required=True)
    contact.add_argument(
        "--court-order-bar",
        choices=["yes", "no"],
        help="barred by a court order from receiving information about the child",
    )
    contact.add_argument(
        "--correspondence", choices=["yes", "no"], help="receives correspondence"
    )
    contact.add_argument("--reason", help="why the settings change (required)")
    contact.add_argument(
        "--on",
        type=parse_day,
        help="the school day of the change, for the letters drafted again "
        "(default: today)",
    )

    figures = commands.add_parser(
        "measures", parents=[school], help="every pupil's attendance figures"
    )
    figures.add_argument("--as-of", required=True, type=parse_day)
    figures.add_argument("--year", type=int, help="one year group only")
    figures.add_argument("--format", choices=["text", "csv", "json"], default="text")

    case = commands.add_parser("case", parents=[school], help="a pupil's case timeline")
    case.add_argument("pupil", help="MIS id or UPN")
    case.add_argument(
        "--safeguarding", action="store_true", help="include Stage 4 details"
    )

    decide = commands.add_parser("confirm", help="complete a worklist item")
    decide.add_argument("task", type=int, help="the item number (#) on the worklist")
    decide.add_argument(
        "--action",
        default="confirm",
        choices=["confirm", "dismiss", "answer", "record-meeting", "check-decision"],
    )
    decide.add_argument("--on", required=True, type=parse_day, help="the school day")
    decide.add_argument("--user", required=True)
    decide.add_argument("--option", help="the answer chosen (decisions, calls)")
    decide.add_argument("--reason", help="why (required to dismiss)")
    decide.add_argument("--held-on", type=parse_day, help="when the meeting was held")
    decide.add_argument("--did-not-attend", action="store_true")
    decide.add_argument(
        "--reason-satisfactory",
        action=argparse.BooleanOptionalAction,
        default=None,
    )

    demo_parser = commands.add_parser(
        "demo", help="build the demo school and replay its autumn term"
    )
    demo_parser.add_argument(
        "--fresh", action="store_true", help="start from an empty embedded database"
    )
    demo_parser.add_argument(
        "--pupils",
        type=int,
        default=DEMO_PUPILS,
        help=f"how many pupils (default {DEMO_PUPILS}: the replay stays under two "
        "minutes here; 600 takes about three)",
    )
    demo_parser.add_argument(
        "--until",
        type=parse_day,
        help="replay the autumn term up to this day only (default: its last "
        "day, 19/12/2025)",
    )
    __import__("attendwise.web.ui.cli", fromlist=["cli"]).add_arguments(commands)


def run_command(
    args: argparse.Namespace, out: IO[str] | None = None, err: IO[str] | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if args.command not in CREATE_DATABASE:
            _require_database()
        return COMMANDS[args.command](args, out, err)
    except (
        CommandError,
        TaskError,
        PathwayError,
        PolicyError,
        CalendarError,
        register_services.SchoolError,
        register_services.ContactError,
    ) as error:
        err.write(f"attendwise {args.command}: {error}\n")
        return 1


from attendwise import data_commands  # noqa: E402, F401 (registers its commands)
