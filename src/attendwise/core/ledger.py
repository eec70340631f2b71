"""The day ledger: each pupil's session counts per school day, and windows over it.

The ledger is built once per run, in Polars, for every pupil: one row per
school day the pupil is on roll, up to the day of evaluation, with the
counts that a WindowFigures holds. Any window of school days is then a
difference of two running totals, so the pathway engine can ask for review
periods and baselines of any length without counting marks again.

Counting rules (CODES.md): only marks on school days, within the pupil's
roll dates and on or before the day of evaluation count; the category of
a code is the one in force on the session's date; a school-day session on
roll with no mark is missing (not possible, and reported).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from attendwise.core.calendar import SchoolCalendar
from attendwise.core.codes import CODE_SETS, Category
from attendwise.core.figures import WindowFigures

#: The counts of a ledger row, in the order WindowFigures declares them.
COUNTS: tuple[str, ...] = (
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "not_counted",
    "missing",
    "i_possible",
    "i_attended",
    "illness",
    "medical",
    "lates_u",
    "n_sessions",
)

MARKS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "pupil_id": pl.Int64,
    "date": pl.Date,
    "session": pl.Utf8,
    "code": pl.Utf8,
}
PUPILS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "pupil_id": pl.Int64,
    "entry_date": pl.Date,
    "leaving_date": pl.Date,
}


class FigureSource(Protocol):
    """Answers 'what are this pupil's figures over these school days?'."""

    def window(self, first: dt.date, last: dt.date) -> WindowFigures: ...


def code_categories() -> pl.DataFrame:
    """Return (code, valid_from, valid_to, category) for every code set."""
    rows = []
    bounds = [code_set.valid_from for code_set in CODE_SETS] + [dt.date.max]
    for code_set, valid_to in zip(CODE_SETS, bounds[1:], strict=False):
        for code in code_set.codes.values():
            rows.append((code.code, code_set.valid_from, valid_to, code.category.value))
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.Utf8,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "category": pl.Utf8,
        },
        orient="row",
    )


def categorise(marks: pl.LazyFrame) -> pl.LazyFrame:
    """Return `marks` with the `category` in force on each session's date.

    Codes are validated on import; a code unknown on its date gets a null
    category and counts nowhere.
    """
    table = code_categories().lazy()
    joined = marks.join(table, on="code", how="left").filter(
        pl.col("valid_from").is_null()
        | (
            (pl.col("date") >= pl.col("valid_from"))
            & (pl.col("date") < pl.col("valid_to"))
        )
    )
    return joined.drop("valid_from", "valid_to")


def build_ledger(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    calendar: SchoolCalendar,
    *,
    first: dt.date,
    as_of: dt.date,
    not_possible: Iterable[str] = (),
) -> pl.DataFrame:
    """Return one row per pupil per school day on roll from `first` to `as_of`.

    Columns: pupil_id, date and COUNTS. Days with no marks at all appear
    with missing = 2. Marks outside roll dates, on closed days or after
    `as_of` are left out (the importer reports them).
    """
    not_possible = sorted(set(not_possible))
    days = pl.DataFrame(
        {"date": list(calendar.school_days_between(first, as_of))},
        schema={"date": pl.Date},
    ).lazy()
    roll = (
        pupils.lazy()
        .select("pupil_id", "entry_date", "leaving_date")
        .join(days, how="cross")
        .filter(
            (pl.col("date") >= pl.col("entry_date"))
            & (
                pl.col("leaving_date").is_null()
                | (pl.col("date") <= pl.col("leaving_date"))
            )
        )
        .select("pupil_id", "date")
    )
    category = pl.col("category")
    possible = category.is_not_null() & (category != Category.NOT_COUNTED.value)
    attended = category.is_in([Category.PRESENT.value, Category.AEA.value])
    excluded = pl.col("code").is_in(not_possible)
    counted = (
        categorise(marks.lazy().filter(pl.col("date").is_between(first, as_of)))
        .join(roll, on=["pupil_id", "date"], how="semi")
        .group_by("pupil_id", "date")
        .agg(
            possible.sum().alias("possible"),
            attended.sum().alias("attended"),
            (category == Category.AUTHORISED.value).sum().alias("authorised"),
            (category == Category.UNAUTHORISED.value).sum().alias("unauthorised"),
            (category == Category.NOT_COUNTED.value).sum().alias("not_counted"),
            pl.len().alias("marked"),
            (possible & ~excluded).sum().alias("i_possible"),
            (attended & ~excluded).sum().alias("i_attended"),
            (pl.col("code") == "I").sum().alias("illness"),
            (pl.col("code") == "M").sum().alias("medical"),
            (pl.col("code") == "U").sum().alias("lates_u"),
            (pl.col("code") == "N").sum().alias("n_sessions"),
        )
    )
    counts = [c for c in COUNTS if c != "missing"]
    ledger = (
        roll.join(counted, on=["pupil_id", "date"], how="left")
        .with_columns(
            pl.col(c).fill_null(0).cast(pl.Int32) for c in [*counts, "marked"]
        )
        .with_columns((2 - pl.col("marked")).clip(lower_bound=0).alias("missing"))
        .select("pupil_id", "date", *COUNTS)
        .sort("pupil_id", "date")
    )
    return ledger.collect()


@dataclass(frozen=True)
class PupilLedger:
    """One pupil's running totals by school day: answers any window at once."""

    days: tuple[dt.date, ...]
    totals: tuple[tuple[int, ...], ...]
    recent_n: tuple[int, ...]
    grace_start: dt.date | None

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[dt.date, tuple[int, ...]]],
        *,
        grace_start: dt.date | None = None,
    ) -> PupilLedger:
        """Return the ledger of rows (date, counts in COUNTS order), sorted by date.

        N sessions dated on or after `grace_start` are too young to be
        'settled' unauthorised absence.
        """
        days: list[dt.date] = []
        totals: list[tuple[int, ...]] = []
        recent: list[int] = []
        running = [0] * len(COUNTS)
        running_recent = 0
        n_index = COUNTS.index("n_sessions")
        for day, counts in rows:
            running = [a + b for a, b in zip(running, counts, strict=True)]
            if grace_start is not None and day >= grace_start:
                running_recent += counts[n_index]
            days.append(day)
            totals.append(tuple(running))
            recent.append(running_recent)
        return cls(tuple(days), tuple(totals), tuple(recent), grace_start)

    def window(self, first: dt.date, last: dt.date) -> WindowFigures:
        """Return the figures over school days from `first` to `last` inclusive."""
        start = bisect.bisect_left(self.days, first)
        stop = bisect.bisect_right(self.days, last)
        if stop <= start:
            return WindowFigures(first=first, last=last)
        before = self.totals[start - 1] if start else (0,) * len(COUNTS)
        counts = dict(
            zip(
                COUNTS,
                (b - a for a, b in zip(before, self.totals[stop - 1], strict=True)),
                strict=True,
            )
        )
        recent_before = self.recent_n[start - 1] if start else 0
        young_n = self.recent_n[stop - 1] - recent_before
        return WindowFigures(
            first=first,
            last=last,
            settled_unauthorised=counts["unauthorised"] - young_n,
            **counts,
        )


def pupil_ledgers(
    ledger: pl.DataFrame, *, grace_start: dt.date | None = None
) -> dict[int, PupilLedger]:
    """Return a PupilLedger per pupil_id of a build_ledger() frame."""
    result: dict[int, PupilLedger] = {}
    for (pupil_id,), frame in ledger.partition_by(
        "pupil_id", as_dict=True, maintain_order=True
    ).items():
        rows = zip(
            frame["date"].to_list(),
            frame.select(COUNTS).iter_rows(),
            strict=True,
        )
        result[int(str(pupil_id))] = PupilLedger.from_rows(
            rows, grace_start=grace_start
        )
    return result
