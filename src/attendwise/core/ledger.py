"""The day ledger: each pupil's counts per school day, and windows over it.

The ledger is built once per run with the measures engine (one row per
pupil per school day, from `window_figures`, so every count follows the
same rules as the measures): the pathway engine can then ask for review
periods and baselines of any length, each a difference of two running
totals, without counting marks again.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from attendwise.core.calendar import SchoolCalendar
from attendwise.core.figures import WindowFigures
from attendwise.core.measures import (
    MARKS_SCHEMA,
    PUPILS_SCHEMA,
    WINDOWS_SCHEMA,
    window_figures,
)
from attendwise.core.tally import COUNT_FIELDS

__all__ = [
    "COUNT_FIELDS",
    "MARKS_SCHEMA",
    "PUPILS_SCHEMA",
    "FigureSource",
    "PupilLedger",
    "build_ledger",
    "pupil_ledgers",
]


class FigureSource(Protocol):
    """Answers 'what are this pupil's figures over these school days?'."""

    def window(self, first: dt.date, last: dt.date) -> WindowFigures: ...


def build_ledger(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    calendar: SchoolCalendar,
    *,
    first: dt.date,
    as_of: dt.date,
    not_possible: Collection[str] = (),
    n_grace_days: int = 5,
) -> pl.DataFrame:
    """Return one row per pupil per school day from `first` to `as_of`.

    Columns: pupil_id, date and COUNT_FIELDS. Days off roll count nothing.
    """
    days = calendar.school_days_between(first, as_of)
    windows = (
        pupils.select("pupil_id")
        .join(
            pl.DataFrame({"first": list(days)}, schema={"first": pl.Date}), how="cross"
        )
        .with_columns(pl.col("first").alias("last"), pl.lit("day").alias("window"))
        .select(list(WINDOWS_SCHEMA))
    )
    figures = window_figures(
        marks,
        pupils,
        calendar,
        windows,
        as_of=as_of,
        not_possible=frozenset(not_possible),
        n_grace_days=n_grace_days,
    )
    return figures.select(
        "pupil_id", pl.col("first").alias("date"), *COUNT_FIELDS
    ).sort("pupil_id", "date")


@dataclass(frozen=True)
class PupilLedger:
    """One pupil's running totals by school day: answers any window at once.

    `days` are the pupil's ledger dates in order; `totals[i]` the counts
    (COUNT_FIELDS order) summed over days[0..i].
    """

    days: tuple[dt.date, ...] = ()
    totals: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[dt.date, tuple[int, ...]]]) -> PupilLedger:
        """Return the ledger of rows (date, counts in COUNT_FIELDS order), by date."""
        days: list[dt.date] = []
        totals: list[tuple[int, ...]] = []
        running = (0,) * len(COUNT_FIELDS)
        for day, counts in rows:
            running = tuple(a + b for a, b in zip(running, counts, strict=True))
            days.append(day)
            totals.append(running)
        return cls(tuple(days), tuple(totals))

    def window(self, first: dt.date, last: dt.date) -> WindowFigures:
        """Return the figures over school days from `first` to `last` inclusive."""
        start = bisect.bisect_left(self.days, first)
        stop = bisect.bisect_right(self.days, last)
        if stop <= start:
            return WindowFigures(first=first, last=last)
        before = self.totals[start - 1] if start else (0,) * len(COUNT_FIELDS)
        after = self.totals[stop - 1]
        counts = {
            name: b - a for name, a, b in zip(COUNT_FIELDS, before, after, strict=True)
        }
        return WindowFigures(first=first, last=last, **counts)


def pupil_ledgers(ledger: pl.DataFrame) -> dict[int, PupilLedger]:
    """Return a PupilLedger per pupil_id of a build_ledger() frame.

    The running totals are summed by Polars; Python only slices them.
    """
    running = ledger.sort("pupil_id", "date").select(
        "pupil_id",
        "date",
        *(pl.col(name).cum_sum().over("pupil_id") for name in COUNT_FIELDS),
    )
    ids = running["pupil_id"].to_list()
    dates = running["date"].to_list()
    totals = list(running.select(COUNT_FIELDS).iter_rows())
    result: dict[int, PupilLedger] = {}
    start = 0
    for index in range(1, len(ids) + 1):
        if index == len(ids) or ids[index] != ids[start]:
            result[ids[start]] = PupilLedger(
                tuple(dates[start:index]), tuple(totals[start:index])
            )
            start = index
    return result
