"""Marks as the register showed them on an earlier day (for the replay)."""

import datetime as dt

from attendwise.demo import DEFAULT_SEED, generate_school
from tests.factories import reference_calendar


def test_the_final_export_shows_each_mark_as_known_on_its_last_day():
    calendar = reference_calendar()
    through = dt.date(2025, 12, 19)
    school = generate_school(seed=DEFAULT_SEED, calendar=calendar, through=through)
    position = {day: i for i, day in enumerate(calendar.school_days)}

    for mark in school.marks:
        days_since = position[through] - position[mark.day]
        assert mark.shown(days_since) == mark.code


def test_an_earlier_export_agrees_with_the_marks_as_then_known():
    calendar = reference_calendar()
    earlier = dt.date(2025, 11, 12)
    school = generate_school(
        seed=DEFAULT_SEED, calendar=calendar, through=dt.date(2025, 12, 19)
    )
    then = generate_school(seed=DEFAULT_SEED, calendar=calendar, through=earlier)
    position = {day: i for i, day in enumerate(calendar.school_days)}
    replayed = {
        (m.day, m.session, m.student_id): m.shown(position[earlier] - position[m.day])
        for m in school.marks
        if m.day <= earlier
    }
    exported = {(m.day, m.session, m.student_id): m.code for m in then.marks}

    assert replayed == exported
    assert "N" in replayed.values()
