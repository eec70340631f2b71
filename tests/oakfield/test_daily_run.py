"""The Oakfield sample end to end: import, then the daily run of Thu 11 Dec 2025.

The figures of four pupils are counted here again from the CSV with plain
Python (the DfE rules written out independently), and must equal what the
run stored: a joiner, a dual-registered pupil, a pupil with unexplained
absence not yet resolved, and a pupil with a family holiday.
"""

import csv
import datetime as dt

import pytest

from attendwise.web.cases.models import Letter, Task
from attendwise.web.cases.services import daily_run
from attendwise.web.register import services
from tests.conftest import SHARED
from tests.factories import make_school, reference_calendar
from tests.import_factories import IMPORT_DAY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OAKFIELD = SHARED / "samples" / "oakfield"
AS_OF = dt.date(2025, 12, 11)

ATTENDED = set("/\\LVPWBK")
UNAUTHORISED = set("GNOU")
AUTHORISED = {"C", "C1", "C2", "M", "J1", "S", "T", "R", "I", "E"}


def count(mis_id, first, last):
    """Return (possible, attended, unauthorised) of a pupil, counted plainly."""
    school_days = set(reference_calendar().school_days)
    with open(OAKFIELD / "pupils.csv", encoding="utf-8") as handle:
        pupil = next(r for r in csv.DictReader(handle) if r["Student ID"] == mis_id)
    entry = dt.datetime.strptime(pupil["Entry Date"], "%d/%m/%Y").date()  # noqa: DTZ007
    possible = attended = unauthorised = 0
    with open(OAKFIELD / "sessions.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Student ID"] != mis_id:
                continue
            day = dt.datetime.strptime(row["Date"], "%d/%m/%Y").date()  # noqa: DTZ007
            if not (max(first, entry) <= day <= last) or day not in school_days:
                continue
            mark = row["Mark"]
            if mark in ATTENDED:
                possible, attended = possible + 1, attended + 1
            elif mark in UNAUTHORISED:
                possible, unauthorised = possible + 1, unauthorised + 1
            elif mark in AUTHORISED:
                possible += 1
    return possible, attended, unauthorised


@pytest.fixture
def oakfield():
    school = make_school(slug="oakfield", name="Oakfield Academy")
    services.import_pupils(
        school, (OAKFIELD / "pupils.csv").read_bytes(), "pupils.csv", on=IMPORT_DAY
    )
    services.import_contacts(
        school, (OAKFIELD / "contacts.csv").read_bytes(), "contacts.csv"
    )
    services.import_register(
        school, (OAKFIELD / "sessions.csv").read_bytes(), "sessions.csv", "sims"
    )
    return school


def stored(school, mis_id):
    return (
        Task.objects.filter(pupil__school=school, pupil__mis_id=mis_id)
        .exclude(figures={})
        .filter(figures__has_key="ytd")
        .first()
    )


def test_the_daily_run_of_11_december_completes_with_the_right_figures(oakfield):
    report = daily_run(oakfield, AS_OF)

    assert report.pupils == 600
    assert report.proposed > 0
    assert report.letters == Letter.objects.filter(pupil__school=oakfield).count()
    assert report.letters > 0

    first = reference_calendar().first_school_day(2025)
    six_weeks = reference_calendar().last_school_days(AS_OF, 30)
    for mis_id in ("4059", "4345", "4584", "4515"):
        task = stored(oakfield, mis_id)
        assert task is not None, mis_id
        ytd = task.figures["ytd"]
        assert (ytd["possible"], ytd["attended"], ytd["unauthorised"]) == count(
            mis_id, first, AS_OF
        ), mis_id
        if "six_week" in task.figures:
            six = task.figures["six_week"]
            assert (six["possible"], six["attended"], six["unauthorised"]) == count(
                mis_id, six_weeks[0], AS_OF
            ), mis_id


def test_a_second_run_the_same_day_changes_nothing(oakfield):
    daily_run(oakfield, AS_OF, draft=False)
    tasks = Task.objects.filter(school=oakfield).count()

    report = daily_run(oakfield, AS_OF, draft=False)

    assert (report.proposed, report.withdrawn) == (0, 0)
    assert Task.objects.filter(school=oakfield).count() == tasks
