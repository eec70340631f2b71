"""The dashboard's figures for this week and next."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import html5lib
import pytest

from attendwise.web.cases.letters import approve_letter
from attendwise.web.cases.services import SchoolRules
from attendwise.web.ui.dashboard import dashboard
from attendwise.web.ui.roles import Role
from attendwise.web.ui.templatetags.figures import percent
from tests.factories import make_pupil
from tests.ui.factories import TODAY, open_task, school_with_case, signed_in, staff
from tests.ui.html import check_page

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


def year_rows(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Return the year-group table's cells as text, by the row's heading."""
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    table = document.findall(".//table")[-1]
    return {
        row.find("th").text: [" ".join(td.itertext()) for td in row.findall("td")]
        for row in table.iterfind("./tbody/tr")
    }


def test_a_year_group_with_no_severe_absence_shows_zero_not_a_dash():
    school, _ = school_with_case()
    response = signed_in(staff(school, Role.READ_ONLY)).get("/dashboard/")

    assert year_rows(response)["Year 8"] == ["1", "60.0%", "100.0%", "0.0%"]


def test_a_year_group_with_nobody_counted_says_not_available():
    school, _ = school_with_case()
    make_pupil(school, "1002", year_group=9)  # on roll, no marks yet
    response = signed_in(staff(school, Role.READ_ONLY)).get("/dashboard/")

    check_page(response)
    assert year_rows(response)["Year 9"] == ["0"] + ["– not available"] * 3


def test_a_percentage_keeps_one_place_and_none_is_said_in_words():
    assert percent(Decimal("0")) == "0.0%"
    assert percent(0.0) == "0.0%"
    assert percent(Decimal("93.45")) == "93.5%"
    assert percent(None) == (
        '<span aria-hidden="true">–</span>'
        '<span class="govuk-visually-hidden">not available</span>'
    )


def test_the_charts_say_what_the_dashed_line_and_the_colours_mean():
    school, _ = school_with_case()
    response = signed_in(staff(school, Role.READ_ONLY)).get("/dashboard/")

    assert (
        response.content.decode().count(
            "The dashed line is the school's target of 96%. Green bars are at or "
            "above it, orange bars below it but at 90% or more, red bars below 90%."
        )
        == 2
    )
