"""Checks of register marks against roll dates and the school calendar.

None of these stops an import: a mark outside a pupil's roll dates or on
a closed day is stored and reported (the measures engine ignores it), and
a session with no mark is reported as missing, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from attendwise.core.calendar import SchoolCalendar
from attendwise.sources.base import ReportBuilder, WarningKind, describe_day
from attendwise.sources.register import SESSIONS, MarkRow

#: How many sessions a missing-marks warning names before "and N more".
MISSING_LISTED = 3

CLOSURE = "#"

Session = tuple[str, dt.date, str]


@dataclass(frozen=True, slots=True)
class RollDates:
    """The days a pupil is on roll: entry to leaving date, both inclusive."""

    entry: dt.date
    leaving: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.entry <= day and (self.leaving is None or day <= self.leaving)

    def describe(self) -> str:
        if self.leaving is None:
            return f"on roll from {self.entry:%d/%m/%Y}"
        return f"on roll {self.entry:%d/%m/%Y} to {self.leaving:%d/%m/%Y}"


def check_roll_dates(
    marks: Iterable[MarkRow],
    roll: Mapping[str, RollDates],
    report: ReportBuilder,
    named: Mapping[str, str] | None = None,
) -> int:
    """Return how many marks fall outside their pupil's roll dates.

    Each such pupil gets one warning with the count and the first and
    last dates. Pupils missing from `roll` are not this check's business.
    `named` maps a pupil reference to how the warning names the pupil
    (their MIS id, where the file names pupils by UPN); by default the
    reference itself.
    """
    outside: dict[str, list[MarkRow]] = defaultdict(list)
    for row in marks:
        dates = roll.get(row.pupil)
        if dates is not None and not dates.covers(row.date):
            outside[row.pupil].append(row)

    for pupil, rows in outside.items():
        first = min(rows, key=lambda row: (row.date, row.line))
        last = max(row.date for row in rows)
        span = f"{first.date:%d/%m/%Y}" + (
            f" to {last:%d/%m/%Y}" if last != first.date else ""
        )
        noun = "mark" if len(rows) == 1 else "marks"
        report.warn(
            WarningKind.OUTSIDE_ROLL,
            first.line,
            None,
            None,
            f"pupil {named.get(pupil, pupil) if named else pupil} "
            f"({roll[pupil].describe()}) has {len(rows)} {noun} "
            f"outside their roll dates ({span}): stored, but left out of "
            "every figure",
        )
    total = sum(len(rows) for rows in outside.values())
    report.count("outside roll", total)
    return total


def check_calendar(
    marks: Iterable[MarkRow], calendar: SchoolCalendar, report: ReportBuilder
) -> None:
    """Report marks on days the calendar says are closed, or does not cover.

    One warning per closed date, and one for all the dates beyond the
    calendar. A `#` (planned closure) belongs on a closed day, so it is
    reported only on a day the calendar says is open.
    """
    lines: dict[dt.date, int] = {}
    counts: dict[dt.date, int] = defaultdict(int)
    closures: dict[dt.date, int] = defaultdict(int)
    for row in marks:
        if row.date not in lines or row.line < lines[row.date]:
            lines[row.date] = row.line
        counts[row.date] += 1
        if row.code == CLOSURE:
            closures[row.date] += 1

    closed = 0
    beyond = [day for day in sorted(lines) if not calendar.covers(day)]
    for day in sorted(lines):
        others = counts[day] - closures[day]
        if not calendar.covers(day):
            continue
        if not calendar.is_school_day(day):
            if others:
                closed += others
                report.warn(
                    WarningKind.CLOSED_DAY,
                    lines[day],
                    None,
                    None,
                    f"{others} mark(s) on {describe_day(day)}, which the "
                    f"calendar says is closed ({_why_closed(calendar, day)}): "
                    "stored, but left out of every figure",
                )
        elif closures[day]:
            report.warn(
                WarningKind.CLOSURE_ON_OPEN_DAY,
                lines[day],
                None,
                CLOSURE,
                f"{closures[day]} '#' (planned closure) mark(s) on "
                f"{describe_day(day)}, a day the calendar says is open: "
                "stored, not counted; check the calendar or the register",
            )
    not_covered = sum(counts[day] for day in beyond)
    if beyond:
        report.warn(
            WarningKind.NOT_COVERED,
            min(lines[day] for day in beyond),
            None,
            None,
            f"{not_covered} mark(s) on {len(beyond)} day(s) from "
            f"{beyond[0]:%d/%m/%Y} to {beyond[-1]:%d/%m/%Y} lie outside the "
            f"school's calendar ({calendar.first_day:%d/%m/%Y} to "
            f"{calendar.last_day:%d/%m/%Y}): stored, but not checked against "
            "school days; add that year's calendar",
        )
    report.count("closed day", closed)
    report.count("outside calendar", not_covered)


def _why_closed(calendar: SchoolCalendar, day: dt.date) -> str:
    if day.weekday() >= 5:
        return f"a {day:%A}"
    if calendar.term_of(day) is None:
        return "between terms"
    closure = calendar.closure_on(day)
    return closure.reason if closure is not None else "closed"


def missing_sessions(
    calendar: SchoolCalendar,
    roll: Mapping[str, RollDates],
    first: dt.date,
    last: dt.date,
    marked: Collection[Session],
) -> dict[str, list[tuple[dt.date, str]]]:
    """Return, per pupil, the school-day sessions on roll with no mark.

    Sessions from `first` to `last` (inclusive) are checked; `marked`
    holds the (pupil, date, session) keys that have a mark. Pupils with
    nothing missing are left out.
    """
    days = calendar.school_days_between(first, last)
    missing: dict[str, list[tuple[dt.date, str]]] = {}
    for pupil, dates in roll.items():
        gaps = [
            (day, session)
            for day in days
            if dates.covers(day)
            for session in SESSIONS
            if (pupil, day, session) not in marked
        ]
        if gaps:
            missing[pupil] = gaps
    return missing


def report_missing(
    missing: Mapping[str, list[tuple[dt.date, str]]], report: ReportBuilder
) -> None:
    """Report one warning per pupil with missing marks, naming the first few."""
    for pupil in sorted(missing):
        gaps = missing[pupil]
        named = ", ".join(
            f"{describe_day(day)} {session}" for day, session in gaps[:MISSING_LISTED]
        )
        more = len(gaps) - MISSING_LISTED
        if more > 0:
            named += f" and {more} more"
        noun = "session" if len(gaps) == 1 else "sessions"
        report.warn(
            WarningKind.MISSING,
            None,
            None,
            pupil,
            f"pupil {pupil} has no mark for {len(gaps)} {noun} on roll: {named}",
        )
    report.count("missing", sum(len(gaps) for gaps in missing.values()))
