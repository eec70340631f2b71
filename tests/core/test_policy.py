"""The policy file: validation, documentation, and another school's policy."""

import datetime as dt
from pathlib import Path

import pytest

from attendwise.core.policy import (
    IMPROVED_SETTINGS,
    SETTINGS,
    PolicyError,
    load_policy,
    shipped_policy,
    shipped_policy_text,
)
from tests.factories import both, full_register, reference_calendar, walk

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


def test_the_shipped_policy_loads_with_every_node_of_both_appendices():
    policy = shipped_policy()
    assert {"B0", "B1", "B2", "L1", "M0", "M1", "L2", "L3", "Q2", "L4"} <= set(
        policy.nodes
    )
    assert {"C0", "C1", "C2", "C3", "FPN", "LA"} <= set(policy.nodes)
    assert policy.setting("school_target") == 96
    assert policy.not_possible == {"C1", "C2", "E", "J1", "R", "S"}


def test_every_setting_is_documented_with_its_basis():
    text = DOCS.read_text(encoding="utf-8")
    for name, spec in {**SETTINGS, **IMPROVED_SETTINGS}.items():
        assert spec.help, name
        assert f"`{name}`" in text, f"docs/policy.md does not describe {name}"


def broken(old, new):
    return shipped_policy_text().replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (broken("school_target = 96", "school_target = '96'"), "expected int"),
        (broken("minimum_possible = 20\n", ""), "minimum_possible: missing"),
        (broken('not_improved = "M0"', 'not_improved = "M9"'), "'M9': no such node"),
        (broken('role = "cfsw"', 'role = "caretaker"'), "role 'caretaker'"),
        (broken('letter = "letter_1"', 'letter = "letter_9"'), "letter 'letter_9'"),
        (broken("[settings]", "[settings]\nholiday_fines = true"), "not a known"),
        (broken('kind = "question"', 'kind = "maybe"'), "must be question"),
        ("name = ", "not valid TOML"),
        (broken("school_target = 96", "school_target = 196"), "from 1 to 100"),
        (
            broken("stage3_six_week_below = 80", "stage3_six_week_below = 95"),
            "Stage 3 is the lower band",
        ),
        (
            broken('"C1", "C2", "E"', '"C1", "/", "E"'),
            "'/' is not an absence code",
        ),
    ],
)
def test_a_broken_policy_says_what_to_fix(text, message):
    with pytest.raises(PolicyError, match=message):
        load_policy(text, "test.toml")


LIMIT = "daily_new_proposals_per_role = 0"


def test_a_daily_limit_on_new_proposals_is_a_setting_like_any_other():
    policy = load_policy(broken(LIMIT, "daily_new_proposals_per_role = 5"), "test.toml")
    assert policy.setting("daily_new_proposals_per_role") == 5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2.5", "expected int (a whole number, such as 5), got 2.5"),
        ("'5'", "expected int (a whole number, such as 5), got '5'"),
        ("true", "expected int (a whole number, such as 5), got True"),
        ("-1", "must not be negative, got -1"),
    ],
)
def test_a_daily_limit_that_is_not_a_whole_number_says_what_it_should_be(
    value, message
):
    with pytest.raises(PolicyError) as error:
        load_policy(broken(LIMIT, f"daily_new_proposals_per_role = {value}"), "t")
    assert error.value.problems == [
        f"[settings] daily_new_proposals_per_role: {message} (At most this many "
        "new pathway proposals per role go on the worklist each day, the most "
        "urgent first; the rest are queued. 0 means no limit.)"
    ]


def test_every_problem_is_listed_at_once():
    text = broken("school_target = 96", "school_target = -1")
    text = text.replace('not_improved = "M0"', 'not_improved = "M9"')
    with pytest.raises(PolicyError) as error:
        load_policy(text, "test.toml")
    assert len(error.value.problems) == 2


SMALL_POLICY = """
name = "Brookside Primary attendance policy"

[roles]
office = "School office"
head = "Headteacher"
safeguarding = "Designated safeguarding lead"
attendance = "Attendance lead"

[settings]
{settings}

[improved]
review_at_least = 95
points_above_baseline = 5
baseline_min_possible = 20
ytd_min_possible = 20
max_absent_sessions = 1

[pathways]
stage1 = "P1"
stage2 = "P3"
stage3 = "P3"

[nodes.P1]
kind = "step"
title = "Friendly reminder letter"
letter = "letter_1"
role = "office"
check_after = 10
improved = "monitor"
not_improved = "P2"

[nodes.P2]
kind = "step"
title = "Meeting with the headteacher"
letter = "letter_3"
role = "head"
meeting = true
check_after = 10
improved = "monitor"
not_improved = "P3"

[nodes.P3]
kind = "decision"
title = "Refer to the attendance service?"
role = "head"
options = {{ "refer" = "monitor", "not yet" = "P1" }}

[monitoring.resume]
P1 = "P2"
P2 = "P3"
"""


def small_policy():
    settings = shipped_policy_text().split("[settings]\n", 1)[1].split("\n\n", 1)[0]
    settings = settings.replace("school_target = 96", "school_target = 95")
    settings = settings.replace("stage1_ytd_below = 96", "stage1_ytd_below = 95")
    return load_policy(SMALL_POLICY.format(settings=settings), "brookside.toml")


def test_another_school_runs_its_own_sequence_from_a_new_file():
    policy = small_policy()
    calendar = reference_calendar()
    absences = both(dt.date(2025, 9, 29), "I") | both(dt.date(2025, 10, 6), "O")
    absences |= both(dt.date(2025, 10, 13), "O") | both(dt.date(2025, 10, 20), "O")
    marks = full_register(
        calendar,
        first=dt.date(2025, 9, 3),
        last=dt.date(2025, 12, 19),
        absences=absences,
    )
    result = walk(
        marks, first=dt.date(2025, 9, 3), last=dt.date(2025, 11, 7), policy=policy
    )

    assert result.first_day_proposing("Friendly reminder letter") == dt.date(
        2025, 9, 29
    )
    check = result.events_of("check")[0]
    assert check.day == dt.date(2025, 10, 13)
    assert check.data == {"node": "P1", "improved": False}
    assert result.first_day_proposing("Meeting with the headteacher") == dt.date(
        2025, 10, 13
    )
