"""The ongoing procedures (POLICY.md) and the national threshold (E12, E13)."""

import datetime as dt

import pytest

from attendwise.core.calendar import Closure, ClosureKind, SchoolCalendar, Term
from attendwise.core.ongoing import OngoingHistory, ongoing_proposals
from attendwise.core.policy import shipped_policy
from attendwise.core.pupilday import Session, day_figures
from tests.factories import both, full_register, pupil_day, reference_calendar

D = dt.date
START, END = D(2025, 9, 3), D(2025, 12, 19)


def autumn_2024() -> SchoolCalendar:
    return SchoolCalendar(
        name="Autumn 2024",
        terms=(Term("Autumn 2024", D(2024, 9, 4), D(2024, 12, 20)),),
        closures=(
            Closure(D(2024, 10, 28), D(2024, 11, 1), ClosureKind.HOLIDAY, "half term"),
        ),
    )


NO_HISTORY = OngoingHistory()


def items_on(as_of, absences, *, calendar=None, history=NO_HISTORY, **facts):
    calendar = calendar or reference_calendar()
    policy = shipped_policy()
    first = calendar.first_school_day(2025 if as_of.year == 2025 else 2024)
    marks = full_register(calendar, first=first, last=END, absences=absences)
    pupil = pupil_day(marks, as_of=as_of, calendar=calendar, entry=first, **facts)
    figures = day_figures(pupil, calendar, policy)
    return ongoing_proposals(pupil, figures, calendar, policy, history)


def titled(items, title):
    return [item for item in items if item.title.startswith(title)]


E12 = {
    **both(D(2024, 10, 7), "G"),
    **both(D(2024, 10, 8), "G"),
    (D(2024, 10, 21), "AM"): "U",
    (D(2024, 10, 23), "AM"): "U",
    (D(2024, 11, 7), "PM"): "O",
    **both(D(2024, 12, 16), "U"),
    (D(2024, 12, 17), "AM"): "U",
    **both(D(2024, 11, 20), "I"),
    **both(D(2024, 9, 30), "I"),
}


def test_e12_the_threshold_is_first_met_on_17_december_2024():
    calendar = autumn_2024()
    assert not titled(items_on(D(2024, 12, 16), E12, calendar=calendar), "Penalty")
    items = titled(items_on(D(2024, 12, 17), E12, calendar=calendar), "Penalty")
    assert len(items) == 1
    assert items[0].figures["penalty_window"] == {"first": "2024-10-07", "count": 10}


def test_e12_the_count_on_16_december_is_nine():
    calendar = autumn_2024()
    policy = shipped_policy()
    marks = full_register(calendar, first=D(2024, 9, 4), last=END, absences=E12)
    pupil = pupil_day(
        marks, as_of=D(2024, 12, 16), calendar=calendar, entry=D(2024, 9, 4)
    )
    figures = day_figures(pupil, calendar, policy)
    assert figures.penalty.first == D(2024, 10, 7)
    assert figures.penalty.unauthorised == 9


def test_e13_n_marks_count_towards_the_threshold():
    absences = {**E12, **both(D(2024, 12, 16), "N"), (D(2024, 12, 17), "AM"): "N"}
    items = titled(
        items_on(D(2024, 12, 17), absences, calendar=autumn_2024()), "Penalty"
    )
    assert len(items) == 1


def test_a_second_penalty_item_needs_ten_sessions_after_the_last_counted():
    calendar = autumn_2024()
    history = OngoingHistory(last_penalty=Session(D(2024, 12, 17), "AM"))
    items = items_on(D(2024, 12, 17), E12, calendar=calendar, history=history)
    assert not titled(items, "Penalty")


def test_e22_letter_l_on_the_third_u():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    assert not titled(items_on(D(2025, 9, 12), absences), "Letter L")
    items = titled(items_on(D(2025, 9, 15), absences), "Letter L")
    assert len(items) == 1
    assert items[0].payload["counted"] == [
        "Mon 08 Sep 2025 AM",
        "Wed 10 Sep 2025 AM",
        "Mon 15 Sep 2025 AM",
    ]


def test_letter_l_counts_only_lates_after_the_previous_letter():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
        (D(2025, 9, 16), "AM"): "U",
    }
    history = OngoingHistory(last_letter_l=Session(D(2025, 9, 15), "AM"))
    assert not titled(items_on(D(2025, 9, 19), absences, history=history), "Letter L")


def test_e21_n_to_o_is_proposed_five_school_days_after_the_sessions():
    absences = both(D(2025, 10, 2), "N")
    assert not titled(items_on(D(2025, 10, 8), absences), "Change N to O")
    items = titled(items_on(D(2025, 10, 9), absences), "Change N to O")
    assert [item.payload for item in items] == [
        {"date": "2025-10-02", "sessions": ["AM", "PM"]}
    ]


def test_e21_the_n_puts_the_pupil_on_the_first_day_contact_list():
    items = titled(items_on(D(2025, 10, 2), both(D(2025, 10, 2), "N")), "First-day")
    assert [item.title for item in items] == ["First-day call: first day of absence"]


def test_an_afternoon_n_after_a_present_morning_is_a_first_day_call():
    items = items_on(D(2025, 10, 2), {(D(2025, 10, 2), "PM"): "N"})
    assert titled(items, "First-day call")


def test_the_second_day_of_n_is_a_continuing_absence():
    absences = both(D(2025, 10, 2), "N") | both(D(2025, 10, 3), "N")
    items = titled(items_on(D(2025, 10, 3), absences), "First-day")
    assert [item.title for item in items] == ["First-day call: continuing absence"]


def test_ten_continuous_days_of_unauthorised_absence_across_half_term():
    calendar = reference_calendar()
    days = calendar.school_days_between(D(2025, 10, 20), D(2025, 11, 7))[:10]
    absences = {}
    for day in days:
        absences |= both(day, "O" if day.day % 2 else "G")
    absences |= both(days[4], "Y2")  # a day with nothing counted neither breaks
    assert not titled(items_on(days[-2], absences), "10 school days")
    items = titled(items_on(days[-1], absences), "9 school days") + titled(
        items_on(D(2025, 11, 10), absences | both(D(2025, 11, 10), "O")),
        "10 school days",
    )
    assert len(items) == 1


@pytest.mark.parametrize(("days", "raised"), [(4, False), (5, True)])
def test_five_consecutive_days_of_illness_ask_about_a_sickness_return(days, raised):
    calendar = reference_calendar()
    ill = calendar.school_days_between(D(2025, 11, 3), D(2025, 11, 14))[:days]
    absences = {}
    for day in ill:
        absences |= both(day, "I")
    items = titled(items_on(ill[-1], absences), "Illness")
    assert bool(items) is raised


def test_an_illness_run_keeps_its_item_after_the_pupil_returns():
    calendar = reference_calendar()
    ill = calendar.school_days_between(D(2025, 11, 3), D(2025, 11, 7))
    absences = {}
    for day in ill:
        absences |= both(day, "I")

    back = titled(items_on(D(2025, 11, 12), absences), "Illness")

    assert [(item.key, item.first_indicated_on) for item in back] == [
        ("ILL/2025-11-03", D(2025, 11, 7))
    ]
    assert back[0].title.startswith(
        "Illness for 5 consecutive school days from Mon 03 Nov"
    )


def test_the_year_total_and_a_run_of_illness_each_raise_their_own_item_once():
    calendar = reference_calendar()
    scattered = [D(2025, 9, day) for day in (8, 10, 12, 16, 18)]
    run = calendar.school_days_between(D(2025, 9, 22), D(2025, 9, 26))
    absences = {}
    for day in [*scattered, *run]:
        absences |= both(day, "I")

    on_friday = titled(items_on(D(2025, 9, 26), absences), "Illness")
    week_after = titled(items_on(D(2025, 10, 3), absences), "Illness")

    keys = [(item.key, item.first_indicated_on) for item in on_friday]
    assert keys == [
        ("ILL/2025-09-22", D(2025, 9, 26)),
        ("2025/ILL/total", D(2025, 9, 26)),
    ]
    assert [(item.key, item.first_indicated_on) for item in week_after] == keys


def test_ten_days_of_unauthorised_absence_stay_an_item_after_the_pupil_returns():
    calendar = reference_calendar()
    days = calendar.school_days_between(D(2025, 9, 8), D(2025, 9, 19))
    absences = {}
    for day in days:
        absences |= both(day, "O")

    items = titled(items_on(D(2025, 9, 24), absences), "10 school days")

    assert [(item.key, item.first_indicated_on) for item in items] == [
        ("LA/2025-09-08", D(2025, 9, 19))
    ]


def test_stage_4_holds_back_parent_letters_and_penalty_items():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    calendar, policy = reference_calendar(), shipped_policy()
    marks = full_register(calendar, first=START, last=END, absences=absences)
    pupil = pupil_day(marks, as_of=D(2025, 9, 15))
    figures = day_figures(pupil, calendar, policy)
    held = ongoing_proposals(
        pupil, figures, calendar, policy, OngoingHistory(), stage4=True
    )
    assert not titled(held, "Letter L")
