"""Import speed: the Oakfield export into a fresh SQLite database.

Each import is timed against a plain Python reference loop run in the
same process: the csv module reading the same file and doing the least a
correct import must do per row (parse the date, classify the code), with
no database. The ratio says what the checks, the comparison with stored
rows and the writes cost on top of that.

Run alone with `python -m benchmarks.bench_import`; `run()` returns the
rows for the benchmarks harness.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import Measurement, Result

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "oakfield"
REPEATS = 3


def _reference_sessions(data: bytes) -> int:
    """Return the rows of a SIMS sessions file read the plainest way."""
    from attendwise.core.codes import classify

    count = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        day = dt.datetime.strptime(row["Date"], "%d/%m/%Y").date()  # noqa: DTZ007
        classify(row["Mark"], day)
        count += 1
    return count


def _reference_pupils(data: bytes) -> int:
    """Return the rows of a SIMS pupils file read the plainest way."""
    count = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        for column in ("Date of Birth", "Entry Date", "Leaving Date"):
            if row[column]:
                dt.datetime.strptime(row[column], "%d/%m/%Y")  # noqa: DTZ007
        count += 1
    return count


def _best(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def _peak_mb(action: Callable[[], object]) -> float:
    """Return the peak of Python allocations while `action` runs, in MB."""
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1e6, 1)


def _fresh_database(directory: str) -> Callable[[], None]:
    """Point Django at a new, migrated SQLite file; return how to drop it."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        os.environ["DJANGO_SETTINGS_MODULE"] = "attendwise.web.settings"
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("ATTENDWISE_HOME", directory)
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/default.sqlite3"
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"{directory}/bench.sqlite3"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> list[dict[str, Any]]:
    """Return one row per measured import: seconds against the baseline."""
    if not SAMPLE.is_dir():
        raise FileNotFoundError(f"the Oakfield sample is not at {SAMPLE}")
    pupils = (SAMPLE / "pupils.csv").read_bytes()
    sessions = (SAMPLE / "sessions.csv").read_bytes()

    with tempfile.TemporaryDirectory() as directory:
        drop = _fresh_database(directory)
        try:
            return _measure(pupils, sessions)
        finally:
            drop()


def _measure(pupils: bytes, sessions: bytes) -> list[dict[str, Any]]:
    from django.db import connection

    from attendwise.core.calendar import load_calendar
    from attendwise.web.register import services
    from attendwise.web.register.models import School

    calendar = (
        Path(services.__file__).parents[2] / "calendars" / "reference-2025-26.toml"
    ).read_text(encoding="utf-8")
    # The holidays package compiles its tables on first use (about a
    # second, once per process): keep that out of the timings.
    _ = load_calendar(calendar).school_days
    schools = iter(range(1000))

    def new_school() -> School:
        number = next(schools)
        return services.create_school(f"oakfield-{number}", "Oakfield", calendar)

    def first_import() -> School:
        school = new_school()
        services.import_pupils(school, pupils, "pupils.csv", on=dt.date(2025, 12, 11))
        return school

    def register(school: School) -> services.ImportResult:
        return services.import_register(school, sessions, "sessions.csv", "sims")

    marked = first_import()
    register(marked)
    fresh = [first_import() for _ in range(REPEATS)]

    rows = [
        _row(
            "import pupils.csv (600 pupils)",
            _best(lambda: first_import()),
            _best(lambda: _reference_pupils(pupils)),
            _peak_mb(lambda: first_import()),
            "new school each time; baseline: csv.DictReader + strptime",
        ),
        _row(
            "import sessions.csv (78,840 marks, all new)",
            _best(lambda: register(fresh.pop())),
            _best(lambda: _reference_sessions(sessions)),
            _peak_mb(lambda: register(first_import())),
            "baseline: csv.DictReader + strptime + classify per row, no database",
        ),
        _row(
            "re-import sessions.csv (78,840 marks, unchanged)",
            _best(lambda: register(marked)),
            _best(lambda: _reference_sessions(sessions)),
            _peak_mb(lambda: register(marked)),
            "nothing written; same baseline",
        ),
    ]
    for row in rows:
        row["note"] += f"; {connection.vendor}"
    return rows


def _row(
    name: str, seconds: float, baseline: float, peak_mb: float, note: str
) -> dict[str, Any]:
    return {
        "name": name,
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(seconds / baseline, 1),
        "peak_mb": peak_mb,
        "note": note,
    }


def results() -> list[Result]:
    """Return the rows of run() as the harness's Results."""
    found = []
    for row in run():
        peak = int(row["peak_mb"] * 1e6)
        found.append(
            Result(
                name=row["name"],
                subject=Measurement(
                    "import", row["seconds"], REPEATS, peak, "tracemalloc (Python only)"
                ),
                baseline=Measurement(
                    "plain csv loop", row["baseline_seconds"], REPEATS, None, "n/a"
                ),
                notes=(row["note"],),
            )
        )
    return found


def main() -> None:
    for row in run():
        print(
            f"{row['name']:<50} {row['seconds']:>7.3f} s  baseline "
            f"{row['baseline_seconds']:.3f} s  x{row['ratio']:<5} "
            f"peak {row['peak_mb']} MB  ({row['note']})"
        )


if __name__ == "__main__":
    main()
