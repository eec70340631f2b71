"""Small factories for tests: real objects with keyword defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

import polars as pl

from attendwise.core.calendar import (
    Closure,
    ClosureKind,
    SchoolCalendar,
    Term,
    load_calendar,
)
from attendwise.core.codes import ALL_CODES
from attendwise.core.measures import MARKS_SCHEMA, PUPILS_SCHEMA, WINDOWS_SCHEMA


@cache
def reference_calendar() -> SchoolCalendar:
    """Return the reference calendar 2025/26 of the handbook."""
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    return load_calendar(text, "reference-2025-26.toml")


# -- registers as Polars frames ------------------------------------------

#: What stands for a blank session (no mark) in compact register text.
BLANK = "-"

DateLike = str | dt.date


def day(value: DateLike) -> dt.date:
    """Return `value` as a date; text is ISO, like "2024-12-02"."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def school_calendar(
    *terms: tuple[DateLike, DateLike],
    closed: Sequence[tuple[DateLike, DateLike]] = (),
    name: str = "test calendar",
) -> SchoolCalendar:
    """Return a calendar of `terms` (first, last), less the `closed` spans."""
    return SchoolCalendar(
        name=name,
        terms=tuple(
            Term(f"term {number}", day(first), day(last))
            for number, (first, last) in enumerate(terms, start=1)
        ),
        closures=tuple(
            Closure(day(first), day(last), ClosureKind.HOLIDAY, "holiday")
            for first, last in closed
        ),
    )


def sessions(text: str) -> tuple[str | None, str | None]:
    """Return the AM and PM codes of compact text, None for a blank.

    "LU" is L then U; codes of two characters need a space: "J1 \\".
    "-" is a blank session: "/-" has no afternoon mark.
    """
    parts = text.split() if any(c.isspace() for c in text) else list(text)
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not two sessions (write 'J1 \\\\' for J1)")
    for part in parts:
        if part != BLANK and part not in ALL_CODES:
            raise ValueError(
                f"{part!r} in {text!r} is not a code; separate two-character "
                "codes with a space"
            )
    am, pm = (None if part == BLANK else part for part in parts)
    return am, pm


def register(
    calendar: SchoolCalendar,
    first: DateLike,
    last: DateLike,
    marks: Mapping[DateLike, str] | None = None,
    *,
    usual: str = "/\\",
) -> dict[DateLike, str]:
    """Return a day-by-day register: `usual` on every school day, then `marks`."""
    days: dict[DateLike, str] = {
        school_day: usual
        for school_day in calendar.school_days_between(day(first), day(last))
    }
    for when, text in (marks or {}).items():
        days[day(when)] = text
    return days


def marks_frame(registers: Mapping[int, Mapping[DateLike, str]]) -> pl.DataFrame:
    """Return the marks of `registers`: {pupil_id: {date: "AM PM text"}}.

    For example marks_frame({1: {"2024-12-02": "LU", "2024-12-03": "J1 \\\\"}}).
    """
    rows = []
    for pupil_id, days in registers.items():
        if len({day(when) for when in days}) < len(days):
            raise ValueError(f"pupil {pupil_id}'s register names a date twice")
        for when, text in days.items():
            for session, code in zip(("AM", "PM"), sessions(text), strict=True):
                if code is not None:
                    rows.append((pupil_id, day(when), session, code))
    return pl.DataFrame(rows, schema=MARKS_SCHEMA, orient="row")


def pupil(
    pupil_id: int = 1,
    *,
    entry: DateLike = "2022-09-01",
    leaving: DateLike | None = None,
) -> dict[str, object]:
    """Return one pupil row: on roll from `entry`, to `leaving` if given."""
    return {
        "pupil_id": pupil_id,
        "entry_date": day(entry),
        "leaving_date": None if leaving is None else day(leaving),
    }


def pupils_frame(*pupils: int | Mapping[str, object]) -> pl.DataFrame:
    """Return a pupils frame; a bare id is a pupil on roll throughout."""
    rows = [pupil(p) if isinstance(p, int) else dict(p) for p in pupils]
    return pl.DataFrame(rows, schema=PUPILS_SCHEMA)


def windows_frame(
    *windows: tuple[int, str, DateLike, DateLike],
) -> pl.DataFrame:
    """Return a windows frame from (pupil_id, window, first, last) tuples."""
    rows = [(p, name, day(first), day(last)) for p, name, first, last in windows]
    return pl.DataFrame(rows, schema=WINDOWS_SCHEMA, orient="row")


# -- registers -------------------------------------------------------------

import datetime as dt  # noqa: E402

from attendwise.core.ledger import (  # noqa: E402
    PupilLedger,
    build_ledger,
    pupil_ledgers,
)
from attendwise.core.policy import Policy, shipped_policy  # noqa: E402
from attendwise.core.pupilday import MarkOnDay, PupilDay  # noqa: E402

Absences = Mapping[tuple[dt.date, str], str]


def full_register(
    calendar: SchoolCalendar,
    *,
    first: dt.date,
    last: dt.date,
    absences: Absences = {},  # noqa: B006 - read only
) -> list[MarkOnDay]:
    """Return a pupil's marks: present every session except `absences`.

    `absences` maps (date, "AM"/"PM") to a code.
    """
    marks = []
    for day in calendar.school_days_between(first, last):
        for session, present in (("AM", "/"), ("PM", "\\")):
            code = absences.get((day, session), present)
            marks.append(MarkOnDay(day, session, code))
    return marks


def both(day: dt.date, code: str) -> dict[tuple[dt.date, str], str]:
    """Return AM and PM absences with `code` on `day`."""
    return {(day, "AM"): code, (day, "PM"): code}


def frame_of_marks(marks_by_pupil: Mapping[int, list[MarkOnDay]]) -> pl.DataFrame:
    rows = [
        (pupil_id, mark.date, mark.session, mark.code)
        for pupil_id, marks in marks_by_pupil.items()
        for mark in marks
    ]
    return pl.DataFrame(rows, schema=MARKS_SCHEMA, orient="row")


def roll_frame(
    entries: Mapping[int, tuple[dt.date, dt.date | None]],
) -> pl.DataFrame:
    rows = [(pid, entry, leaving) for pid, (entry, leaving) in entries.items()]
    return pl.DataFrame(rows, schema=PUPILS_SCHEMA, orient="row")


def ledger_for(
    marks: list[MarkOnDay],
    *,
    as_of: dt.date,
    calendar: SchoolCalendar | None = None,
    policy: Policy | None = None,
    entry: dt.date = dt.date(2025, 9, 1),
    leaving: dt.date | None = None,
    first: dt.date | None = None,
) -> PupilLedger:
    """Return the PupilLedger of one pupil (id 1) as of `as_of`."""
    calendar = calendar or reference_calendar()
    policy = policy or shipped_policy()
    ledger = build_ledger(
        frame_of_marks({1: marks}),
        roll_frame({1: (entry, leaving)}),
        calendar,
        first=first or calendar.first_day,
        as_of=as_of,
        not_possible=policy.not_possible,
        n_grace_days=policy.setting("n_grace_days"),
    )
    found = pupil_ledgers(ledger)
    return found.get(1, PupilLedger())


def pupil_day(
    marks: list[MarkOnDay],
    *,
    as_of: dt.date,
    entry: dt.date = dt.date(2025, 9, 1),
    leaving: dt.date | None = None,
    calendar: SchoolCalendar | None = None,
    policy: Policy | None = None,
    **facts: object,
) -> PupilDay:
    """Return the PupilDay of one pupil with `marks`, as of `as_of`."""
    ledger = ledger_for(
        marks,
        as_of=as_of,
        calendar=calendar,
        policy=policy,
        entry=entry,
        leaving=leaving,
    )
    current = tuple(m for m in marks if m.date <= as_of)
    return PupilDay(
        pupil_id=1,
        as_of=as_of,
        entry_date=entry,
        leaving_date=leaving,
        figures=ledger,
        marks=current,
        **facts,  # type: ignore[arg-type]
    )


# -- walking a case through school days --------------------------------------

from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from attendwise.core.pathway import (  # noqa: E402
    Action,
    CaseEvent,
    CaseState,
    Decision,
    Pathway,
    Proposal,
)

#: A scripted member of staff: given a proposal, return the decision (or None
#: to leave it on the worklist).
Staff = Callable[[Proposal, dt.date], Decision | None]


def confirm_everything(proposal: Proposal, day: dt.date) -> Decision | None:
    """Confirm steps and escalations; leave decisions and meetings alone."""
    if proposal.kind in ("step", "escalation", "re-entry", "carry over"):
        return Decision(Action.CONFIRM, day, key=proposal.key)
    return None


@dataclass
class Walk:
    """What happened to one pupil's case, day by day."""

    state: CaseState | None = None
    proposed: dict[dt.date, list[Proposal]] = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)

    def first_day_proposing(self, title: str) -> dt.date | None:
        for day, proposals in sorted(self.proposed.items()):
            if any(p.title == title for p in proposals):
                return day
        return None

    def titles_on(self, day: dt.date) -> list[str]:
        return [p.title for p in self.proposed.get(day, [])]

    def events_of(self, kind: str) -> list[CaseEvent]:
        return [e for e in self.events if e.kind == kind]


def walk(
    marks: list[MarkOnDay],
    *,
    first: dt.date,
    last: dt.date,
    staff: Staff = confirm_everything,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    calls: Mapping[dt.date, object] | None = None,
    state: CaseState | None = None,
    **facts: object,
) -> Walk:
    """Run the daily evaluation for each school day, with `staff` deciding.

    Records the proposals standing at the end of each day (after staff have
    acted) in `proposed` (the proposals made that day, before decisions).
    """
    calendar = calendar or reference_calendar()
    policy = policy or shipped_policy()
    pathway = Pathway(policy, calendar)
    result = Walk(state=state)
    for day in calendar.school_days_between(first, last):
        todays_calls = {d: c for d, c in (calls or {}).items() if d <= day}
        pupil = pupil_day(
            marks,
            as_of=day,
            calendar=calendar,
            policy=policy,
            calls=todays_calls,
            **facts,
        )
        evaluation = pathway.evaluate(result.state, pupil)
        result.state = evaluation.state
        result.events += evaluation.events
        seen: list[Proposal] = []
        for _ in range(20):
            new = [
                p for p in evaluation.proposals if p.key not in {s.key for s in seen}
            ]
            seen += new
            decided = False
            for proposal in new:
                decision = staff(proposal, day)
                if decision is None or result.state is None:
                    continue
                outcome = pathway.decide(result.state, decision, pupil)
                result.state = outcome.state
                result.events += outcome.events
                decided = True
            if not decided:
                break
            evaluation = pathway.evaluate(result.state, pupil)
            result.state = evaluation.state
            result.events += evaluation.events
        if seen:
            result.proposed[day] = seen
    return result


# -- database factories --------------------------------------------------------


def reference_calendar_text() -> str:
    return (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )


def make_school(slug: str = "forest-view", **fields: object):  # type: ignore[no-untyped-def]
    from attendwise.core.policy import shipped_policy_text
    from attendwise.web.register.models import School

    values: dict[str, object] = {
        "name": "The Forest View Academy",
        "calendar_text": reference_calendar_text(),
        "policy_text": shipped_policy_text(),
    } | fields
    return School.objects.create(slug=slug, **values)


def make_pupil(school, mis_id: str = "1001", **fields: object):  # type: ignore[no-untyped-def]
    from attendwise.web.register.models import Pupil

    values: dict[str, object] = {
        "legal_surname": "Example",
        "legal_forename": "Sam",
        "year_group": 8,
        "reg_group": "8A",
        "entry_date": dt.date(2025, 9, 1),
    } | fields
    return Pupil.objects.create(school=school, mis_id=mis_id, **values)


def make_contact(pupil, priority: int = 1, **fields: object):  # type: ignore[no-untyped-def]
    from attendwise.web.register.models import Contact

    values: dict[str, object] = {
        "relationship": "Mother",
        "parental_responsibility": True,
        "title": "Ms",
        "forename": "Alex",
        "surname": "Example",
        "lives_with_pupil": True,
        "address_line_1": "1 Example Street",
        "town": "Exampleton",
        "postcode": "EX1 1AA",
    } | fields
    return Contact.objects.create(pupil=pupil, priority=priority, **values)


def store_marks(pupil, marks: list[MarkOnDay]) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from attendwise.web.register.models import Mark

    now = timezone.now()
    Mark.objects.bulk_create(
        Mark(
            pupil=pupil,
            date=m.date,
            session=m.session,
            code=m.code,
            source_code=m.code,
            updated_at=now,
        )
        for m in marks
    )
