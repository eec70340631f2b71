"""The data quality report: what in the stored register needs a person.

quality_report() returns the report as data (the command prints it; a web
page can render the same). It covers the academic year of `as_of`, up to
and including `as_of`:

- missing registers: a school-day session with no mark for any pupil on
  roll ("register not taken"), and per pupil the sessions on roll with
  no mark (leaving out sessions no register was taken for);
- N marks older than the N_DEADLINE most recent school days (the reason
  must be recorded within 5 school days);
- marks on days the calendar says are closed (a `#` there is right);
- marks outside the pupil's roll dates;
- pupils on roll with no contact holding parental responsibility;
- UPNs that are missing, fail their check (core.upn), or that another
  pupil of the school holds too (stored before the pupils import refused
  a second holder).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from attendwise.core.calendar import academic_year_of, load_calendar
from attendwise.sources.base import describe_day
from attendwise.sources.checks import CLOSURE
from attendwise.sources.register import SESSIONS
from attendwise.sources.upns import upn_problem
from attendwise.web.register.models import Contact, Mark, Pupil, School

#: School days within which an N must be replaced by the right code.
N_DEADLINE = 5

#: How many dates an issue names before "and N more".
LISTED = 3

KINDS = (
    "register not taken",
    "missing marks",
    "unresolved N",
    "mark on a closed day",
    "mark outside roll dates",
    "no contact with parental responsibility",
    "invalid UPN",
)


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One thing to put right: its kind, who (MIS id, "" for the school), what.

    `first` is the earliest date concerned (None when no date is), and
    `count` how many sessions or marks the issue covers.
    """

    kind: str
    pupil: str
    name: str
    detail: str
    first: dt.date | None = None
    count: int = 1


@dataclass(frozen=True)
class QualityReport:
    """Every issue found in one school's register as of one day."""

    school: str
    as_of: dt.date
    period_first: dt.date
    issues: tuple[QualityIssue, ...] = field(default=())

    @property
    def counts(self) -> Mapping[str, int]:
        """Return how many issues of each kind (every kind, zeros included)."""
        found = Counter(issue.kind for issue in self.issues)
        return {kind: found[kind] for kind in KINDS}

    def of_kind(self, kind: str) -> list[QualityIssue]:
        return [issue for issue in self.issues if issue.kind == kind]


def _dates(days: list[dt.date]) -> str:
    named = ", ".join(f"{day:%d/%m/%Y}" for day in days[:LISTED])
    more = len(days) - LISTED
    return named + (f" and {more} more" if more > 0 else "")


def quality_report(school: School, as_of: dt.date) -> QualityReport:
    """Return the data quality report of `school` for its year up to `as_of`.

    A school whose calendar does not cover `as_of` gets the checks that
    need no calendar (contacts, UPNs) and the rest from the calendar's
    days it covers.
    """
    calendar = load_calendar(school.calendar_text, f"the calendar of {school.slug}")
    year = academic_year_of(as_of)
    try:
        first = calendar.first_school_day(year)
    except (ValueError, IndexError):
        first = dt.date(year, 9, 1)
    days = calendar.school_days_between(first, as_of) if first <= as_of else ()
    pupils = {
        pupil.pk: pupil
        for pupil in Pupil.objects.filter(school=school, entry_date__lte=as_of)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=first))
        .order_by("mis_id")
    }

    def name(pupil: Pupil) -> str:
        return f"{pupil.legal_forename} {pupil.legal_surname}"

    def on_roll(pupil: Pupil, day: dt.date) -> bool:
        return pupil.entry_date <= day and (
            pupil.leaving_date is None or day <= pupil.leaving_date
        )

    marks = Mark.objects.filter(
        pupil__school=school, date__gte=first, date__lte=as_of
    ).values_list("pupil_id", "date", "session", "code")
    marked: set[tuple[int, dt.date, str]] = set()
    taken: set[tuple[dt.date, str]] = set()
    closed: dict[int, list[dt.date]] = defaultdict(list)
    outside: dict[int, list[dt.date]] = defaultdict(list)
    unresolved: dict[int, list[dt.date]] = defaultdict(list)
    recent = set(calendar.last_school_days(as_of, N_DEADLINE)) if days else set()
    all_pupils = pupils | {
        p.pk: p for p in Pupil.objects.filter(school=school).exclude(pk__in=pupils)
    }
    for pupil_id, day, session, code in marks.iterator(chunk_size=5000):
        marked.add((pupil_id, day, session))
        taken.add((day, session))
        pupil = all_pupils[pupil_id]
        if calendar.covers(day) and not calendar.is_school_day(day):
            if code != CLOSURE:
                closed[pupil_id].append(day)
            continue
        if not on_roll(pupil, day):
            outside[pupil_id].append(day)
        elif code == "N" and day not in recent and calendar.is_school_day(day):
            unresolved[pupil_id].append(day)

    issues: list[QualityIssue] = []
    not_taken = [
        (day, session)
        for day in days
        for session in SESSIONS
        if (day, session) not in taken
        and any(on_roll(pupil, day) for pupil in pupils.values())
    ]
    issues += [
        QualityIssue(
            "register not taken",
            "",
            "",
            f"no mark for any pupil on {describe_day(day)} {session}",
            day,
        )
        for day, session in not_taken
    ]
    skipped = set(not_taken)
    for pk, pupil in pupils.items():
        gaps = [
            day
            for day in days
            if on_roll(pupil, day)
            for session in SESSIONS
            if (pk, day, session) not in marked and (day, session) not in skipped
        ]
        if gaps:
            issues.append(
                QualityIssue(
                    "missing marks",
                    pupil.mis_id,
                    name(pupil),
                    f"{len(gaps)} session(s) on roll with no mark: {_dates(gaps)}",
                    gaps[0],
                    len(gaps),
                )
            )
    for kind, found, what in (
        (
            "unresolved N",
            unresolved,
            f"N not replaced within {N_DEADLINE} school days",
        ),
        (
            "mark on a closed day",
            closed,
            "mark(s) on days the calendar says are closed",
        ),
        ("mark outside roll dates", outside, "mark(s) outside the roll dates"),
    ):
        for pk in sorted(found, key=lambda pk: all_pupils[pk].mis_id):
            dates = sorted(found[pk])
            pupil = all_pupils[pk]
            issues.append(
                QualityIssue(
                    kind,
                    pupil.mis_id,
                    name(pupil),
                    f"{len(dates)} {what}: {_dates(dates)}",
                    dates[0],
                    len(dates),
                )
            )

    responsible = set(
        Contact.objects.filter(
            pupil__in=list(pupils), parental_responsibility=True
        ).values_list("pupil_id", flat=True)
    )
    current = [p for p in pupils.values() if on_roll(p, as_of)]
    issues += [
        QualityIssue(
            "no contact with parental responsibility",
            pupil.mis_id,
            name(pupil),
            "no contact with parental responsibility: letters cannot be sent",
        )
        for pupil in current
        if pupil.pk not in responsible
    ]
    holders: dict[str, list[str]] = defaultdict(list)
    for pupil in all_pupils.values():
        if pupil.upn:
            holders[pupil.upn].append(pupil.mis_id)
    for pupil in current:
        problem = upn_problem(pupil.upn) if pupil.upn else "no UPN is recorded"
        others = [m for m in holders.get(pupil.upn, []) if m != pupil.mis_id]
        if problem is None and others:
            problem = (
                f"the UPN is also held by {', '.join(sorted(others))}: a UPN "
                "belongs to one child; put it right in the MIS and import the "
                "pupils file"
            )
        if problem is not None:
            issues.append(
                QualityIssue("invalid UPN", pupil.mis_id, name(pupil), problem)
            )
    return QualityReport(school.slug, as_of, first, tuple(issues))
