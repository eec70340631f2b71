"""The dashboard's figures for this week and next."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from attendwise.web.cases.letters import approve_letter
from attendwise.web.cases.services import SchoolRules
from attendwise.web.ui.dashboard import dashboard
from attendwise.web.ui.roles import Role
from tests.ui.factories import TODAY, open_task, school_with_case, staff

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_a_letter_approved_counts_in_the_week_of_the_school_day_it_was_approved():
    school, pupil = school_with_case()
    letter = open_task(pupil, "Letter 1").letters.get()
    # Recorded a fortnight later (a catch-up entry), approved for TODAY.
    recorded = dt.datetime(2025, 9, 30, 16, 0, tzinfo=LONDON)
    approve_letter(letter, staff(school, Role.OFFICER), recorded, on=TODAY)

    figures = dashboard(SchoolRules.of(school), TODAY, safeguarding=False)
    later = dashboard(SchoolRules.of(school), dt.date(2025, 9, 30), safeguarding=False)

    assert figures.this_week["letters approved"] == 1
    assert later.this_week["letters approved"] == 0
