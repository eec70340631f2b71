"""Import speed: the Oakfield export into a fresh SQLite database.

Each import is timed against a plain Python reference loop run in the
same process: the csv module reading the same file and doing the least a
correct import must do per row (parse the date, classify the code), with
no database. The ratio says what the checks, the comparison with stored
rows and the writes cost on top of that.

Run alone with `python -m benchmarks.bench_import`; `run()` returns the
Results for the benchmarks harness.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import Result, measure

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


def _reference_canonical(data: bytes) -> int:
    """Return the rows of a canonical register file read the plainest way."""
    from attendwise.core.codes import classify

    count = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        day = dt.date.fromisoformat(row["date"])
        classify(row["mark"], day)
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


def run() -> list[Result]:
    """Return one Result per measured import, each against its baseline."""
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


def _measure(pupils: bytes, sessions: bytes) -> list[Result]:
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
        services.import_pupils(school, pupils, "pupils.csv")
        return school

    def register(school: School) -> services.ImportResult:
        return services.import_register(school, sessions, "sessions.csv", "sims")

    marked = first_import()
    register(marked)
    fresh = [first_import() for _ in range(REPEATS + 1)]
    vendor = connection.vendor

    pupils_import, _ = measure(
        "import pupils.csv into a new school", first_import, runs=REPEATS
    )
    pupils_reference, _ = measure(
        "csv.DictReader + strptime", lambda: _reference_pupils(pupils), runs=REPEATS
    )
    all_new, _ = measure(
        "import sessions.csv, every mark new",
        lambda: register(fresh.pop()),
        runs=REPEATS,
    )
    sessions_reference, _ = measure(
        "csv.DictReader + strptime + classify, no database",
        lambda: _reference_sessions(sessions),
        runs=REPEATS,
    )
    unchanged, _ = measure(
        "re-import sessions.csv, nothing changes",
        lambda: register(marked),
        runs=REPEATS,
    )
    return [
        Result("Oakfield pupils (600)", pupils_import, pupils_reference, (vendor,)),
        Result(
            "Oakfield sessions (78,840 marks)", all_new, sessions_reference, (vendor,)
        ),
        Result(
            "Oakfield sessions re-imported", unchanged, sessions_reference, (vendor,)
        ),
    ]


if __name__ == "__main__":
    import sys

    from benchmarks.harness import report

    for item in run():
        report(item, sys.stdout)
