"""The pathway examples of EXAMPLES.md (E20 to E23), walked day by day."""

import datetime as dt

from attendwise.core.pathway import Action, Decision, Phase
from attendwise.core.pupilday import CallOutcome
from tests.factories import (
    both,
    confirm_everything,
    full_register,
    reference_calendar,
    walk,
)

D = dt.date
START, END = D(2025, 9, 3), D(2025, 12, 19)


def register(absences):
    return full_register(reference_calendar(), first=START, last=END, absences=absences)


def test_e20_letter_1_then_improvement_and_monitoring():
    result = walk(
        register(both(D(2025, 9, 29), "I")), first=START, last=D(2025, 11, 17)
    )

    assert result.first_day_proposing("Letter 1") == D(2025, 9, 29)
    opened = result.events_of("case opened")[0]
    assert opened.figures["ytd"]["attended"] == 36
    assert opened.figures["ytd"]["possible"] == 38
    assert opened.figures["ytd"]["percent"] == "94.7%"
    assert "six_week" not in opened.figures

    check = result.events_of("check")[0]
    assert check.day == D(2025, 10, 20)
    assert check.data == {"node": "L1", "improved": True}
    review, baseline = (
        check.figures["check"]["review"],
        check.figures["check"]["baseline"],
    )
    assert (review["first"], review["last"]) == ("2025-09-30", "2025-10-20")
    assert (review["attended"], review["possible"]) == (30, 30)
    assert (baseline["first"], baseline["last"]) == ("2025-09-09", "2025-09-29")
    assert (baseline["attended"], baseline["possible"], baseline["percent"]) == (
        28,
        30,
        "93.3%",
    )
    assert "next check Mon 17 Nov 2025" in result.events_of("monitoring")[0].summary
    assert not [day for day in result.proposed if day > D(2025, 9, 29)]
    assert result.events_of("monitoring check")[0].day == D(2025, 11, 17)
    assert result.state.phase is Phase.MONITOR


def test_e21_unresolved_n_codes_lead_to_letter_n():
    result = walk(
        register(both(D(2025, 10, 2), "N")),
        first=START,
        last=D(2025, 10, 20),
        calls={D(2025, 10, 2): CallOutcome.NOT_REACHED},
    )

    assert result.first_day_proposing("Letter N") == D(2025, 10, 2)
    assert result.first_day_proposing("Letter 1") is None
    opened = result.events_of("case opened")[0]
    assert (opened.figures["ytd"]["attended"], opened.figures["ytd"]["possible"]) == (
        42,
        44,
    )
    check = result.events_of("check")[0]
    assert check.day == D(2025, 10, 16)
    assert check.data == {"node": "B1", "improved": True}
    review, baseline = (
        check.figures["check"]["review"],
        check.figures["check"]["baseline"],
    )
    assert (review["first"], review["attended"], review["possible"]) == (
        "2025-10-03",
        20,
        20,
    )
    assert (baseline["first"], baseline["attended"], baseline["possible"]) == (
        "2025-09-19",
        18,
        20,
    )
    assert baseline["percent"] == "90.0%"


def test_e21_without_a_call_outcome_letter_n_waits_two_school_days():
    result = walk(
        register(both(D(2025, 10, 2), "N")), first=START, last=D(2025, 10, 20)
    )

    assert result.proposed.get(D(2025, 10, 2)) is None
    assert result.proposed.get(D(2025, 10, 3)) is None
    assert result.first_day_proposing("Letter N") == D(2025, 10, 6)
    assert result.events_of("check")[0].day == D(2025, 10, 20)


def test_e22_letter_1_on_the_twentieth_possible_session():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    result = walk(register(absences), first=START, last=D(2025, 9, 19))

    assert result.first_day_proposing("Letter 1") == D(2025, 9, 16)


def staff_answering_no(proposal, day):
    if proposal.kind == "decision" and proposal.node == "M0":
        return Decision(Action.ANSWER, day, key=proposal.key, option="no")
    return confirm_everything(proposal, day)


def e23_register():
    calendar = reference_calendar()
    absences = {}
    for day in calendar.school_days_between(D(2025, 9, 8), D(2025, 10, 14)):
        if day.weekday() in (0, 1):
            absences |= both(day, "O")
    return register(absences)


def test_e23_stage_1_letters_then_stage_3():
    result = walk(
        e23_register(), first=START, last=D(2025, 10, 14), staff=staff_answering_no
    )

    assert result.first_day_proposing("Letter 1") == D(2025, 9, 16)
    check = result.events_of("check")[0]
    assert check.day == D(2025, 10, 7)
    assert check.data == {"node": "L1", "improved": False}
    review = check.figures["check"]["review"]
    baseline = check.figures["check"]["baseline"]
    assert (review["first"], review["attended"], review["possible"]) == (
        "2025-09-17",
        18,
        30,
    )
    assert (baseline["first"], baseline["last"]) == ("2025-09-03", "2025-09-16")
    assert (baseline["attended"], baseline["possible"]) == (12, 20)
    assert (check.figures["ytd"]["attended"], check.figures["ytd"]["possible"]) == (
        30,
        50,
    )

    on_7_october = result.proposed[D(2025, 10, 7)]
    illness = next(p for p in on_7_october if p.node == "M0")
    assert illness.recommendation.startswith("0 of 20 absent sessions")
    assert "Letter 2" in result.titles_on(D(2025, 10, 7))

    escalation = next(
        p for p in result.proposed[D(2025, 10, 14)] if p.kind == "escalation"
    )
    assert escalation.title == "Escalate to Stage 3"
    assert escalation.figures["six_week"]["attended"] == 36
    assert escalation.figures["six_week"]["possible"] == 60
    assert result.first_day_proposing("Escalate to Stage 3") == D(2025, 10, 14)

    titles = result.titles_on(D(2025, 10, 14))
    assert "Referral to the Local Authority for specialist assessment" in titles
    choice = next(p for p in result.proposed[D(2025, 10, 14)] if p.node == "C0")
    assert choice.recommendation.startswith("enforcement")
    assert result.state.stage == 3
    assert result.state.node == "C0"
