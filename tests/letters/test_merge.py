import datetime as dt

import pytest

from attendwise.letters.fields import FIELD_NAMES
from attendwise.letters.kinds import LetterKind
from attendwise.letters.merge import (
    Agency,
    HistoryEntry,
    Meeting,
    Session,
    ThresholdWindow,
    clock_time,
    letter_context,
)
from attendwise.letters.recipients import addressees
from tests.letters.examples import contact, facts, father_elsewhere, figures

D = dt.date


def home_copy() -> dict[str, object]:
    (home,) = addressees([contact()])
    return letter_context(facts(), home)


def test_a_context_holds_exactly_the_declared_fields():
    assert set(home_copy()) == FIELD_NAMES


def test_e20s_figures_are_merged_exactly():
    merged = home_copy()

    assert {
        key: merged[key]
        for key in (
            "period_first",
            "period_last",
            "possible",
            "attended",
            "attendance_percent",
            "sessions_missed",
            "authorised",
            "unauthorised",
            "intervention_line",
            "attendance_target",
        )
    } == {
        "period_first": "3 September 2025",
        "period_last": "29 September 2025",
        "possible": 38,
        "attended": 36,
        "attendance_percent": "94.7%",
        "sessions_missed": 2,
        "authorised": 2,
        "unauthorised": 0,
        "intervention_line": "",
        "attendance_target": "96%",
    }


def test_percentages_round_half_up_to_one_place():
    (home,) = addressees([contact()])
    merged = letter_context(facts(figures=figures(possible=80, attended=77)), home)

    assert merged["attendance_percent"] == "96.3%"


def test_no_possible_sessions_shows_not_available():
    (home,) = addressees([contact()])
    empty = figures(possible=0, attended=0, authorised=0, i_possible=0, i_attended=0)

    assert letter_context(facts(figures=empty), home)["attendance_percent"] == (
        "not available"
    )


def test_the_intervention_figure_is_a_second_line_when_it_differs():
    # 40 possible, 36 attended; 4 C2 sessions left out: 36 of 36 would be
    # 100%, so take 32 of 36 attended instead.
    window = figures(possible=40, attended=32, i_possible=36, i_attended=32)
    (home,) = addressees([contact()])

    merged = letter_context(facts(figures=window, left_out_codes=("C2",)), home)

    assert merged["attendance_percent"] == "80.0%"
    assert merged["intervention_line"] == "leaving out sessions coded C2: 88.9%"


def test_several_codes_left_out_are_listed_in_words():
    window = figures(possible=40, attended=36, i_possible=38, i_attended=34)
    (home,) = addressees([contact()])

    merged = letter_context(facts(figures=window, left_out_codes=("C2", "E")), home)

    assert merged["intervention_line"] == "leaving out sessions coded C2 and E: 89.5%"


def test_no_second_line_when_both_figures_show_the_same():
    # 90.0% statutory; 81 of 90 is also 90.0%.
    window = figures(possible=100, attended=90, i_possible=90, i_attended=81)
    (home,) = addressees([contact()])

    merged = letter_context(facts(figures=window, left_out_codes=("C2",)), home)

    assert merged["intervention_line"] == ""


def test_a_copy_to_a_parent_carries_only_its_own_address():
    _home, other = addressees([contact(), father_elsewhere()])
    referral_facts = facts(
        pupil_address_lines=("23 Patricia Cliff", "Saraville", "LA90 8SP"),
        parents_named=(contact(), father_elsewhere()),
        history=(HistoryEntry(D(2025, 9, 30), "Letter 1 sent."),),
    )

    merged = letter_context(referral_facts, other)

    assert merged["address_block"] == [
        "Mr Richard Price",
        "38 Ashley Views",
        "South Billy",
        "BA4A 1ZF",
    ]
    assert merged["pupil_address_lines"] == []
    assert merged["parents_named"] == []
    assert merged["history"] == []
    assert "LA90 8SP" not in repr(merged)


def test_a_referral_carries_the_pupil_the_parents_and_the_history():
    referral_facts = facts(
        kind=LetterKind.LA_REFERRAL,
        pupil_address_lines=("23 Patricia Cliff", "Saraville", "LA90 8SP"),
        parents_named=(contact(phone="01632 960123"), father_elsewhere()),
        history=(HistoryEntry(D(2025, 9, 30), "Letter 1 sent."),),
    )
    agency = Agency("Local Authority attendance service", ("County Hall",))

    merged = letter_context(referral_facts, agency)

    assert merged["address_block"] == [
        "Local Authority attendance service",
        "County Hall",
    ]
    assert merged["salutation"] == "Dear colleague"
    assert merged["parents_named"] == [
        {
            "name": "Mrs June Allen",
            "relationship": "Mother",
            "parental_responsibility": "yes",
            "lives_with_pupil": "yes",
            "address": "23 Patricia Cliff, Saraville, LA90 8SP",
            "phone": "01632 960123",
            "note": "",
        },
        {
            "name": "Mr Richard Price",
            "relationship": "Father",
            "parental_responsibility": "yes",
            "lives_with_pupil": "no",
            "address": "38 Ashley Views, South Billy, BA4A 1ZF",
            "phone": "",
            "note": "",
        },
    ]
    assert merged["history"] == [
        {"date": "30 September 2025", "text": "Letter 1 sent."}
    ]


def test_meetings_sessions_and_the_threshold_window_are_written_in_words():
    (home,) = addressees([contact()])
    merged = letter_context(
        facts(
            meeting=Meeting(D(2025, 10, 20), dt.time(15, 30), "the Attendance Office"),
            missed_meeting=D(2025, 10, 13),
            listed_sessions=(
                Session(D(2025, 9, 8), "AM"),
                Session(D(2025, 9, 10), "PM"),
            ),
            threshold=ThresholdWindow(D(2025, 7, 14), D(2025, 9, 26), 10),
        ),
        home,
    )

    assert merged["meeting_date"] == "Monday 20 October 2025"
    assert merged["meeting_time"] == "3.30pm"
    assert merged["missed_meeting_date"] == "Monday 13 October 2025"
    assert merged["listed_sessions"] == [
        "Monday 8 September 2025, morning",
        "Wednesday 10 September 2025, afternoon",
    ]
    assert (merged["threshold_first"], merged["threshold_unauthorised"]) == (
        "14 July 2025",
        10,
    )


@pytest.mark.parametrize(
    ("time", "text"),
    [
        (dt.time(9, 0), "9.00am"),
        (dt.time(12, 15), "12.15pm"),
        (dt.time(0, 5), "12.05am"),
    ],
)
def test_clock_times_read_the_british_way(time, text):
    assert clock_time(time) == text
