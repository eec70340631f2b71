"""pupil_measures over a synthetic year of 20,000 pupils (7.6 million marks).

The year is the shipped reference calendar 2025/26 (190 school days), every
pupil on roll and marked at every session, generated with a fixed seed in
Polars and kept in memory. The baseline is the plain-Python reference
(benchmarks/reference.py) on the first 1,000 pupils, scaled by 20: its work
per pupil is the same for every pupil, and on all 20,000 it would need
several GB for its register dict.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import polars as pl

from attendwise.core.calendar import SchoolCalendar, load_calendar
from attendwise.core.measures import pupil_measures
from benchmarks.harness import Result, measure
from benchmarks.reference import reference_pupil_measures

PUPILS = 20_000
SUBSET = 1_000
SEED = 2025

#: Absence codes, by share of absent sessions (%): about two thirds
#: authorised, half of all absence illness (CODES.md, national figures).
ABSENCE_MIX = {"I": 52, "M": 6, "C": 4, "R": 1, "E": 1, "S": 1}
ABSENCE_MIX |= {"O": 15, "G": 9, "N": 5, "U": 6}
#: Other codes on sessions that are not absences (per 1,000).
PRESENT_MIX = {"L": 20, "V": 3, "P": 2, "B": 2, "K": 1, "W": 1, "X": 1, "D": 1, "Y1": 1}


def reference_calendar() -> SchoolCalendar:
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    return load_calendar(text, "reference-2025-26.toml")


def _table(mix: dict[str, int], total: int, rest: str) -> pl.Series:
    codes = [code for code, share in mix.items() for _ in range(share)]
    return pl.Series(codes + [rest] * (total - len(codes)), dtype=pl.Utf8)


def _uniform(values: pl.Expr, seed: int) -> pl.Expr:
    """Return a uniform [0, 1) number per value, fixed by `seed`."""
    return (values.hash(seed) % (1 << 53)).cast(pl.Float64) / (1 << 53)


def synthetic_year(
    pupils: int = PUPILS, *, seed: int = SEED
) -> tuple[pl.DataFrame, pl.DataFrame, SchoolCalendar]:
    """Return (marks, pupils, calendar) of a year with a realistic code mix.

    Each pupil has an absence rate a * u**k (u uniform): about 7% of
    sessions are absences overall, a fifth of pupils are persistently
    absent and about 2% severely, close to the national figures.
    """
    calendar = reference_calendar()
    roll = pl.DataFrame({"pupil_id": pl.int_range(1, pupils + 1, eager=True)}).select(
        "pupil_id",
        entry_date=pl.date(2019 + pl.col("pupil_id").hash(seed) % 7, 9, 1),
        leaving_date=pl.lit(None, pl.Date),
        rate=0.002 + 0.587 * _uniform(pl.col("pupil_id"), seed + 1) ** 7.93,
    )
    grid = (
        roll.select("pupil_id", "rate")
        .join(pl.DataFrame({"date": calendar.school_days}), how="cross")
        .join(pl.DataFrame({"session": ["AM", "PM"]}), how="cross")
    )
    chance = _uniform(pl.int_range(pl.len(), dtype=pl.UInt64), seed + 2)
    rate = pl.col("rate")
    absent = pl.lit(_table(ABSENCE_MIX, 100, "O")).gather(
        (pl.col("u") / rate * 100).clip(0, 99).cast(pl.Int64)
    )
    other = pl.lit(_table(PRESENT_MIX, 1000, "/")).gather(
        ((pl.col("u") - rate) / (1 - rate) * 1000).clip(0, 999).cast(pl.Int64)
    )
    present = (
        pl.when((other == "/") & (pl.col("session") == "PM"))
        .then(pl.lit("\\"))
        .otherwise(other)
    )
    marks = (
        grid.with_columns(u=chance)
        .select(
            "pupil_id",
            "date",
            "session",
            code=pl.when(pl.col("u") < rate).then(absent).otherwise(present),
        )
        .rechunk()
    )
    return marks, roll.drop("rate"), calendar


def _agree(
    engine: pl.DataFrame, reference: dict[int, dict[str, object]]
) -> tuple[int, int]:
    """Return (pupils compared, pupils whose rows differ)."""
    rows = engine.filter(pl.col("pupil_id").is_in(list(reference)))
    differ = sum(
        row != reference[row["pupil_id"]] for row in rows.iter_rows(named=True)
    )
    return rows.height, differ


def run() -> list[Result]:
    marks, pupils, calendar = synthetic_year()
    as_of = calendar.school_days[-1]

    subject, measures = measure(
        f"pupil_measures, {pupils.height:,} pupils, {marks.height:,} marks, Polars",
        lambda: pupil_measures(marks, pupils, calendar, as_of),
        runs=5,
    )

    subset_marks = marks.filter(pl.col("pupil_id") <= SUBSET)
    subset_pupils = pupils.filter(pl.col("pupil_id") <= SUBSET)
    rows = subset_marks.rows()
    rolls: dict[int, tuple[dt.date, dt.date | None]] = {
        pupil_id: (entry, leaving) for pupil_id, entry, leaving in subset_pupils.rows()
    }
    baseline, reference = measure(
        f"plain-Python reference loop, first {SUBSET:,} pupils, scaled",
        lambda: reference_pupil_measures(rows, rolls, calendar, as_of),
        runs=1,
        scale=pupils.height / SUBSET,
    )
    small, _ = measure(
        "",
        lambda: pupil_measures(subset_marks, subset_pupils, calendar, as_of),
        runs=5,
    )

    compared, differ = _agree(measures, reference)
    ytd = measures.select(
        absence=1 - pl.col("ytd_attended").sum() / pl.col("ytd_possible").sum(),
        pa=pl.col("pa").mean(),
        sa=pl.col("sa").mean(),
    ).row(0, named=True)
    return [
        Result(
            name=f"measures: pupil_measures as of {as_of:%a %d %b %Y}",
            subject=subject,
            baseline=baseline,
            notes=(
                f"results agree with the reference for {compared - differ:,} of "
                f"{compared:,} pupils",
                f"on the {SUBSET:,}-pupil subset alone Polars takes "
                f"{small.seconds:.3f} s: "
                f"{baseline.seconds / small.seconds:,.0f}x the reference, unscaled",
                "the baseline excludes turning the frame into Python tuples",
                f"synthetic year: absence {ytd['absence']:.1%}, "
                f"PA {ytd['pa']:.1%}, SA {ytd['sa']:.1%}",
                "target: 20,000 pupils under 0.5 s on 2 cores",
            ),
        )
    ]
