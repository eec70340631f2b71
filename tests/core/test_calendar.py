import datetime as dt

import pytest

from attendwise.core.calendar import (
    CalendarError,
    ClosureKind,
    academic_year_of,
    load_calendar,
)
from tests.factories import reference_calendar

D = dt.date


def test_the_reference_calendar_has_190_school_days():
    assert len(reference_calendar().school_days) == 190


@pytest.mark.parametrize(
    ("number", "day"),
    [
        (1, D(2025, 9, 3)),
        (10, D(2025, 9, 16)),
        (19, D(2025, 9, 29)),
        (22, D(2025, 10, 2)),
        (30, D(2025, 10, 14)),
    ],
)
def test_school_day_numbers_match_the_handbook(number, day):
    calendar = reference_calendar()
    assert calendar.school_days[number - 1] == day
    assert calendar.school_day_number(day) == number


@pytest.mark.parametrize(
    ("anchor", "count", "due"),
    [
        (D(2025, 9, 29), 15, D(2025, 10, 20)),
        (D(2025, 10, 20), 15, D(2025, 11, 17)),
        (D(2025, 10, 2), 5, D(2025, 10, 9)),
        (D(2025, 10, 2), 10, D(2025, 10, 16)),
    ],
)
def test_adding_school_days_skips_holidays(anchor, count, due):
    assert reference_calendar().add_school_days(anchor, count) == due


def test_counting_from_a_closed_day_starts_at_the_next_school_day():
    calendar = reference_calendar()
    assert calendar.add_school_days(D(2025, 10, 25), 1) == D(2025, 11, 3)


def test_bank_holidays_come_from_the_library_with_their_names():
    calendar = reference_calendar()
    closure = calendar.closure_on(D(2026, 5, 4))
    assert closure is not None
    assert closure.kind is ClosureKind.BANK_HOLIDAY
    assert closure.reason == "May Day"
    assert not calendar.is_school_day(D(2026, 5, 4))


def test_the_last_thirty_school_days_reach_back_over_half_term():
    days = reference_calendar().last_school_days(D(2025, 11, 7), 30)
    assert len(days) == 30
    assert days[0] == D(2025, 9, 22)
    assert days[-1] == D(2025, 11, 7)


def test_school_weeks_skip_the_half_term_week():
    weeks, incomplete = reference_calendar().last_school_weeks(D(2025, 11, 5), 3)
    assert weeks == (D(2025, 10, 13), D(2025, 10, 20), D(2025, 11, 3))
    assert not incomplete


def test_a_window_reaching_before_the_calendar_is_flagged_incomplete():
    weeks, incomplete = reference_calendar().last_school_weeks(D(2025, 9, 10), 10)
    assert weeks == (D(2025, 9, 1), D(2025, 9, 8))
    assert incomplete


def test_beyond_the_calendar_is_an_error_that_says_what_to_do():
    with pytest.raises(CalendarError, match="load the next year's calendar"):
        reference_calendar().add_school_days(D(2026, 7, 10), 15)


def test_academic_years_start_in_september():
    assert academic_year_of(D(2025, 9, 1)) == 2025
    assert academic_year_of(D(2026, 8, 31)) == 2025


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x'", "at least one"),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day=2025-09-10\nlast_day=2025-09-01",
            "ends .* before it starts",
        ),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day='3 Sep'\nlast_day=2025-09-01",
            "expected a date",
        ),
        (
            "name='x'\nholidays=1\n[[term]]\nname='A'\nfirst_day=2025-09-01\n"
            "last_day=2025-09-10",
            "unknown setting",
        ),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day=2025-09-01\nlast_day=2025-09-10\n"
            "[[closed]]\nfirst_day=2025-09-02\nkind='party'\nreason='x'",
            "kind must be",
        ),
        ("name = ", "not valid TOML"),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day=2025-09-01\nlast_day=2025-09-10\n"
            "[[closed]]\nfirst_day=2025-10-02\nreason='x'",
            "does not lie within a term",
        ),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day=2025-09-06\nlast_day=2025-09-07",
            "no school days",
        ),
        (
            "name='x'\n[[term]]\nname='A'\nfirst_day=2025-09-01\nlast_day=2025-09-10\n"
            "[[closed]]\nfirst_day=2025-09-02\nlast_dya=2025-09-05\nreason='x'",
            "unknown entry last_dya",
        ),
    ],
)
def test_a_bad_calendar_file_says_what_is_wrong(text, message):
    with pytest.raises(CalendarError, match=message):
        load_calendar(text, "test.toml")
