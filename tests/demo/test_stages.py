"""On the last day of the autumn term the demo shows every stage and check.

The rules are POLICY.md's, counted plainly in tests.demo.counting.
"""

import datetime as dt
import itertools
from functools import cache

import pytest

from attendwise.demo import DEFAULT_SEED, Profile, generate_school
from tests.demo.counting import (
    LAST_AUTUMN_DAY,
    autumn_school,
    count,
    marks_by_pupil,
    stage_figures,
)
from tests.factories import reference_calendar

#: Each test here runs on a whole generated autumn term.
pytestmark = pytest.mark.slow


@cache
def figures_of_every_pupil(seed=DEFAULT_SEED):
    school = autumn_school(seed)
    by_pupil = marks_by_pupil(school)
    return {
        pupil.student_id: stage_figures(
            pupil, by_pupil[pupil.student_id], LAST_AUTUMN_DAY
        )
        for pupil in school.pupils
    }


def test_a_pupil_is_at_stage_1_only_with_ytd_just_under_96_percent():
    assert any(
        f.stage == 1
        and f.ytd.attended * 100 >= 94 * f.ytd.possible
        and f.six_weeks is not None
        for f in figures_of_every_pupil().values()
    )


def test_a_pupil_is_at_stage_2_with_six_weeks_between_80_and_90_percent():
    assert any(
        f.stage == 2 and f.six_weeks.attended * 100 >= 80 * f.six_weeks.possible
        for f in figures_of_every_pupil().values()
    )


def test_a_pupil_is_at_stage_3_with_ten_settled_unauthorised_sessions():
    assert any(f.stage == 3 for f in figures_of_every_pupil().values())


def test_a_pupil_under_80_percent_mostly_ill_is_at_stage_2_not_3():
    assert any(
        f.stage == 2 and f.six_weeks.attendance_below(80)
        for f in figures_of_every_pupil().values()
    )


def test_a_pupil_has_three_lates_after_the_register_closed():
    school = autumn_school()
    lates = [
        sum(m.code == "U" for m in marks) for marks in marks_by_pupil(school).values()
    ]
    assert max(lates) >= 3


def test_a_pupil_has_absences_with_no_reason_yet():
    assert any(m.code == "N" for m in autumn_school().marks)


def test_a_pupil_has_been_ill_for_fifteen_consecutive_school_days():
    calendar = reference_calendar()

    def longest_illness(marks):
        ill_days = sorted(
            {m.day for m in marks if m.code == "I"}
            - {m.day for m in marks if m.code != "I"}
        )
        longest = run = 0
        for earlier, later in itertools.pairwise([None, *ill_days]):
            consecutive = (
                earlier is not None and calendar.add_school_days(earlier, 1) == later
            )
            run = run + 1 if consecutive else 1
            longest = max(longest, run)
        return longest

    longest = max(map(longest_illness, marks_by_pupil(autumn_school()).values()))
    assert longest >= 15


def test_a_pupil_improves_after_early_absence():
    calendar = reference_calendar()
    days = calendar.school_days_between(autumn_school().marks[0].day, LAST_AUTUMN_DAY)
    first, last = set(days[:30]), set(days[-30:])

    def improved(marks):
        early = count(m for m in marks if m.day in first)
        late = count(m for m in marks if m.day in last)
        return early.attendance_below(80) and not late.attendance_below(96)

    assert any(map(improved, marks_by_pupil(autumn_school()).values()))


#: The figures scripts.py documents: (YTD attended, possible), (6 weeks
#: attended, possible), settled unauthorised in 6 weeks, indicated stage.
DOCUMENTED = {
    Profile.STAGE_1_ONLY: ((139, 146), (58, 60), 0, 1),
    Profile.STAGE_2: ((130, 146), (51, 60), 2, 2),
    Profile.STAGE_3_TRUANCY: ((118, 146), (36, 60), 18, 3),
    Profile.STAGE_3_HOLIDAY: ((126, 146), (40, 60), 20, 3),
    Profile.LATE_AFTER_CLOSE: ((142, 146), (58, 60), 2, 0),
    Profile.UNRESOLVED_N: ((137, 146), (55, 60), 0, 1),
    Profile.LONG_ILLNESS: ((116, 146), (30, 60), 0, 2),
    Profile.IMPROVING: ((129, 146), (60, 60), 0, 1),
    Profile.SEVERE: ((64, 146), (18, 60), 15, 3),
}


def test_every_scripted_profile_is_documented():
    assert set(DOCUMENTED) == set(Profile) - {Profile.MODELLED}


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 11])
@pytest.mark.parametrize("profile", list(DOCUMENTED))
def test_each_scripted_pupil_has_the_figures_its_profile_documents(seed, profile):
    (pupil,) = autumn_school(seed).with_profile(profile)
    figures = figures_of_every_pupil(seed)[pupil.student_id]
    ytd, six_weeks, settled, stage = DOCUMENTED[profile]
    assert (figures.ytd.attended, figures.ytd.possible) == ytd
    assert (figures.six_weeks.attended, figures.six_weeks.possible) == six_weeks
    assert figures.settled_unauthorised == settled
    assert figures.stage == stage


def test_the_improving_pupil_was_at_stage_3_in_mid_october():
    mid_october = dt.date(2025, 10, 14)
    school = generate_school(
        seed=DEFAULT_SEED, calendar=reference_calendar(), through=mid_october
    )
    (pupil,) = school.with_profile(Profile.IMPROVING)
    marks = marks_by_pupil(school)[pupil.student_id]
    assert stage_figures(pupil, marks, mid_october).stage == 3
