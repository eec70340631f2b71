"""The whole Oakfield sample, imported as a school would import it."""

import datetime as dt

import pytest
from django.db.models import Max, Min

from attendwise.sources.base import WarningKind
from attendwise.web.register.models import Contact, Mark, Pupil
from attendwise.web.register.services import (
    import_contacts,
    import_pupils,
    import_register,
)
from tests.conftest import SHARED
from tests.import_factories import IMPORT_DAY
from tests.web.register_factories import make_school

pytestmark = pytest.mark.django_db

OAKFIELD = SHARED / "samples" / "oakfield"
LAST_DAY = dt.date(2025, 12, 11)


def read(name: str) -> bytes:
    return (OAKFIELD / name).read_bytes()


def test_the_oakfield_export_imports_whole_with_the_warnings_its_readme_describes():
    school = make_school()

    pupils = import_pupils(school, read("pupils.csv"), "pupils.csv", on=IMPORT_DAY)
    contacts = import_contacts(school, read("contacts.csv"), "contacts.csv")
    register = import_register(school, read("sessions.csv"), "sessions.csv", "sims")

    assert (pupils.created, Pupil.objects.count()) == (600, 600)
    assert (contacts.created, Contact.objects.count()) == (835, 835)
    assert (register.created, Mark.objects.count()) == (78840, 78840)
    assert pupils.report.warning_count == 0
    assert contacts.report.warning_count == 0

    # A few afternoon marks are missing on the last day, and nothing else:
    # pupils who joined or left mid-term are not missing their off-roll days.
    assert register.report.warning_counts == {WarningKind.MISSING: 6}
    assert register.missing == dict.fromkeys(
        ["4050", "4199", "4291", "4442", "4590", "4591"], 1
    )
    assert all(
        line.endswith("has no mark for 1 session on roll: Thu 11/12/2025 PM")
        for line in register.report.warning_lines()
    )
    assert register.report.counts["outside roll"] == 0
    assert register.report.counts["closed day"] == 0

    # Joiners' marks start on their entry date, leavers' end on their leaving date.
    joiner = Mark.objects.filter(pupil__mis_id="4059").aggregate(Min("date"))
    leaver = Mark.objects.filter(pupil__mis_id="4008").aggregate(Max("date"))
    assert joiner["date__min"] == dt.date(2025, 9, 29)
    assert leaver["date__max"] == dt.date(2025, 10, 20)

    # Dual-registration marks are stored like any other.
    assert Mark.objects.filter(code="D").count() == 106
    assert Mark.objects.filter(date=LAST_DAY, session="PM").count() == 589


def test_reimporting_the_oakfield_sessions_changes_nothing():
    school = make_school()
    import_pupils(school, read("pupils.csv"), "pupils.csv", on=IMPORT_DAY)
    import_register(school, read("sessions.csv"), "sessions.csv", "sims")

    again = import_register(school, read("sessions.csv"), "sessions.csv", "sims")

    assert (again.created, again.changed, again.unchanged) == (0, 0, 78840)
    assert again.run is None
