"""A whole year of a 20,000-pupil school imported from CSV, then one day more.

The register is the synthetic year of bench_measures (reference calendar
2025/26, 190 school days, 7.6 million marks) written as a canonical CSV
(about 230 MB) and imported into a fresh SQLite database: time, rows per
second and peak memory. Then the incremental feed: one day's file (40,000
marks, one in twenty changed) for the same school, and the same file
again (nothing to change).

Each import is measured once (runs=1: the first import of a year cannot
be repeated on the same database) against a plain csv-and-classify loop
(no database) on a twentieth of the file, scaled. Set
ATTENDWISE_BENCH_PUPILS to run it smaller (the test suite never runs it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.bench_import import _fresh_database
from benchmarks.bench_measures import synthetic_year
from benchmarks.harness import Result, measure

PUPILS = int(os.environ.get("ATTENDWISE_BENCH_PUPILS", "20000"))
#: The baseline reads this share of the year's rows, scaled up.
BASELINE_SHARE = 20


def _reference_canonical(data: bytes) -> int:
    """Return the rows of a canonical register file read the plainest way."""
    from attendwise.core.codes import classify

    count = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        classify(row["mark"], dt.date.fromisoformat(row["date"]))
        count += 1
    return count


def _register_csv(marks: pl.DataFrame) -> bytes:
    return (
        marks.select(
            pupil=pl.col("pupil_id").cast(pl.Utf8),
            date=pl.col("date").dt.strftime("%Y-%m-%d"),
            session=pl.col("session"),
            mark=pl.col("code"),
        )
        .write_csv()
        .encode()
    )


def _pupils_csv(roll: pl.DataFrame) -> bytes:
    lines = [
        "Student ID,UPN,Legal Surname,Legal Forename,Gender,Date of Birth,Year,"
        "Reg Group,FSM,SEN Status,Entry Date,Leaving Date"
    ]
    for pupil_id, entry in roll.select("pupil_id", "entry_date").iter_rows():
        lines.append(f"{pupil_id},,Pupil,P{pupil_id},,,,,N,N,{entry:%d/%m/%Y},")
    return ("\n".join(lines) + "\n").encode()


def _head(data: bytes, share: int) -> tuple[bytes, float]:
    """Return the first 1/share of `data`'s lines and the scale back to all."""
    lines = data.splitlines(keepends=True)
    count = max(2, len(lines) // share)
    return b"".join(lines[:count]), (len(lines) - 1) / (count - 1)


def run() -> list[Result]:
    """Return the whole-year import, the daily import and its re-import."""
    marks, roll, calendar = synthetic_year(PUPILS)
    year = _register_csv(marks)
    last = calendar.school_days[-1]
    day = marks.filter(pl.col("date") == last).with_columns(
        code=pl.when(pl.col("pupil_id") % 20 == 0)
        .then(pl.lit("I"))
        .otherwise(pl.col("code"))
    )
    daily = _register_csv(day)
    pupils = _pupils_csv(roll)
    del marks

    with tempfile.TemporaryDirectory() as directory:
        drop = _fresh_database(directory)
        try:
            return _measure(year, daily, pupils, len(day), Path(directory))
        finally:
            drop()


def _measure(
    year: bytes, daily: bytes, pupils: bytes, day_rows: int, directory: Path
) -> list[Result]:
    from django.db import connection

    from attendwise.core.calendar import load_calendar
    from attendwise.web.register import services

    calendar_text = (
        Path(services.__file__).parents[2] / "calendars" / "reference-2025-26.toml"
    ).read_text(encoding="utf-8")
    _ = load_calendar(calendar_text).school_days  # compile holidays outside timings
    school = services.create_school("big", "A big school", calendar_text)
    services.import_pupils(school, pupils, "pupils.csv", on=dt.date(2025, 12, 11))
    rows = year.count(b"\n") - 1

    whole, result = measure(
        f"import_register, canonical CSV, {rows:,} marks ({len(year) / 2**20:.0f} MB)",
        lambda: services.import_register(school, year, "year.csv"),
        runs=1,
    )
    head, scale = _head(year, BASELINE_SHARE)
    baseline, _ = measure(
        f"csv.reader + date + classify, 1/{BASELINE_SHARE} of the file",
        lambda: _reference_canonical(head),
        runs=1,
        scale=scale,
    )
    one_day, day_result = measure(
        f"import_register, one day ({day_rows:,} marks, 1 in 20 changed)",
        lambda: services.import_register(school, daily, "day.csv"),
        runs=1,
    )
    again, _ = measure(
        "the same day again (nothing changes)",
        lambda: services.import_register(school, daily, "day.csv"),
        runs=3,
    )
    day_baseline, _ = measure(
        "csv.reader + date + classify, the day's file",
        lambda: _reference_canonical(daily),
        runs=3,
    )
    vendor = connection.vendor
    size = (directory / "bench.sqlite3").stat().st_size if vendor == "sqlite" else 0
    return [
        Result(
            f"Whole year, {PUPILS:,} pupils",
            whole,
            baseline,
            notes=(
                f"{rows / whole.seconds:,.0f} marks per second; created "
                f"{result.created:,}; {vendor}"
                + (f", database file {size / 2**20:,.0f} MB" if size else ""),
            ),
        ),
        Result(
            "Daily feed, same school",
            one_day,
            day_baseline,
            notes=(
                f"{day_rows / one_day.seconds:,.0f} marks per second; changed "
                f"{day_result.changed:,}, unchanged {day_result.unchanged:,}",
            ),
        ),
        Result(
            "Daily feed re-imported",
            again,
            day_baseline,
            notes=(f"{day_rows / again.seconds:,.0f} marks per second",),
        ),
    ]


if __name__ == "__main__":
    import sys

    from benchmarks.harness import report

    for item in run():
        report(item, sys.stdout)
