"""Small factories for tests: real objects with keyword defaults."""

from __future__ import annotations

from functools import cache
from importlib import resources

from attendwise.core.calendar import SchoolCalendar, load_calendar


@cache
def reference_calendar() -> SchoolCalendar:
    """Return the reference calendar 2025/26 of the handbook."""
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    return load_calendar(text, "reference-2025-26.toml")


# -- registers -------------------------------------------------------------

import datetime as dt  # noqa: E402
from collections.abc import Mapping  # noqa: E402

import polars as pl  # noqa: E402

from attendwise.core.ledger import (  # noqa: E402
    MARKS_SCHEMA,
    PUPILS_SCHEMA,
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


def marks_frame(marks_by_pupil: Mapping[int, list[MarkOnDay]]) -> pl.DataFrame:
    rows = [
        (pupil_id, mark.date, mark.session, mark.code)
        for pupil_id, marks in marks_by_pupil.items()
        for mark in marks
    ]
    return pl.DataFrame(rows, schema=MARKS_SCHEMA, orient="row")


def pupils_frame(
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
    grace = calendar.last_school_days(as_of, policy.setting("n_grace_days"))
    ledger = build_ledger(
        marks_frame({1: marks}),
        pupils_frame({1: (entry, leaving)}),
        calendar,
        first=first or calendar.first_day,
        as_of=as_of,
        not_possible=policy.not_possible,
    )
    found = pupil_ledgers(ledger, grace_start=grace[0] if grace else None)
    return found.get(1, PupilLedger((), (), (), None))


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
