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
