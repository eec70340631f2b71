"""The Oakfield export read from the database: measures, and the daily run.

Each is measured against the same plain-Python reference loop, run in the
same process: every stored mark read back, classified, and counted into
each pupil's year-to-date possible and attended sessions. The measures
ratio says what the Polars engine gains; the daily-run ratio shows what
evaluating every pupil's case, ongoing procedures and worklist costs on
top of reading the register.

The daily run is measured on a term's data met for the first time (every
case opens at once, the worst day a school will see: with and without its
letters) and on an ordinary next day (the run of Wed 10 Dec already done).

`python -m benchmarks oakfield`; needs ../shared/samples/oakfield.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Callable

from benchmarks.bench_import import SAMPLE, _fresh_database
from benchmarks.harness import Measurement, Result, measure

AS_OF = dt.date(2025, 12, 11)
DAY_BEFORE = dt.date(2025, 12, 10)


def run() -> list[Result]:
    if not SAMPLE.is_dir():
        raise FileNotFoundError(f"the Oakfield sample is not at {SAMPLE}")
    with tempfile.TemporaryDirectory() as directory:
        drop = _fresh_database(directory)
        try:
            return _measure()
        finally:
            drop()


def _reference(school_id: int) -> Callable[[], dict[int, tuple[int, int]]]:
    """Return the plain loop: YTD (possible, attended) per pupil, by hand."""
    from attendwise.core.codes import classify
    from attendwise.web.register.models import Mark

    def count() -> dict[int, tuple[int, int]]:
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        rows = Mark.objects.filter(
            pupil__school_id=school_id, date__gte=dt.date(2025, 9, 1), date__lte=AS_OF
        ).values_list("pupil_id", "date", "code")
        for pupil_id, day, code in rows:
            category = classify(code, day).category
            if category.is_possible:
                totals[pupil_id][0] += 1
                totals[pupil_id][1] += category.is_attended
        return {pupil_id: (p, a) for pupil_id, (p, a) in totals.items()}

    return count


def _measure() -> list[Result]:
    from django.db import connection

    from attendwise.core.policy import shipped_policy_text
    from attendwise.web.cases.models import Case, Event, Letter, Task
    from attendwise.web.cases.services import SchoolRules, daily_run, school_measures
    from attendwise.web.demo import reference_calendar_text
    from attendwise.web.register import services

    school = services.create_school(
        "oakfield", "Oakfield", reference_calendar_text(), shipped_policy_text()
    )
    services.import_pupils(
        school,
        (SAMPLE / "pupils.csv").read_bytes(),
        "pupils.csv",
        on=dt.date(2025, 12, 11),
    )
    services.import_contacts(
        school, (SAMPLE / "contacts.csv").read_bytes(), "contacts.csv"
    )
    services.import_register(
        school, (SAMPLE / "sessions.csv").read_bytes(), "sessions.csv", "sims"
    )
    rules = SchoolRules.of(school)
    baseline, counts = measure("plain Python loop", _reference(school.pk))
    figures = school_measures(rules, AS_OF)
    engine = {
        row["pupil_id"]: (row["ytd_possible"], row["ytd_attended"])
        for row in figures.iter_rows(named=True)
    }
    agree = sum(engine.get(pupil) == value for pupil, value in counts.items())
    results = [
        Result(
            "Oakfield: every pupil's measures as of 11 Dec 2025, from the database",
            measure("school_measures", lambda: school_measures(rules, AS_OF))[0],
            baseline,
            (f"the engine and the loop agree for {agree} of {len(counts)} pupils",),
        )
    ]

    def forget_cases() -> None:
        Letter.objects.all().delete()
        Event.objects.all().delete()
        Task.objects.all().delete()
        Case.objects.all().delete()
        school.last_run_on = None
        school.save()

    def cold(draft: bool) -> Measurement:
        forget_cases()
        label = "daily run" + (" with its letters" if draft else "")
        found, report = measure(
            label, lambda: daily_run(school, AS_OF, draft=draft), runs=1
        )
        notes.append(
            f"{label}: {report.proposed} items proposed, "
            f"{report.letters} letters drafted"
        )
        return found

    notes: list[str] = []
    without = cold(draft=False)
    with_letters = cold(draft=True)
    forget_cases()
    daily_run(school, DAY_BEFORE)
    ordinary, report = measure("daily run", lambda: daily_run(school, AS_OF), runs=1)
    notes.append(f"next day: {report.proposed} new items, {report.letters} letters")
    for subject, title in (
        (without, "first run on the term's data, letters left to confirmation"),
        (with_letters, "first run on the term's data, with its letters"),
        (ordinary, "an ordinary day (after the run of Wed 10 Dec)"),
    ):
        results.append(
            Result(
                f"Oakfield daily run, Thu 11 Dec 2025: {title}",
                subject,
                baseline,
                (*notes, connection.vendor),
            )
        )
    return results
