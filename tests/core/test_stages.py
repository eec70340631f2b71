"""Indicated stages on the reference calendar (EXAMPLES.md E20, E22 to E24)."""

import datetime as dt
from decimal import Decimal

import pytest

from attendwise.core.policy import shipped_policy
from attendwise.core.pupilday import day_figures, indicated_stage
from tests.factories import both, full_register, pupil_day, reference_calendar

D = dt.date
AUTUMN_START, AUTUMN_END = D(2025, 9, 3), D(2025, 12, 19)


def stage_on(as_of, absences):
    calendar, policy = reference_calendar(), shipped_policy()
    marks = full_register(
        calendar, first=AUTUMN_START, last=AUTUMN_END, absences=absences
    )
    figures = day_figures(pupil_day(marks, as_of=as_of), calendar, policy)
    return figures, indicated_stage(figures, policy)


def absences_on(days, code):
    """Return `code` for AM then PM sessions of `days`, one per session."""
    result = {}
    for day in days:
        for session in ("AM", "PM"):
            result[(day, session)] = code
    return result


def first_sessions(count, code, skip=0):
    """Return `count` sessions coded `code`, from the first school days."""
    calendar = reference_calendar()
    sessions = [
        (day, session)
        for day in calendar.school_days_between(AUTUMN_START, D(2025, 10, 14))
        for session in ("AM", "PM")
    ]
    return {key: code for key in sessions[skip : skip + count]}


def test_e20_one_day_of_illness_indicates_stage_1_without_a_six_week_figure():
    figures, indication = stage_on(D(2025, 9, 29), both(D(2025, 9, 29), "I"))
    assert (figures.ytd.attended, figures.ytd.possible) == (36, 38)
    assert figures.ytd.percent() == Decimal("94.7")
    assert figures.six_week is None
    assert indication.stage == 1


def test_e22_no_stage_under_twenty_possible_sessions_then_stage_1():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    figures, indication = stage_on(D(2025, 9, 15), absences)
    assert (figures.ytd.attended, figures.ytd.possible) == (15, 18)
    assert indication.stage == 0
    figures, indication = stage_on(D(2025, 9, 16), absences)
    assert (figures.ytd.attended, figures.ytd.possible) == (17, 20)
    assert indication.stage == 1


def test_e23_stage_3_on_the_thirtieth_school_day():
    calendar = reference_calendar()
    mondays_tuesdays = [
        day
        for day in calendar.school_days_between(D(2025, 9, 8), D(2025, 10, 14))
        if day.weekday() in (0, 1)
    ]
    absences = absences_on(mondays_tuesdays, "O")
    figures, indication = stage_on(D(2025, 9, 16), absences)
    assert (figures.ytd.attended, figures.ytd.possible, indication.stage) == (12, 20, 1)
    figures, indication = stage_on(D(2025, 10, 14), absences)
    assert figures.six_week is not None
    assert (figures.six_week.attended, figures.six_week.possible) == (36, 60)
    assert figures.six_week.unauthorised == 24
    assert indication.stage == 3


@pytest.mark.parametrize(
    ("o", "i", "attended", "stage"),
    [(6, 0, 54, 1), (7, 0, 53, 2), (10, 2, 48, 2), (10, 3, 47, 3), (9, 4, 47, 2)],
)
def test_e24_boundaries_on_the_thirtieth_school_day(o, i, attended, stage):
    absences = first_sessions(o, "O") | first_sessions(i, "I", skip=o)
    figures, indication = stage_on(D(2025, 10, 14), absences)
    assert figures.six_week is not None
    assert (figures.six_week.attended, figures.six_week.possible) == (attended, 60)
    assert (figures.ytd.attended, figures.ytd.possible) == (attended, 60)
    assert indication.stage == stage


@pytest.mark.parametrize(("o", "stage"), [(2, 0), (3, 1)])
def test_e24_the_target_is_strict_on_the_twenty_fifth_day(o, stage):
    figures, indication = stage_on(D(2025, 10, 7), first_sessions(o, "O"))
    assert figures.ytd.possible == 50
    assert indication.stage == stage


def test_e24_study_leave_is_shown_but_left_out_of_the_intervention_figure():
    figures, indication = stage_on(D(2025, 10, 7), first_sessions(3, "S"))
    assert (figures.ytd.attended, figures.ytd.possible) == (47, 50)
    assert (figures.ytd.i_attended, figures.ytd.i_possible) == (47, 47)
    assert indication.stage == 0


def test_exactly_ninety_percent_is_persistent_absence_but_not_stage_2():
    figures, indication = stage_on(D(2025, 10, 14), first_sessions(6, "O"))
    six = figures.six_week
    assert six is not None
    assert six.absent * 10 >= six.possible
    assert indication.stage == 1
