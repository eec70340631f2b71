"""Every branch of Appendix B (Stage 1) and Appendix C (Stage 2), walked.

Registers are steady patterns, so a review period is "improved" or not by
construction: one unexplained absence a week keeps a pupil just under the
target without ever reaching Stage 2 (exactly 90.0% over six weeks is not
below 90%); two a week put them at Stage 2; present from a day on makes
every later check "improved".
"""

import datetime as dt

import pytest

from attendwise.core.pathway import Action, Decision, Phase
from tests.factories import both, full_register, reference_calendar, walk

D = dt.date
YEAR_START, YEAR_END = D(2025, 9, 3), D(2026, 7, 17)


def every(n, code, *, first=YEAR_START, last=YEAR_END, offset=0):
    """Return `code` on every `n`th session from `first` to `last`.

    Any window of whole multiples of `n` sessions then holds exactly one such
    absence per `n` sessions, whatever holidays fall in it.
    """
    calendar = reference_calendar()
    sessions = [
        (day, session)
        for day in calendar.school_days_between(first, last)
        for session in ("AM", "PM")
    ]
    return {key: code for key in sessions[n - 1 + offset :: n]}


def register(absences):
    return full_register(
        reference_calendar(), first=YEAR_START, last=YEAR_END, absences=absences
    )


def script(answers=None, meetings=None, escalate=True, dismissals=()):
    """Return a scripted member of staff.

    `answers` maps a decision node to the option chosen; `meetings` maps a
    meeting step to how it went (recorded on its earliest day); escalations
    are confirmed (or dismissed when `escalate` is False); steps whose node
    is in `dismissals` are dismissed once.
    """
    answers, meetings = answers or {}, meetings or {}
    dismissed = set()

    def staff(proposal, day):
        if proposal.kind == "escalation":
            confirm = escalate is True or (
                escalate == "dismiss first" and "escalation" in dismissed
            )
            if confirm:
                return Decision(Action.CONFIRM, day, key=proposal.key)
            dismissed.add("escalation")
            return Decision(
                Action.DISMISS, day, key=proposal.key, reason="known family"
            )
        if proposal.kind == "decision" and proposal.node in answers:
            return Decision(
                Action.ANSWER, day, key=proposal.key, option=answers[proposal.node]
            )
        if proposal.kind == "meeting" and proposal.node in meetings:
            if day < proposal.due_on:
                return None
            return Decision(
                Action.RECORD_MEETING,
                day,
                key=proposal.key,
                held_on=day,
                **meetings[proposal.node],
            )
        if proposal.kind == "step":
            if proposal.node in dismissals and proposal.node not in dismissed:
                dismissed.add(proposal.node)
                return Decision(
                    Action.DISMISS, day, key=proposal.key, reason="on leave"
                )
            return Decision(Action.CONFIRM, day, key=proposal.key)
        return None

    return staff


def steps(result):
    """Return the nodes confirmed, and answers given, in order."""
    trail = []
    for event in result.events:
        if event.kind == "confirmed" and event.data.get("node"):
            trail.append(event.data["node"])
        elif event.kind == "decision":
            trail.append(f"{event.data['node']}={event.data['option']}")
        elif event.kind in ("monitoring", "de-escalated", "escalated"):
            trail.append(event.kind)
    return trail


def test_stage_1_without_improvement_walks_letters_1_to_4_then_asks():
    result = walk(
        register(every(10, "O")),
        first=YEAR_START,
        last=YEAR_END,
        staff=script(answers={"M0": "no", "L4X": "keep monitoring"}),
    )
    trail = steps(result)
    assert trail[:6] == ["L1", "M0=no", "L2", "L3", "L4", "L4"]
    assert "L4X=keep monitoring" in trail
    questions = [e.summary for e in result.events if e.kind == "question"]
    assert all("No" in q for q in questions if "six week" in q)
    assert len(result.events_of("meeting not held")) >= 3
    assert result.events_of("limit reached")


def test_unresolved_n_then_a_meeting_without_improvement_leads_to_letter_1():
    early = {key: "N" for key in every(10, "O", last=D(2025, 9, 16))}
    absences = every(10, "O") | early
    result = walk(
        register(absences),
        first=YEAR_START,
        last=D(2025, 12, 19),
        staff=script(
            answers={"M0": "yes", "M1Q": "no or insufficient"},
            meetings={"B2": {"reason_satisfactory": True}},
        ),
    )
    assert steps(result)[:6] == [
        "B1",
        "B2",
        "L1",
        "M0=yes",
        "M1",
        "M1Q=no or insufficient",
    ]
    b2 = next(e for e in result.events_of("check") if e.data["node"] == "B2")
    assert b2.data["improved"] is False


def test_a_satisfactory_reason_and_better_attendance_end_b2_in_monitoring():
    early = {key: "N" for key in every(10, "O", last=D(2025, 9, 16))}
    absences = every(10, "O", last=D(2025, 9, 30)) | early
    result = walk(
        register(absences),
        first=YEAR_START,
        last=D(2025, 11, 28),
        staff=script(meetings={"B2": {"reason_satisfactory": True}}),
    )
    trail = steps(result)
    assert trail[:3] == ["B1", "B2", "monitoring"]


def test_medical_evidence_received_ends_in_monitoring_and_monitoring_resumes():
    absences = every(10, "I", last=D(2025, 11, 4)) | every(
        4, "O", first=D(2026, 1, 6), last=D(2026, 3, 27)
    )
    result = walk(
        register(absences),
        first=YEAR_START,
        last=D(2026, 3, 27),
        staff=script(answers={"M0": "yes", "M1Q": "yes"}, escalate=False),
    )
    trail = steps(result)
    assert trail[:5] == ["L1", "M0=yes", "M1", "M1Q=yes", "monitoring"]
    resumed = [
        e for e in result.events_of("monitoring check") if "resumes" in e.summary
    ]
    assert resumed
    assert "resumes at L2" in resumed[0].summary


def test_q2_yes_escalates_to_stage_2_when_the_six_weeks_are_below_90():
    absences = every(10, "O") | every(10, "I", first=D(2025, 11, 17), offset=5)
    result = walk(
        register(absences),
        first=YEAR_START,
        last=D(2026, 3, 27),
        staff=script(answers={"M0": "no"}, escalate="dismiss first"),
    )
    q2 = [e for e in result.events_of("question") if "six week" in e.summary]
    assert q2[-1].summary.startswith(
        "Is attendance below 90% over a six week period? Yes"
    )
    dismissed = result.events_of("dismissed")
    assert len(dismissed) == 1
    escalated = result.events_of("escalated")
    assert [e.data for e in escalated] == [{"from": 1, "to": 2}]
    assert escalated[0].day == q2[-1].day
    assert result.state.stage == 2


def stage2_register(*, recover_from=None):
    """One unexplained absence in five sessions: 80.0%, Stage 2 in October."""
    last = recover_from - dt.timedelta(days=1) if recover_from else YEAR_END
    return register(every(5, "O", last=last))


def test_enforcement_route_with_no_improvement_refers_for_a_penalty_notice():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=D(2025, 12, 19),
        staff=script(answers={"C0": "enforcement"}, meetings={"C2": {}}),
    )
    trail = steps(result)
    after = trail[trail.index("escalated") :]
    assert after[:5] == ["escalated", "C0=enforcement", "C1", "C2", "FPN"]
    fpn = next(
        e for e in result.events if e.kind == "question" and "Penalty" in e.summary
    )
    assert fpn.summary == "Penalty notice referral: all conditions hold"


def test_support_route_with_no_improvement_proposes_enforcement_letter_1():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=D(2026, 1, 30),
        staff=script(answers={"C0": "support"}, meetings={"C2": {}}),
    )
    trail = steps(result)
    after = trail[trail.index("escalated") :]
    assert after[:4] == ["escalated", "C0=support", "C2", "C1"]


def test_no_penalty_notice_possible_leads_to_a_staff_decision():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=D(2026, 1, 30),
        staff=script(
            answers={"C0": "enforcement", "C3D": "more support"}, meetings={"C2": {}}
        ),
        penalty_limit_reached=True,
    )
    trail = steps(result)
    assert "C3D=more support" in trail
    limit = next(
        e for e in result.events if e.kind == "question" and "Penalty" in e.summary
    )
    assert "the limit of notices per parent is reached" in limit.summary


def test_improvement_after_the_panel_de_escalates_to_stage_1():
    result = walk(
        stage2_register(recover_from=D(2025, 11, 10)),
        first=YEAR_START,
        last=D(2025, 12, 19),
        staff=script(answers={"C0": "enforcement"}, meetings={"C2": {}}),
    )
    trail = steps(result)
    assert "de-escalated" in trail
    assert result.state.stage == 1
    assert result.state.deescalated_on is not None


def test_parents_missing_the_panel_get_a_did_not_attend_letter():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=D(2025, 12, 19),
        staff=script(
            answers={"C0": "enforcement"}, meetings={"C2": {"attended": False}}
        ),
    )
    assert result.first_day_proposing("Did not attend letter") is not None


def test_a_dismissed_escalation_waits_for_a_new_six_week_window():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=D(2025, 12, 19),
        staff=script(answers={"M0": "no"}, escalate=False),
    )
    days = sorted(
        day
        for day, items in result.proposed.items()
        if any(p.kind == "escalation" for p in items)
    )
    assert days[0] == D(2025, 10, 14)
    calendar = reference_calendar()
    assert days[1] > calendar.add_school_days(days[0], 29)


def test_a_meeting_never_recorded_is_marked_not_held_ten_school_days_on():
    result = walk(
        register(every(10, "O")),
        first=YEAR_START,
        last=D(2026, 1, 30),
        staff=script(answers={"M0": "no"}),
    )
    not_held = result.events_of("meeting not held")[0]
    l3 = next(
        e for e in result.events if e.kind == "confirmed" and e.data.get("node") == "L3"
    )
    assert not_held.day == reference_calendar().add_school_days(l3.day, 10)


def test_a_dismissed_step_is_proposed_again_after_ten_school_days():
    result = walk(
        register(every(10, "O")),
        first=YEAR_START,
        last=D(2025, 10, 31),
        staff=script(dismissals={"L1"}),
    )
    first = result.first_day_proposing("Letter 1")
    again = [
        day
        for day, items in sorted(result.proposed.items())
        if day > first and any(p.title == "Letter 1" for p in items)
    ]
    assert again[0] == reference_calendar().add_school_days(first, 10)


def test_the_year_ends_closing_a_case_in_monitoring():
    absences = both(D(2025, 9, 29), "I")
    result = walk(register(absences), first=YEAR_START, last=YEAR_END)
    assert result.state.phase is Phase.CLOSED
    assert result.events_of("closed")[0].day == YEAR_END


def test_a_stage_2_case_is_carried_over_at_the_end_of_the_year():
    result = walk(
        stage2_register(),
        first=YEAR_START,
        last=YEAR_END,
        staff=script(
            answers={"C0": "support", "C3D": "more support"}, meetings={"C2": {}}
        ),
    )
    assert result.state.carry_over is True
    assert result.events_of("year end")[0].day == YEAR_END


def test_e23_stage_3_local_authority_takes_over_then_closes():
    calendar = reference_calendar()
    absences = {}
    for day in calendar.school_days_between(D(2025, 9, 8), D(2025, 10, 14)):
        if day.weekday() in (0, 1):
            absences |= both(day, "O")
    marks = register(absences)
    result = walk(marks, first=YEAR_START, last=D(2025, 10, 14), staff=script())
    assert result.state.stage == 3
    assert result.state.la == "referred"

    from attendwise.core.pathway import Pathway
    from attendwise.core.policy import shipped_policy
    from tests.factories import pupil_day

    pathway = Pathway(shipped_policy(), calendar)
    day = D(2025, 10, 15)
    pupil = pupil_day(marks, as_of=day)
    taken = pathway.decide(result.state, Decision(Action.LA_TOOK_OVER, day), pupil)
    assert taken.superseded
    quiet = pathway.evaluate(taken.state, pupil)
    assert [p for p in quiet.proposals if p.kind in ("step", "decision")] == []

    closed = pathway.decide(taken.state, Decision(Action.LA_CLOSED, day), pupil)
    assert closed.state.stage == 1
    assert closed.state.phase is Phase.MONITOR
    assert closed.state.deescalated_on == day


def test_stage_4_supersedes_everything_then_re_enters_at_the_same_step():
    from attendwise.core.pathway import Pathway
    from attendwise.core.policy import shipped_policy
    from tests.factories import pupil_day

    marks = register(every(10, "O"))
    result = walk(marks, first=YEAR_START, last=D(2025, 10, 7), staff=script())
    assert result.state.node == "M0"
    pathway = Pathway(shipped_policy(), reference_calendar())
    day = D(2025, 10, 8)
    pupil = pupil_day(marks, as_of=day)

    concern = pathway.decide(
        result.state, Decision(Action.RECORD_CONCERN, day, reason="disclosure"), pupil
    )
    assert concern.superseded
    assert concern.events[0].safeguarding
    during = pathway.evaluate(concern.state, pupil).proposals
    assert [(p.letter, p.role, p.safeguarding) for p in during] == [
        ("mash_referral", "safeguarding", True)
    ]
    recorded = pathway.decide(
        concern.state, Decision(Action.CONFIRM, day, key=during[0].key), pupil
    )
    assert pathway.evaluate(recorded.state, pupil).proposals == []
    concern = recorded

    later = D(2025, 11, 3)
    pupil = pupil_day(marks, as_of=later)
    ended = pathway.decide(concern.state, Decision(Action.END_STAGE4, later), pupil)
    proposals = pathway.evaluate(ended.state, pupil).proposals
    assert [p.kind for p in proposals] == ["re-entry"]
    assert "M0" in proposals[0].title

    back = pathway.decide(
        ended.state, Decision(Action.CONFIRM, later, key=proposals[0].key), pupil
    )
    assert back.state.ongoing_from == later
    after = pathway.evaluate(back.state, pupil).proposals
    assert [p.node for p in after] == ["M0"]


def test_the_escalation_dismissal_gives_way_when_unauthorised_absence_rises():
    absences = every(5, "O") | every(10, "O", first=D(2025, 11, 3), offset=2)
    result = walk(
        register(absences),
        first=YEAR_START,
        last=D(2025, 11, 14),
        staff=script(escalate=False),
    )
    days = sorted(
        day
        for day, items in result.proposed.items()
        if any(p.kind == "escalation" for p in items)
    )
    assert days[0] == D(2025, 10, 14)
    assert days[1] >= D(2025, 11, 3)
    assert days[1] < reference_calendar().add_school_days(days[0], 30)


def test_a_check_after_a_minimum_of_15_days_can_be_deferred_never_brought_forward():
    from attendwise.core.pathway import Pathway, PathwayError
    from attendwise.core.policy import shipped_policy
    from tests.factories import pupil_day

    marks = register(every(10, "O"))
    result = walk(marks, first=YEAR_START, last=D(2025, 9, 17), staff=script())
    assert (result.state.node, result.state.phase) == ("L1", Phase.CHECK)
    pathway = Pathway(shipped_policy(), reference_calendar())
    day = D(2025, 9, 17)
    pupil = pupil_day(marks, as_of=day)

    with pytest.raises(PathwayError, match="never comes early"):
        pathway.decide(
            result.state,
            Decision(Action.DEFER_CHECK, day, held_on=D(2025, 10, 6), reason="ill"),
            pupil,
        )
    deferred = pathway.decide(
        result.state,
        Decision(
            Action.DEFER_CHECK, day, held_on=D(2025, 10, 13), reason="in hospital"
        ),
        pupil,
    )
    later = walk(
        marks,
        first=D(2025, 9, 18),
        last=D(2025, 10, 13),
        staff=script(answers={"M0": "no"}),
        state=deferred.state,
    )
    assert [e.day for e in later.events_of("check")] == [D(2025, 10, 13)]
