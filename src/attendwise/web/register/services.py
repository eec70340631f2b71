"""The register's services: create a school; import pupils, contacts, marks.

Every import is strict and all-or-nothing. The whole file is read and
checked first (attendwise.sources); any error raises ImportRejected with
the report and writes nothing. Only then does one transaction compare the
file with what is stored and apply the difference in chunked bulk
operations:

- a row like the stored one changes nothing, so re-importing a file
  changes nothing and records no ImportRun (the result's `run` is None);
- a changed mark replaces the stored value, which is kept as a
  MarkRevision;
- what the database holds and the file does not (marks of other dates,
  pupils missing from a later pupils file) is kept, and reported where it
  matters.

`dry_run=True` does all of this but write: the report is exactly what
applying the file would do, and the result's `run` is None.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Field, Model
from django.utils import timezone

from attendwise.core.calendar import CalendarError, SchoolCalendar, load_calendar
from attendwise.core.figures import counted
from attendwise.sources import canonical, sims
from attendwise.sources.base import (
    ImportRejected,
    ImportReport,
    Progress,
    ReportBuilder,
    WarningKind,
    describe_day,
    quoted,
)
from attendwise.sources.checks import (
    RollDates,
    Session,
    check_calendar,
    check_roll_dates,
    missing_sessions,
    report_missing,
)
from attendwise.sources.register import (
    MarkRow,
    RegisterFile,
    RegisterLayout,
    read_register,
)
from attendwise.web.cases.letters import withdraw_drafts
from attendwise.web.register.models import (
    Contact,
    ImportRun,
    Mark,
    MarkRevision,
    Pupil,
    PupilChange,
    School,
    Source,
)
from attendwise.web.register.sources import spec_of

logger = logging.getLogger(__name__)

#: Rows per bulk statement batch (and per chunk of model objects in memory).
CHUNK = 2000

#: How many pupils the "not in this file" warning names; it holds them all.
NOT_IN_FILE_LISTED = 10

#: The register layouts import_register accepts.
REGISTER_LAYOUTS: Mapping[str, RegisterLayout] = {
    "canonical": canonical.REGISTER,
    "sims": sims.SESSIONS,
}

PUPIL_FIELDS = (
    "upn",
    "legal_surname",
    "legal_forename",
    "gender",
    "date_of_birth",
    "year_group",
    "reg_group",
    "fsm",
    "sen",
    "entry_date",
    "leaving_date",
)

#: The contact fields a contacts file sets; the school's own flags
#: (receives_correspondence, court_order_bar) are never overwritten.
CONTACT_FIELDS = (
    "relationship",
    "parental_responsibility",
    "title",
    "forename",
    "surname",
    "lives_with_pupil",
    "address_line_1",
    "town",
    "postcode",
    "mobile",
    "email",
)

T = TypeVar("T")

#: A value the database driver takes as a query parameter.
SQLValue = None | bool | int | float | str | dt.date | dt.datetime


class SchoolError(ValueError):
    """A school that cannot be created as asked."""


@dataclass(frozen=True)
class ImportResult:
    """What an applied import did.

    `run` is None when the file changed nothing (nothing was written).
    `missing` maps the MIS id of each pupil with school-day sessions on
    roll and no mark (register imports only) to how many.
    """

    kind: str
    report: ImportReport
    run: ImportRun | None
    missing: Mapping[str, int] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return self.report.counts.get("created", 0)

    @property
    def changed(self) -> int:
        return self.report.counts.get("changed", 0)

    @property
    def unchanged(self) -> int:
        return self.report.counts.get("unchanged", 0)


# -- schools -----------------------------------------------------------------


def create_school(
    slug: str, name: str, calendar_text: str, policy_text: str = ""
) -> School:
    """Return a new school, once its calendar has been read successfully.

    Raises CalendarError for a calendar that cannot be used and
    SchoolError when the slug is taken.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,49}", slug):
        raise SchoolError(
            f"{slug[:60]!r} cannot be a school's short name: use up to 50 lower-case "
            "letters, digits and hyphens, such as oakfield"
        )
    load_calendar(calendar_text, f"the calendar of {slug}")
    if School.objects.filter(slug=slug).exists():
        raise SchoolError(f"a school with the slug {slug!r} already exists")
    return School.objects.create(
        slug=slug, name=name, calendar_text=calendar_text, policy_text=policy_text
    )


# -- pupils ------------------------------------------------------------------


def import_pupils(
    school: School,
    data: bytes,
    file_name: str,
    user: User | None = None,
    *,
    on: dt.date,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Return what importing a pupils file (SIMS layout) did.

    `on` is the day of the import (the web application's today, the CLI's
    --on): a date of birth after it is an error. Pupils are matched by MIS
    id (Student ID): new ones are created and changed ones updated. A UPN
    belongs to one pupil of the school: one held by another pupil, in the
    file or stored and not in it, is an error. Pupils already stored but
    not in the file are kept, and summed up in one warning (a leaving
    date, not an absence from the file, takes a pupil off roll). Raises
    ImportRejected, writing nothing, when the file has any error.
    """
    report = ReportBuilder(file_name)
    rows = sims.read_pupils(data, report, progress, on=on)
    # First the file's own errors: a row left out for one would make the
    # UPN check below misread which pupils the file holds.
    report.reject_if_errors()

    with transaction.atomic():
        stored = {pupil.mis_id: pupil for pupil in school.pupils.all()}
        _check_stored_upns(school, rows, stored, report)
        report.reject_if_errors()
        new: list[Pupil] = []
        changed: list[Pupil] = []
        history: list[tuple[Pupil, str, str, str, str, str]] = []
        for row in rows:
            values = {name: getattr(row, name) for name in PUPIL_FIELDS}
            if row.enrolment_status is not None:
                values["enrolment_status"] = row.enrolment_status
            pupil = stored.get(row.mis_id)
            if pupil is None:
                pupil = Pupil(school=school, mis_id=row.mis_id, **values)
                new.append(pupil)
                history += _joined(pupil)
                continue
            differences = _differences(pupil, values)
            if differences:
                history += _pupil_changes(pupil, differences)
                _assign(pupil, values)
                changed.append(pupil)
        in_file = {row.mis_id for row in rows}
        _report_not_in_file(
            school, [stored[m] for m in set(stored) - in_file], on, report
        )
        _count_changes(
            report, len(new), len(changed), len(rows) - len(new) - len(changed)
        )
        run = _record_run(school, "pupils", data, report, user, dry_run=dry_run)
        if run is not None:
            for chunk in _chunks(new, CHUNK):
                Pupil.objects.bulk_create(chunk)
            for chunk in _chunks(changed, CHUNK):
                Pupil.objects.bulk_update(chunk, [*PUPIL_FIELDS, "enrolment_status"])
            _record_history(run, history)

    _done(progress, report)
    return _finish(school, "pupils", report, run)


def _by_mis_id(mis_id: str) -> tuple[int, str]:
    """Order MIS ids as numbers where they are numbers (4002 before 10001)."""
    return (len(mis_id), mis_id)


def _check_stored_upns(
    school: School,
    rows: Sequence[sims.PupilRow],
    stored: Mapping[str, Pupil],
    report: ReportBuilder,
) -> None:
    """Report each row whose UPN a stored pupil not in the file holds.

    A stored pupil in the file takes the file's UPN (read_pupils has
    checked those against each other), so a UPN can move from one pupil
    to another in one file. Other schools' pupils are not looked at: a
    child can be on two schools' rolls (dual registration, a move).
    """
    in_file = {row.mis_id for row in rows}
    holders: dict[str, list[Pupil]] = {}
    for pupil in stored.values():
        if pupil.upn and pupil.mis_id not in in_file:
            holders.setdefault(pupil.upn, []).append(pupil)
    for row in rows:
        if not row.upn or row.upn not in holders:
            continue
        other = min(holders[row.upn], key=lambda pupil: _by_mis_id(pupil.mis_id))
        left = (
            f", who left on {other.leaving_date:%d/%m/%Y}"
            if other.leaving_date is not None
            else ""
        )
        report.error(
            row.line,
            "UPN",
            None,
            f"the UPN is pupil {other.mis_id}'s{left}, stored for {school.name} "
            "and not in this file: a UPN belongs to one child. If this is "
            f"pupil {other.mis_id} back again, the MIS should export them "
            "under that Student ID; otherwise one of the two UPNs is wrong: "
            "correct it in the MIS",
        )


def _pupils(count: int) -> str:
    return counted(count, "pupil")


def _report_not_in_file(
    school: School, absent: Sequence[Pupil], on: dt.date, report: ReportBuilder
) -> None:
    """Sum up, in one warning, the stored pupils a pupils file leaves out.

    They are kept as they were. The warning counts those on the roll on
    `on` (no leaving date, or one not yet past) and those who have left,
    names the first NOT_IN_FILE_LISTED on the roll, and holds every MIS
    id (on the roll first) for the report to list in full.
    """
    if not absent:
        return
    gone = sorted(
        (p.mis_id for p in absent if p.leaving_date and p.leaving_date < on),
        key=_by_mis_id,
    )
    gone_set = set(gone)
    on_roll = sorted(
        (p.mis_id for p in absent if p.mis_id not in gone_set), key=_by_mis_id
    )
    verb = "is" if len(absent) == 1 else "are"
    if on_roll and gone:
        who = f"{_pupils(len(on_roll))} on the roll and {len(gone):,} who left"
    elif on_roll:
        who = f"{_pupils(len(on_roll))} on the roll"
    else:
        who = f"{_pupils(len(gone))} who left"
    reason = (
        f"{who} {verb} not in this file: kept as they were (only a leaving date "
        "takes a pupil off roll)"
    )
    if on_roll:
        named = ", ".join(on_roll[:NOT_IN_FILE_LISTED])
        more = len(on_roll) - NOT_IN_FILE_LISTED
        noun = "Student ID" if len(on_roll) == 1 else "Student IDs"
        if gone:
            noun = f"on the roll: {noun}"
        reason += f"; {noun} {named}" + (f" and {more:,} more" if more > 0 else "")
    report.count("not in file", len(absent))
    report.warn(
        WarningKind.NOT_IN_FILE, None, None, None, reason, items=[*on_roll, *gone]
    )


# -- contacts ----------------------------------------------------------------


def import_contacts(
    school: School,
    data: bytes,
    file_name: str,
    user: User | None = None,
    *,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Return what importing a contacts file (SIMS layout) did.

    The file gives the whole contact list of each pupil it names: contacts
    are matched by person (`_match_contacts`), new ones created, changed
    ones updated, and a listed pupil's stored contacts that the file no longer
    holds are removed (and reported). Every pupil must already be stored
    for the school. Raises ImportRejected, writing nothing, on any error.
    """
    report = ReportBuilder(file_name)
    rows = sims.read_contacts(data, report, progress)
    pupils = dict(school.pupils.values_list("mis_id", "id"))
    _check_on_roll(
        ((row.pupil, row.line) for row in rows), pupils, school, report, "Student ID"
    )
    report.reject_if_errors()

    with transaction.atomic():
        # A contact is the same person when the pupil, name and relationship
        # match, whatever their priority: what staff recorded about that
        # person (no correspondence, a court-order bar) stays with them.
        stored = {
            _person(
                contact.pupil_id,
                contact.forename,
                contact.surname,
                contact.relationship,
            ): contact
            for contact in Contact.objects.filter(pupil__school=school)
        }
        matched = _match_contacts(rows, pupils, stored)
        new: list[Contact] = []
        changed: list[Contact] = []
        history: list[tuple[int, str, str, str, str, str]] = []
        for index, row in enumerate(rows):
            pupil_id = pupils[row.pupil]
            values = {name: getattr(row, name) for name in CONTACT_FIELDS}
            values["priority"] = row.priority
            contact = matched.get(index)
            subject = f"contact {row.priority}"
            if contact is None:
                new.append(Contact(pupil_id=pupil_id, **values))
                history.append(
                    (pupil_id, "contact added", subject, "", "", _describe(values))
                )
                continue
            differences = _differences(contact, values)
            if differences:
                history += [
                    (pupil_id, "contact changed", subject, name, before, after)
                    for name, before, after in differences
                ]
                _assign(contact, values)
                changed.append(contact)
        listed = {pupils[row.pupil] for row in rows}
        kept = {contact.pk for contact in matched.values()}
        removed = [
            contact
            for contact in stored.values()
            if contact.pupil_id in listed and contact.pk not in kept
        ]
        mis_of = {pk: mis_id for mis_id, pk in pupils.items()}
        for contact in removed:
            mis_id = mis_of[contact.pupil_id]
            if contact.court_order_bar:
                report.error(None, "Priority", None, _bar_lost(mis_id, contact))
                continue
            report.warn(
                WarningKind.CONTACT_REMOVED,
                None,
                None,
                mis_id,
                f"pupil {mis_id}'s contact {contact.priority} "
                "is no longer in the file: removed" + _restriction_lost(contact),
            )
        # A court-order bar is never dropped by a file: staff clear it first.
        report.reject_if_errors()
        with_contacts = listed | {key[0] for key in stored}
        on_roll = school.pupils.filter(leaving_date__isnull=True)
        for mis_id, pk in sorted(on_roll.values_list("mis_id", "id")):
            if pk not in with_contacts:
                report.warn(
                    WarningKind.NO_CONTACT,
                    None,
                    None,
                    mis_id,
                    f"pupil {mis_id} has no contact: no letter can be addressed",
                )
        unchanged = len(rows) - len(new) - len(changed)
        _count_changes(report, len(new), len(changed), unchanged, len(removed))
        history += [
            (
                contact.pupil_id,
                "contact removed",
                f"contact {contact.priority}",
                "",
                _describe({name: getattr(contact, name) for name in CONTACT_FIELDS}),
                "",
            )
            for contact in removed
        ]
        run = _record_run(school, "contacts", data, report, user, dry_run=dry_run)
        if run is not None:
            _record_history(run, history)
            Contact.objects.filter(pk__in=[c.pk for c in removed]).delete()
            # Priorities may swap: park the changed ones out of the way of the
            # one-priority-per-pupil rule before writing their new values.
            Contact.objects.filter(pk__in=[c.pk for c in changed]).update(
                priority=-F("id")
            )
            for chunk in _chunks(changed, CHUNK):
                Contact.objects.bulk_update(chunk, [*CONTACT_FIELDS, "priority"])
            for chunk in _chunks(new, CHUNK):
                Contact.objects.bulk_create(chunk)

    _done(progress, report)
    return _finish(school, "contacts", report, run)


class ContactError(ValueError):
    """A change to a contact's settings that cannot be made as asked."""


@dataclass(frozen=True)
class ContactSettings:
    """What the school records about a contact in Attendwise, not the MIS."""

    court_order_bar: bool
    receives_correspondence: bool

    @classmethod
    def of(cls, contact: Contact) -> ContactSettings:
        return cls(contact.court_order_bar, contact.receives_correspondence)

    def describe(self) -> str:
        """Return the settings in words: 'barred by a court order; ...'."""
        return "; ".join(
            (
                "barred by a court order"
                if self.court_order_bar
                else "not barred by a court order",
                "receives correspondence"
                if self.receives_correspondence
                else "receives no correspondence",
            )
        )


def change_contact_settings(
    contact: Contact,
    wanted: ContactSettings,
    *,
    seen: ContactSettings,
    user: User,
    reason: str,
) -> list[PupilChange]:
    """Return the pupil's history rows for setting `contact` to `wanted`.

    Compare-and-set: `seen` is what the person saw before choosing; when
    someone else has changed the contact since, ContactError and nothing
    changes. Empty when `wanted` is what is stored (nothing is recorded).
    Each setting changed is a "contact changed" row with who, when and
    the reason. Letters drafted for the pupil's open items are withdrawn:
    approving a draft does not look at the contacts again, so each is
    drafted anew, on the new settings, when its item is confirmed. Raises
    ContactError without a reason.
    """
    reason = reason.strip()
    if not reason:
        raise ContactError(
            "say why the contact's settings change (such as the court order "
            "seen, or the parent's request)"
        )
    with transaction.atomic():
        current = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if current is None or ContactSettings.of(current) != seen:
            raise ContactError(
                "someone else has changed this contact since you opened it: "
                "nothing was changed; look at its settings again"
            )
        if wanted == seen:
            return []
        Contact.objects.filter(pk=contact.pk).update(
            court_order_bar=wanted.court_order_bar,
            receives_correspondence=wanted.receives_correspondence,
        )
        now = timezone.now()
        changes = PupilChange.objects.bulk_create(
            PupilChange(
                pupil_id=current.pupil_id,
                recorded_at=now,
                kind="contact changed",
                subject=f"contact {current.priority}",
                field=name,
                before=_text(getattr(seen, name)),
                after=_text(getattr(wanted, name)),
                changed_by=user,
                reason=reason,
            )
            for name in ("court_order_bar", "receives_correspondence")
            if getattr(seen, name) != getattr(wanted, name)
        )
        withdrawn = withdraw_drafts(current.pupil_id)
    contact.refresh_from_db()
    logger.info(
        "contact settings changed",
        extra={"contact": contact.pk, "pupil": contact.pupil_id, "drafts": withdrawn},
    )
    return changes


# -- the register -------------------------------------------------------------


@dataclass
class _Plan:
    """What applying a register file would do, worked out before any write."""

    #: (pupil id, statutory code, the file's row)
    new: list[tuple[int, str, MarkRow]] = field(default_factory=list)
    #: (stored mark id, its code, source code and minutes late, the new
    #: statutory code, the file's row)
    changed: list[tuple[int, tuple[str, str, int | None], str, MarkRow]] = field(
        default_factory=list
    )
    unchanged: int = 0


def import_register(
    school: School,
    data: bytes,
    file_name: str,
    layout: str = "canonical",
    user: User | None = None,
    *,
    progress: Progress | None = None,
    source: Source | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Return what importing a register file in `layout` did.

    `layout` is "canonical" or "sims" (docs/import-formats.md); a named
    `source` (the school's mapped export) takes its place. Every pupil
    must already be stored for the school ("not on the roll" otherwise).
    Marks outside a pupil's roll dates or on closed days are stored and
    reported; school-day sessions on roll from the first to the last date
    of the file with no mark (stored or in the file) are reported as
    missing, per pupil. Stored marks of other dates are not read or
    touched, so a daily file costs what its own rows cost. Raises
    ImportRejected, writing nothing, on any error; ValueError for an
    unknown layout; SourceError for a source that cannot be used.
    """
    key_field = "mis_id"
    if source is not None:
        source_spec = spec_of(source)
        spec = source_spec.register_layout()
        key_field = source_spec.pupil_key.value
    else:
        found = REGISTER_LAYOUTS.get(layout)
        if found is None:
            raise ValueError(
                f"unknown register layout {layout!r}; use one of "
                f"{', '.join(REGISTER_LAYOUTS)}"
            )
        spec = found
    report = ReportBuilder(file_name)
    calendar = _calendar(school, report)
    with _no_cycle_collection():
        register = read_register(data, spec, report, progress)
    pupils: dict[str, tuple[int, RollDates]] = {}
    #: How reports name the pupil of each reference: by MIS id, since a
    #: UPN is personal data and is not repeated (docs/import-formats.md).
    named: dict[str, str] = {}
    holders: dict[str, list[str]] = {}
    for reference, mis_id, pk, entry, leaving in school.pupils.values_list(
        key_field, "mis_id", "id", "entry_date", "leaving_date"
    ):
        if reference:
            pupils[reference] = (pk, RollDates(entry, leaving))
            named[reference] = mis_id
            holders.setdefault(reference, []).append(mis_id)
    references = [(row.pupil, row.line) for row in (*register.marks, *register.blanks)]
    by_upn = key_field == "upn"
    _check_on_roll(references, pupils, school, report, spec.pupil, quote=not by_upn)
    _check_one_holder(
        references,
        {ref: ids for ref, ids in holders.items() if len(ids) > 1},
        school,
        report,
        spec.pupil,
    )
    report.reject_if_errors()
    if calendar is None:  # cannot happen: a calendar that failed is an error
        raise ImportRejected(report.build())

    roll = {reference: dates for reference, (_, dates) in pupils.items()}
    check_roll_dates(register.marks, roll, report, named)
    check_calendar(register.marks, calendar, report)
    missing: dict[str, list[tuple[dt.date, str]]] = {}
    with transaction.atomic(), _no_cycle_collection():
        stored = _stored_marks(school, register)
        plan = _plan(register, pupils, stored)
        _report_blanks_over_marks(register, pupils, stored, report, named)
        if register.first_date is not None and register.last_date is not None:
            reference_of = {pk: ref for ref, (pk, _) in pupils.items()}
            marked: set[Session] = {row.key for row in register.marks}
            marked.update((reference_of[pk], day, s) for pk, day, s in stored)
            missing = missing_sessions(
                calendar, roll, register.first_date, register.last_date, marked
            )
        missing = {named[reference]: gaps for reference, gaps in missing.items()}
        report_missing(missing, report)
        _count_changes(report, len(plan.new), len(plan.changed), plan.unchanged)
        run = _record_run(
            school, "register", data, report, user, source, dry_run=dry_run
        )
        if run is not None:
            _apply(plan, run, user, file_name, progress)

    _done(progress, report, len(plan.new) if run is not None else 0)
    return _finish(
        school,
        "register",
        report,
        run,
        {pupil: len(gaps) for pupil, gaps in missing.items()},
    )


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while millions of rows are read.

    The rows hold no reference cycles, yet each collection walks every
    row read so far: on a year of 20,000 pupils that is about a third of
    the reading time. The collector's state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _calendar(school: School, report: ReportBuilder) -> SchoolCalendar | None:
    try:
        return load_calendar(school.calendar_text, f"the calendar of {school.name}")
    except CalendarError as problem:
        report.error(
            None,
            None,
            None,
            f"the school's calendar cannot be used ({problem}); marks cannot be "
            "checked against school days until it is put right",
        )
        return None


def _stored_marks(
    school: School, register: RegisterFile
) -> dict[tuple[int, dt.date, str], tuple[int, str, str, int | None]]:
    """Return the stored marks in the file's span: key -> id and values."""
    if register.first_date is None or register.last_date is None:
        return {}
    rows = (
        Mark.objects.filter(
            pupil__school=school,
            date__gte=register.first_date,
            date__lte=register.last_date,
        )
        .values_list(
            "pupil_id", "date", "session", "id", "code", "source_code", "minutes_late"
        )
        .iterator(chunk_size=CHUNK)
    )
    return {
        (pupil, day, session): (pk, code, source, minutes)
        for pupil, day, session, pk, code, source, minutes in rows
    }


def _plan(
    register: RegisterFile,
    pupils: Mapping[str, tuple[int, RollDates]],
    stored: Mapping[tuple[int, dt.date, str], tuple[int, str, str, int | None]],
) -> _Plan:
    plan = _Plan()
    for row in register.marks:
        if row.code is None:  # RegisterFile.marks holds no blanks
            continue
        pupil_id = pupils[row.pupil][0]
        found = stored.get((pupil_id, row.date, row.session))
        if found is None:
            plan.new.append((pupil_id, row.code, row))
            continue
        pk, code, source, minutes = found
        before = (code, source, minutes)
        if before == (row.code, row.source_code, row.minutes_late):
            plan.unchanged += 1
        else:
            plan.changed.append((pk, before, row.code, row))
    return plan


def _report_blanks_over_marks(
    register: RegisterFile,
    pupils: Mapping[str, tuple[int, RollDates]],
    stored: Mapping[tuple[int, dt.date, str], tuple[int, str, str, int | None]],
    report: ReportBuilder,
    named: Mapping[str, str],
) -> None:
    """Warn where the file is blank but a mark is stored (the mark is kept)."""
    for row in register.blanks:
        found = stored.get((pupils[row.pupil][0], row.date, row.session))
        if found is not None:
            report.warn(
                WarningKind.BLANK_KEPT,
                row.line,
                None,
                row.source_code,
                f"pupil {named[row.pupil]} is blank on {describe_day(row.date)} "
                f"{row.session} but the mark {quoted(found[2])} is stored: it is kept",
            )


def _apply(
    plan: _Plan,
    run: ImportRun,
    user: User | None,
    file_name: str,
    progress: Progress | None,
) -> None:
    """Write the plan's new marks, revisions and changed marks.

    The rows go in as plain values rather than through bulk_create:
    building and compiling a model instance per row cost about 90
    microseconds, most of the Oakfield import's 9 seconds on SQLite.
    """
    ops = connection.ops
    now = ops.adapt_datetimefield_value(run.applied_at)
    user_id = user.pk if user is not None else None
    days: dict[dt.date, SQLValue] = {}

    def day(value: dt.date) -> SQLValue:
        if value not in days:
            days[value] = ops.adapt_datefield_value(value)
        return days[value]

    _insert(
        Mark,
        (
            "pupil",
            "date",
            "session",
            "code",
            "source_code",
            "minutes_late",
            "import_run",
            "changed_by",
            "updated_at",
        ),
        (
            (
                pupil_id,
                day(row.date),
                row.session,
                code,
                row.source_code,
                row.minutes_late,
                run.pk,
                user_id,
                now,
            )
            for pupil_id, code, row in plan.new
        ),
        progress,
    )
    _insert(
        MarkRevision,
        (
            "mark",
            "code",
            "source_code",
            "minutes_late",
            "valid_until",
            "replaced_by_import",
            "replaced_by_user",
            "reason",
        ),
        (
            (
                pk,
                code,
                source,
                minutes,
                now,
                run.pk,
                user_id,
                f"replaced by line {row.line} of {file_name}"[:200],
            )
            for pk, (code, source, minutes), _, row in plan.changed
        ),
    )
    _update(
        Mark,
        (
            "code",
            "source_code",
            "minutes_late",
            "import_run",
            "changed_by",
            "updated_at",
        ),
        (
            ((code, row.source_code, row.minutes_late, run.pk, user_id, now), pk)
            for pk, _, code, row in plan.changed
        ),
    )


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    quote = connection.ops.quote_name
    columns = []
    for name in names:
        found = model._meta.get_field(name)
        if not isinstance(found, Field) or found.column is None:
            raise TypeError(f"{model.__name__}.{name} is not a column")
        columns.append(quote(found.column))
    return columns


def _insert(
    model: type[Model],
    names: Sequence[str],
    rows: Iterable[Sequence[SQLValue]],
    progress: Progress | None = None,
) -> None:
    """Insert `rows` (values already adapted, in the order of `names`).

    `progress`, if given, is told of each chunk of CHUNK rows.

    PostgreSQL takes them with COPY, its bulk path: a statement per row
    costs a round trip, and multi-row INSERTs spend their time quoting
    parameters (Oakfield: 9 s either way, 1 s with COPY). SQLite, in
    process, takes them with executemany.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY {table} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for chunk in _chunks(rows, CHUNK):
                    for row in chunk:
                        copy.write_row(row)
                    if progress is not None:
                        progress(len(chunk))
            return
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from _meta)
        for chunk in _chunks(rows, CHUNK):
            cursor.executemany(sql, chunk)
            if progress is not None:
                progress(len(chunk))


def _update(
    model: type[Model],
    names: Sequence[str],
    changes: Iterable[tuple[Sequence[SQLValue], int]],
) -> None:
    """Set `names` to each change's values on the row with each change's pk.

    Rows taking the same values are updated together (a corrected register
    holds a few distinct new marks, however many rows change).
    """
    by_values: dict[tuple[SQLValue, ...], list[int]] = {}
    for values, pk in changes:
        by_values.setdefault(tuple(values), []).append(pk)
    table = connection.ops.quote_name(model._meta.db_table)
    settings = ", ".join(f"{column} = %s" for column in _columns(model, names))
    key = connection.ops.quote_name(model._meta.pk.column)
    limit = connection.features.max_query_params
    size = min(CHUNK, limit - len(names)) if limit else CHUNK
    with connection.cursor() as cursor:
        for values, pks in by_values.items():
            for chunk in _chunks(pks, size):
                marks = ", ".join(["%s"] * len(chunk))
                sql = f"UPDATE {table} SET {settings} WHERE {key} IN ({marks})"  # noqa: S608 (names from _meta)
                cursor.execute(sql, [*values, *chunk])


# -- shared steps -------------------------------------------------------------


def _check_on_roll(
    references: Iterable[tuple[str, int]],
    pupils: Mapping[str, object],
    school: School,
    report: ReportBuilder,
    field_name: str,
    *,
    quote: bool = True,
) -> None:
    """Report each pupil the file names who is not stored for `school`.

    One error per unknown pupil, at its first line, with how many rows
    name them. Without `quote` (references that are UPNs, personal data)
    the reference is neither repeated nor kept in the report.
    """
    first_line: dict[str, int] = {}
    rows: Counter[str] = Counter()
    for mis_id, line in references:
        if mis_id not in pupils:
            rows[mis_id] += 1
            if mis_id not in first_line or line < first_line[mis_id]:
                first_line[mis_id] = line
    for mis_id, line in sorted(first_line.items(), key=lambda item: item[1]):
        count = rows[mis_id]
        who = f"pupil {mis_id!r}" if quote else "the pupil with this UPN"
        report.error(
            line,
            field_name,
            mis_id if quote else None,
            f"{who} is not on the roll of {school.name} "
            f"({count} row{'s' if count != 1 else ''}); import the pupils file "
            "first",
        )


def _check_one_holder(
    references: Iterable[tuple[str, int]],
    shared: Mapping[str, Sequence[str]],
    school: School,
    report: ReportBuilder,
    field_name: str,
) -> None:
    """Report each UPN the file names that two stored pupils hold.

    Such a row could be either pupil's, and is never guessed. (The pupils
    import refuses a second holder; this guards data stored before it
    did.) One error per UPN, at its first line, with how many rows name it.
    """
    if not shared:
        return
    first_line: dict[str, int] = {}
    rows: Counter[str] = Counter()
    for reference, line in references:
        if reference in shared:
            rows[reference] += 1
            first_line[reference] = min(line, first_line.get(reference, line))
    for reference, line in sorted(first_line.items(), key=lambda item: item[1]):
        ids = ", ".join(sorted(shared[reference], key=_by_mis_id))
        count = rows[reference]
        report.error(
            line,
            field_name,
            None,
            f"the UPN is held by more than one pupil of {school.name} (Student "
            f"IDs {ids}), so its {count} row{'s' if count != 1 else ''} could "
            "be either's: correct the UPNs in the MIS and import the pupils "
            "file first",
        )


def _done(progress: Progress | None, report: ReportBuilder, already: int = 0) -> None:
    """Tell `progress` the rest of the rows are done (see Progress)."""
    if progress is not None:
        progress(max(0, report.counts.get("rows", 0) - already))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _describe(values: Mapping[str, object]) -> str:
    """Return a contact's values as one line of history."""
    return "; ".join(f"{name}: {_text(value)}" for name, value in values.items())


def _differences(
    instance: Pupil | Contact, values: Mapping[str, object]
) -> list[tuple[str, str, str]]:
    """Return (field, before, after) for each of `values` that differs."""
    return [
        (name, _text(getattr(instance, name)), _text(value))
        for name, value in values.items()
        if getattr(instance, name) != value
    ]


def _joined(pupil: Pupil) -> list[tuple[Pupil, str, str, str, str, str]]:
    joined = [(pupil, "joined", "pupil", "entry_date", "", _text(pupil.entry_date))]
    if pupil.leaving_date is not None:
        joined.append(
            (pupil, "left", "pupil", "leaving_date", "", _text(pupil.leaving_date))
        )
    return joined


def _pupil_changes(
    pupil: Pupil, differences: Iterable[tuple[str, str, str]]
) -> list[tuple[Pupil, str, str, str, str, str]]:
    """Return the history rows of a stored pupil's changed fields.

    A leaving date set is "left", one cleared is "returned"; every other
    change (entry date, dual registration, names) is "changed".
    """
    found = []
    for name, before, after in differences:
        kind = "changed"
        if name == "leaving_date":
            kind = "left" if after else "returned"
        found.append((pupil, kind, "pupil", name, before, after))
    return found


def _record_history(
    run: ImportRun,
    rows: Iterable[tuple[Pupil | int, str, str, str, str, str]],
) -> None:
    """Store the history rows of an import (pupils must have been saved)."""
    PupilChange.objects.bulk_create(
        (
            PupilChange(
                pupil_id=who if isinstance(who, int) else who.pk,
                import_run=run,
                recorded_at=run.applied_at,
                kind=kind,
                subject=subject,
                field=name,
                before=before,
                after=after,
            )
            for who, kind, subject, name, before, after in rows
        ),
        batch_size=CHUNK,
    )


def _assign(instance: Pupil | Contact, values: Mapping[str, object]) -> bool:
    """Set `values` on `instance`; return whether any of them differed."""
    differs = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            differs = True
    return differs


def _count_changes(
    report: ReportBuilder, created: int, changed: int, unchanged: int, removed: int = 0
) -> None:
    report.count("created", created)
    report.count("changed", changed)
    report.count("unchanged", unchanged)
    if removed:
        report.count("removed", removed)


def _record_run(
    school: School,
    kind: str,
    data: bytes,
    report: ReportBuilder,
    user: User | None,
    source: Source | None = None,
    *,
    dry_run: bool = False,
) -> ImportRun | None:
    """Return a new ImportRun for a file that changes something, else None.

    A dry run records nothing and returns None, so nothing is written.
    """
    counts = report.counts
    if dry_run or not (counts["created"] or counts["changed"] or counts.get("removed")):
        return None
    return ImportRun.objects.create(
        school=school,
        source=source,
        kind=kind,
        file_name=report.file[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        applied_at=timezone.now(),
        applied_by=user,
        rows=counts.get("rows", 0),
        created=counts["created"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        warnings=[
            {
                "kind": warning.kind.value,
                "line": warning.line,
                "field": warning.field,
                "value": warning.value,
                "reason": warning.reason,
            }
            | ({"items": list(warning.items)} if warning.items else {})
            for warning in report.warnings
        ],
    )


def _finish(
    school: School,
    kind: str,
    report: ReportBuilder,
    run: ImportRun | None,
    missing: Mapping[str, int] | None = None,
) -> ImportResult:
    built = report.build()
    logger.info(
        "%s import of school %s: %s",
        kind,
        school.pk,
        built.counts,
        extra={"school": school.pk, "run": run.pk if run else None},
    )
    return ImportResult(kind, built, run, dict(missing or {}))


def _match_contacts(
    rows: Sequence[sims.ContactRow],
    pupils: dict[str, int],
    stored: dict[tuple[int, str, str, str], Contact],
) -> dict[int, Contact]:
    """Return the stored contact each row of a contacts file is, by row index.

    A row is the stored contact with the same pupil, name and relationship,
    whatever its priority. A row left over is the stored contact left over
    with the same pupil, priority and relationship: a name corrected in the
    MIS is the same person, so what staff recorded about them (no
    correspondence, a court-order bar) stays with them. Other rows are new.
    """
    matched: dict[int, Contact] = {}
    taken: set[int] = set()
    for index, row in enumerate(rows):
        key = _person(pupils[row.pupil], row.forename, row.surname, row.relationship)
        contact = stored.get(key)
        if contact is not None and contact.pk not in taken:
            matched[index] = contact
            taken.add(contact.pk)
    by_place = {
        (c.pupil_id, c.priority, _words(c.relationship)): c
        for c in stored.values()
        if c.pk not in taken
    }
    for index, row in enumerate(rows):
        place = (pupils[row.pupil], row.priority, _words(row.relationship))
        contact = by_place.get(place)
        if index not in matched and contact is not None and contact.pk not in taken:
            matched[index] = contact
            taken.add(contact.pk)
    return matched


def _bar_lost(mis_id: str, contact: Contact) -> str:
    """Return the error for a barred contact that a contacts file would remove.

    It names the pupil's Student ID and the contact's priority, never the
    contact's name (no personal values in import messages).
    """
    return (
        f"pupil {mis_id}'s contact {contact.priority} is recorded in Attendwise "
        "as barred by a court order and is no longer in the file, so importing "
        "it would remove the contact and the bar with it: if this is the same "
        "person under a corrected name or relationship, clear the bar in "
        "Attendwise, import, then set it on the contact again; if they are no "
        "longer a contact, clear the bar first"
    )


def _restriction_lost(contact: Contact) -> str:
    """Return the warning's words for what staff had recorded about `contact`.

    Only "no correspondence" can be lost with a warning: a court-order bar
    rejects the file (`_bar_lost`).
    """
    if contact.receives_correspondence:
        return ""
    return (
        " (it was recorded as not to receive correspondence: check whether that "
        "applies to one of the pupil's contacts in the file)"
    )


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _person(
    pupil_id: int, forename: str, surname: str, relationship: str
) -> tuple[int, str, str, str]:
    """Return what identifies a contact of a pupil across imports."""
    return (
        pupil_id,
        _words(forename),
        _words(surname),
        _words(relationship),
    )


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
