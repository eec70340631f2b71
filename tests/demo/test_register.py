"""The demo school's register: where marks are, and what a reader finds."""

import datetime as dt
from collections import Counter

import pytest

from attendwise.core.codes import classify
from attendwise.demo import DEFAULT_SEED, Profile, generate_school
from tests.demo.counting import LAST_AUTUMN_DAY, autumn_school, marks_by_pupil
from tests.factories import reference_calendar

#: Each test here runs on a whole generated autumn term.
pytestmark = pytest.mark.slow
D = dt.date


def test_marks_fall_only_on_school_days_up_to_the_export_day():
    calendar = reference_calendar()
    days = {mark.day for mark in autumn_school().marks}
    assert all(calendar.is_school_day(day) for day in days)
    assert min(days) == D(2025, 9, 3)
    assert max(days) == LAST_AUTUMN_DAY


def test_marks_fall_only_within_each_pupils_roll_dates():
    school = autumn_school()
    by_pupil = marks_by_pupil(school)
    for pupil in school.pupils:
        for mark in by_pupil[pupil.student_id]:
            assert pupil.entry_date <= mark.day
            assert pupil.leaving_date is None or mark.day <= pupil.leaving_date


def test_every_pupil_has_both_sessions_marked_on_every_school_day_on_roll():
    school = autumn_school()
    calendar = reference_calendar()
    marked = Counter((m.student_id, m.day) for m in school.marks)
    sessions = Counter((m.student_id, m.day, m.session) for m in school.marks)
    assert set(sessions.values()) == {1}
    for pupil in school.pupils:
        last = pupil.leaving_date or school.through
        for day in calendar.school_days_between(pupil.entry_date, last):
            assert marked[pupil.student_id, day] == 2


def test_every_mark_is_a_valid_code_on_its_day():
    for mark in autumn_school().marks:
        classify(mark.code, mark.day)


def test_marks_come_in_the_order_of_a_sims_export():
    keys = [(m.day, m.session, m.student_id) for m in autumn_school().marks]
    assert keys == sorted(keys)


def test_the_school_has_years_7_to_11_in_four_or_five_registration_groups():
    pupils = autumn_school().pupils
    assert Counter(p.year for p in pupils) == {7: 120, 8: 120, 9: 120, 10: 120, 11: 120}
    for year in range(7, 12):
        groups = Counter(p.reg_group for p in pupils if p.year == year)
        assert len(groups) in (4, 5)
        assert all(group.startswith(str(year)) for group in groups)


def test_some_pupils_join_and_some_leave_during_the_term():
    school = autumn_school()
    joiners = [p for p in school.pupils if p.entry_date > D(2025, 9, 3)]
    leavers = [p for p in school.pupils if p.leaving_date is not None]
    assert len(joiners) == 9
    assert len(leavers) == 6
    by_pupil = marks_by_pupil(school)
    for pupil in joiners:
        assert min(m.day for m in by_pupil[pupil.student_id]) == pupil.entry_date
    for pupil in leavers:
        assert max(m.day for m in by_pupil[pupil.student_id]) == pupil.leaving_date


def test_an_earlier_export_leaves_out_later_joiners_and_future_leaving_dates():
    early = generate_school(
        seed=DEFAULT_SEED, calendar=reference_calendar(), through=D(2025, 10, 1)
    )
    late = autumn_school()
    later_joiners = {p.student_id for p in late.pupils if p.entry_date > D(2025, 10, 1)}
    assert later_joiners
    assert {p.student_id for p in early.pupils} == {
        p.student_id for p in late.pupils
    } - later_joiners
    assert all(
        p.leaving_date is None or p.leaving_date <= D(2025, 10, 1) for p in early.pupils
    )


def test_an_earlier_export_shows_the_same_marks_until_their_reasons_arrive():
    calendar = reference_calendar()
    through = D(2025, 11, 14)
    early = generate_school(seed=DEFAULT_SEED, calendar=calendar, through=through)
    late = {(m.day, m.session, m.student_id): m.code for m in autumn_school().marks}
    for mark in early.marks:
        later_code = late[mark.day, mark.session, mark.student_id]
        if mark.code == "N":
            assert calendar.school_days_after(mark.day, through) < 5
        else:
            assert later_code == mark.code


def test_unexplained_absences_are_n_only_in_the_last_few_school_days():
    calendar = reference_calendar()
    school = autumn_school()
    n_days = Counter(m.day for m in school.marks if m.code == "N")
    assert set(n_days) <= set(calendar.last_school_days(school.through, 5))
    assert n_days[school.through] > 0


def test_a_few_families_take_a_holiday_in_the_week_before_half_term():
    school = autumn_school()
    week_before = set(
        reference_calendar().school_days_between(D(2025, 10, 20), D(2025, 10, 24))
    )
    modelled = {p.student_id for p in school.with_profile(Profile.MODELLED)}
    holidays = [m for m in school.marks if m.code == "G" and m.student_id in modelled]
    assert {m.day for m in holidays} <= week_before
    assert 5 <= len({m.student_id for m in holidays}) <= 40


def test_two_pupils_are_dual_registered_on_fixed_weekdays():
    school = autumn_school()
    dual = [p for p in school.pupils if p.dual_weekdays]
    assert len(dual) == 2
    by_pupil = marks_by_pupil(school)
    for pupil in dual:
        for mark in by_pupil[pupil.student_id]:
            on_other_school_day = mark.day.weekday() in pupil.dual_weekdays
            assert (mark.code == "D") == on_other_school_day
    assert {m.student_id for m in school.marks if m.code == "D"} == {
        p.student_id for p in dual
    }


def test_lates_before_close_are_common_and_after_close_belong_to_a_minority():
    codes = {
        sid: Counter(m.code for m in marks)
        for sid, marks in marks_by_pupil(autumn_school()).items()
    }
    pupils = len(codes)
    assert sum(c["L"] > 0 for c in codes.values()) > pupils / 2
    assert sum(c["U"] > 0 for c in codes.values()) < pupils / 5
    assert 3 <= sum(c["U"] >= 3 for c in codes.values()) <= pupils / 20


def test_one_registration_group_goes_on_a_school_trip():
    trips = {(m.day, m.student_id) for m in autumn_school().marks if m.code == "V"}
    assert {day for day, _ in trips} == {D(2025, 10, 14)}
    groups = {autumn_school().pupil(sid).reg_group for _, sid in trips}
    assert len(groups) == 1
    assert groups.pop().startswith("9")
