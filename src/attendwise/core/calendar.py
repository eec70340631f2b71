"""The school calendar: which days are school days, and counting in them.

A school day is a weekday inside a term that is not an INSET day, a
holiday, a closure or an English bank holiday. Every "N days" and
"N weeks" of a policy counts school days (see docs/calendar.md for the
file format).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import holidays


class CalendarError(ValueError):
    """A calendar file that cannot be used, or a question it cannot answer."""


class ClosureKind(StrEnum):
    INSET = "inset"
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    BANK_HOLIDAY = "bank holiday"


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    first_day: dt.date
    last_day: dt.date


@dataclass(frozen=True, slots=True)
class Closure:
    first_day: dt.date
    last_day: dt.date
    kind: ClosureKind
    reason: str

    def covers(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


def academic_year_of(day: dt.date) -> int:
    """Return the calendar year in which `day`'s academic year begins.

    Academic years run from 1 September to 31 August: 2025 is 2025/26.
    """
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of `day`'s week (weeks run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def english_bank_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    """Return the bank holidays of England for `years`, with their names."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {day: str(name) for day, name in found.items()}


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's terms and closures, and school-day arithmetic over them."""

    name: str
    terms: tuple[Term, ...]
    closures: tuple[Closure, ...] = ()
    bank_holidays: bool = True

    def __post_init__(self) -> None:
        if not self.terms:
            raise CalendarError("a calendar needs at least one term")
        ordered = sorted(self.terms, key=lambda term: term.first_day)
        for term in ordered:
            if term.last_day < term.first_day:
                raise CalendarError(
                    f"term {term.name!r} ends ({term.last_day}) before it "
                    f"starts ({term.first_day})"
                )
        for earlier, later in itertools.pairwise(ordered):
            if later.first_day <= earlier.last_day:
                raise CalendarError(
                    f"terms {earlier.name!r} and {later.name!r} overlap"
                )
        for closure in self.closures:
            if closure.last_day < closure.first_day:
                raise CalendarError(f"closure {closure.reason!r} ends before it starts")
            if not any(
                t.first_day <= closure.first_day and closure.last_day <= t.last_day
                for t in ordered
            ):
                raise CalendarError(
                    f"closure {closure.reason!r} ({closure.first_day} to "
                    f"{closure.last_day}) does not lie within a term"
                )
        object.__setattr__(self, "terms", tuple(ordered))

    # -- which days are school days -------------------------------------

    @property
    def first_day(self) -> dt.date:
        return self.terms[0].first_day

    @property
    def last_day(self) -> dt.date:
        return self.terms[-1].last_day

    @cached_property
    def bank_holiday_names(self) -> dict[dt.date, str]:
        if not self.bank_holidays:
            return {}
        years = range(self.first_day.year, self.last_day.year + 1)
        return english_bank_holidays(years)

    def closure_on(self, day: dt.date) -> Closure | None:
        """Return why a weekday inside a term is closed, or None if open."""
        for closure in self.closures:
            if closure.covers(day):
                return closure
        name = self.bank_holiday_names.get(day)
        if name is not None:
            return Closure(day, day, ClosureKind.BANK_HOLIDAY, name)
        return None

    def term_of(self, day: dt.date) -> Term | None:
        for term in self.terms:
            if term.first_day <= day <= term.last_day:
                return term
        return None

    @cached_property
    def school_days(self) -> tuple[dt.date, ...]:
        """Return every school day of the calendar, in order."""
        days: list[dt.date] = []
        for term in self.terms:
            day = term.first_day
            while day <= term.last_day:
                if day.weekday() < 5 and self.closure_on(day) is None:
                    days.append(day)
                day += dt.timedelta(days=1)
        return tuple(days)

    @cached_property
    def _index(self) -> dict[dt.date, int]:
        return {day: i for i, day in enumerate(self.school_days)}

    def is_school_day(self, day: dt.date) -> bool:
        return day in self._index

    def covers(self, day: dt.date) -> bool:
        """Return whether `day` lies within the span the calendar describes."""
        return self.first_day <= day <= self.last_day

    # -- counting in school days ----------------------------------------

    def _position_after(self, day: dt.date) -> int:
        """Return the index of the first school day strictly after `day`."""
        return bisect.bisect_right(self.school_days, day)

    def school_days_between(self, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
        """Return the school days from `first` to `last`, both inclusive."""
        start = bisect.bisect_left(self.school_days, first)
        stop = bisect.bisect_right(self.school_days, last)
        return self.school_days[start:stop]

    def add_school_days(self, day: dt.date, count: int) -> dt.date:
        """Return the `count`th school day after `day` (`day` itself excluded).

        `day` need not be a school day. Raises CalendarError when the answer
        lies beyond the calendar.
        """
        if count < 1:
            raise CalendarError(f"count must be at least 1, not {count}")
        position = self._position_after(day) + count - 1
        if position >= len(self.school_days):
            raise CalendarError(
                f"{count} school days after {day:%d/%m/%Y} lies beyond the "
                f"calendar (last school day {self.school_days[-1]:%d/%m/%Y}); "
                "load the next year's calendar"
            )
        return self.school_days[position]

    def nth_after(self, day: dt.date, count: int) -> dt.date | None:
        """Return the `count`th school day after `day`, or None beyond the calendar."""
        position = self._position_after(day) + count - 1
        if count < 1 or position >= len(self.school_days):
            return None
        return self.school_days[position]

    def school_days_after(self, anchor: dt.date, day: dt.date) -> int:
        """Return how many school days lie after `anchor`, up to `day`."""
        return max(0, self._position_after(day) - self._position_after(anchor))

    def on_or_after(self, day: dt.date) -> dt.date | None:
        """Return the first school day on or after `day`, if the calendar has one."""
        position = bisect.bisect_left(self.school_days, day)
        if position >= len(self.school_days):
            return None
        return self.school_days[position]

    def on_or_before(self, day: dt.date) -> dt.date | None:
        """Return the last school day on or before `day`, if there is one."""
        position = self._position_after(day)
        return self.school_days[position - 1] if position else None

    def last_school_days(self, day: dt.date, count: int) -> tuple[dt.date, ...]:
        """Return the `count` most recent school days up to and including `day`.

        Fewer are returned when the calendar starts later.
        """
        stop = self._position_after(day)
        return self.school_days[max(0, stop - count) : stop]

    def school_day_number(self, day: dt.date) -> int:
        """Return the 1-based number of school day `day` in its academic year."""
        year_days = self.academic_year_days(academic_year_of(day))
        position = bisect.bisect_right(year_days, day)
        if not position or year_days[position - 1] != day:
            raise CalendarError(f"{day:%d/%m/%Y} is not a school day")
        return position

    # -- academic years -------------------------------------------------

    def academic_year_days(self, start_year: int) -> tuple[dt.date, ...]:
        return self.school_days_between(
            dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)
        )

    def first_school_day(self, start_year: int) -> dt.date:
        days = self.academic_year_days(start_year)
        if not days:
            raise CalendarError(
                f"the calendar has no school days in {academic_year_label(start_year)}"
            )
        return days[0]

    def last_school_day(self, start_year: int) -> dt.date:
        days = self.academic_year_days(start_year)
        if not days:
            raise CalendarError(
                f"the calendar has no school days in {academic_year_label(start_year)}"
            )
        return days[-1]

    # -- school weeks (national penalty-notice framework) ----------------

    @cached_property
    def school_weeks(self) -> tuple[dt.date, ...]:
        """Return the Monday of every week holding at least one school day."""
        return tuple(sorted({week_start(day) for day in self.school_days}))

    def last_school_weeks(
        self, day: dt.date, count: int
    ) -> tuple[tuple[dt.date, ...], bool]:
        """Return the Mondays of the `count` school weeks ending with `day`'s week.

        The second value is True when the calendar holds fewer than `count`
        such weeks (the window is incomplete).
        """
        stop = bisect.bisect_right(self.school_weeks, week_start(day))
        weeks = self.school_weeks[max(0, stop - count) : stop]
        return weeks, len(weeks) < count


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise CalendarError(f"{where}: expected a date like 2025-09-03, got {value!r}")
    return value


def _table(value: object, where: str, known: set[str]) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CalendarError(f"{where}: expected a table")
    unknown = sorted(set(value) - known)
    if unknown:
        raise CalendarError(
            f"{where}: unknown entry {', '.join(unknown)} "
            f"(an entry here is one of {', '.join(sorted(known))})"
        )
    return value


def _text(table: dict[str, object], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CalendarError(f"{where}: {key!r} is required text")
    return value


def calendar_from_dict(
    data: dict[str, object], source: str = "calendar"
) -> SchoolCalendar:
    """Return the calendar that a parsed calendar file describes.

    Raises CalendarError naming the entry that is wrong.
    """
    known = {"name", "bank_holidays", "term", "closed"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise CalendarError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    name = _text(data, "name", source)
    bank = data.get("bank_holidays", "england")
    if bank not in ("england", "none"):
        raise CalendarError(
            f"{source}: bank_holidays must be 'england' or 'none', not {bank!r}"
        )
    raw_terms = data.get("term")
    if not isinstance(raw_terms, list) or not raw_terms:
        raise CalendarError(f"{source}: at least one [[term]] is required")
    terms = []
    for number, raw in enumerate(raw_terms, start=1):
        where = f"{source}: term {number}"
        entry = _table(raw, where, {"name", "first_day", "last_day"})
        terms.append(
            Term(
                name=_text(entry, "name", where),
                first_day=_date(entry.get("first_day"), f"{where} first_day"),
                last_day=_date(entry.get("last_day"), f"{where} last_day"),
            )
        )
    closures = []
    raw_closed = data.get("closed", [])
    if not isinstance(raw_closed, list):
        raise CalendarError(f"{source}: 'closed' must be a list of [[closed]] tables")
    for number, raw in enumerate(raw_closed, start=1):
        where = f"{source}: closed {number}"
        entry = _table(raw, where, {"first_day", "last_day", "kind", "reason"})
        first = _date(entry.get("first_day"), f"{where} first_day")
        last = _date(entry.get("last_day", first), f"{where} last_day")
        kind = entry.get("kind", "closure")
        try:
            closure_kind = ClosureKind(str(kind))
        except ValueError:
            allowed = ", ".join(
                k.value for k in ClosureKind if k.value != "bank holiday"
            )
            raise CalendarError(f"{where}: kind must be one of {allowed}") from None
        closures.append(
            Closure(first, last, closure_kind, _text(entry, "reason", where))
        )
    calendar = SchoolCalendar(
        name=name,
        terms=tuple(terms),
        closures=tuple(closures),
        bank_holidays=bank == "england",
    )
    if not calendar.school_days:
        raise CalendarError(f"{source}: the calendar has no school days")
    return calendar


def load_calendar(text: str, source: str = "calendar") -> SchoolCalendar:
    """Return the calendar described by TOML `text`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"{source}: not valid TOML: {error}") from None
    return calendar_from_dict(data, source)


def merge_calendars(
    calendars: Sequence[SchoolCalendar], name: str | None = None
) -> SchoolCalendar:
    """Return one calendar holding the terms and closures of all `calendars`."""
    if not calendars:
        raise CalendarError("no calendars to merge")
    return SchoolCalendar(
        name=name or " + ".join(c.name for c in calendars),
        terms=tuple(term for c in calendars for term in c.terms),
        closures=tuple(closure for c in calendars for closure in c.closures),
        bank_holidays=all(c.bank_holidays for c in calendars),
    )
