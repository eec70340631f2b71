"""The default demo school against CODES.md's national figures for a
secondary in an autumn term."""

import pytest

from attendwise.core.codes import classify
from tests.demo.counting import autumn_figures, autumn_school
from tests.factories import reference_calendar

#: Each test here runs on a whole generated autumn term.
pytestmark = pytest.mark.slow


def test_overall_absence_is_8_to_9_percent_of_possible_sessions():
    assert 8.0 <= autumn_figures().absence <= 9.0


def test_illness_is_about_half_of_all_absence():
    assert 45.0 <= autumn_figures().illness_share <= 55.0


def test_unauthorised_absence_is_3_to_3_and_a_half_percent():
    assert 3.0 <= autumn_figures().unauthorised <= 3.5


def test_22_to_28_percent_of_pupils_are_persistently_absent():
    assert 22.0 <= autumn_figures().persistent <= 28.0


def test_1_to_3_percent_of_pupils_are_severely_absent():
    assert 1.0 <= autumn_figures().severe <= 3.0


def test_pupils_with_free_school_meals_are_absent_about_twice_as_often():
    assert 1.7 <= autumn_figures().fsm_ratio <= 2.3


def test_absence_is_lowest_early_in_term_and_rises_towards_christmas():
    days = reference_calendar().school_days_between(
        autumn_school().marks[0].day, autumn_school().through
    )
    first, last = set(days[:15]), set(days[-15:])

    def absence_rate(window: set) -> float:
        counted = [
            classify(m.code, m.day).category
            for m in autumn_school().marks
            if m.day in window
        ]
        possible = [c for c in counted if c.is_possible]
        return sum(c.is_absence for c in possible) / len(possible)

    assert absence_rate(last) > 1.4 * absence_rate(first)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_stay_close_to_the_calibration(seed):
    # Risk is stratified across pupils, so the seed moves pupils around
    # more than it moves the school's figures.
    figures = autumn_figures(seed)
    assert 7.5 <= figures.absence <= 9.5
    assert 42.0 <= figures.illness_share <= 58.0
    assert 2.7 <= figures.unauthorised <= 4.0
    assert 20.0 <= figures.persistent <= 30.0
    assert 0.5 <= figures.severe <= 3.5
    assert 1.6 <= figures.fsm_ratio <= 2.5
