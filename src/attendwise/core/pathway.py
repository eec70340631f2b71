"""The pathway engine: where each case stands, and what to propose today.

The engine interprets the nodes of a policy file (docs/policy.md). It has
two entry points, both pure:

- `Pathway.evaluate(state, pupil)`: the daily run for one pupil. It opens
  a case when a stage is first indicated, answers computed questions, runs
  checks that are due, and returns the proposals that stand today. A
  proposal that is not returned any more has lost its reason: the caller
  withdraws it.
- `Pathway.decide(state, decision, pupil)`: a person confirms, dismisses or
  answers a proposal, or records a meeting, a safeguarding concern or a
  Local Authority outcome. It returns the new state and its events; the
  caller then evaluates again for the proposals that follow.

Every change is an event carrying the figures it rested on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from attendwise.core.calendar import SchoolCalendar, academic_year_label
from attendwise.core.checks import run_check
from attendwise.core.figures import format_percent
from attendwise.core.policy import (
    DEESCALATE,
    LA_HANDOVER,
    MONITOR,
    STAGE_TARGETS,
    Node,
    NodeKind,
    Policy,
    Test,
)
from attendwise.core.pupilday import (
    CallOutcome,
    DayFigures,
    Indication,
    PupilDay,
    day_figures,
    indicated_stage,
)


class Phase(StrEnum):
    ENTER = "enter"  # at a node not yet acted on
    PROPOSED = "proposed"  # a step, decision or escalation waits for a person
    MEETING = "meeting"  # a confirmed step waits for its meeting to be recorded
    CHECK = "check"  # a confirmed step waits for its check day
    MONITOR = "monitor"  # no further action: checked every few weeks
    WITH_LA = "with the local authority"
    CLOSED = "closed"


class PathwayError(ValueError):
    """A decision that does not fit the case as it stands."""


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


@dataclass
class CaseState:
    """Where one pupil's case stands this academic year (stored as JSON)."""

    year: int
    opened_on: dt.date
    stage: int = 1
    node: str = ""
    phase: Phase = Phase.ENTER
    seq: int = 0
    since: dt.date | None = None
    confirmed_on: dt.date | None = None
    anchor: dt.date | None = None
    meeting_on: dt.date | None = None
    reason_satisfactory: bool | None = None
    via_question: str = ""
    last_step: str = ""
    last_anchor: dt.date | None = None
    last_length: int = 0
    monitor_from: dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    stage1_letters: bool = False
    deescalated_on: dt.date | None = None
    route: str = ""
    enforcement_on: dt.date | None = None
    la: str = ""
    escalations: int = 0
    escalation_dismissed: dict[str, Any] | None = None
    dismissed_until: dt.date | None = None
    did_not_attend: bool = False
    stage4_since: dt.date | None = None
    reentry_pending: bool = False
    mash_recorded: bool = False
    deferred_to: dt.date | None = None
    ongoing_from: dt.date | None = None
    carry_over: bool = False
    carried: bool = False
    closed_on: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for name, value in data.items():
            if isinstance(value, dt.date):
                data[name] = value.isoformat()
        data["phase"] = self.phase.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseState:
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            if spec.name not in data:
                continue
            value = data[spec.name]
            if "date" in str(spec.type) and value is not None:
                value = _date(value)
            values[spec.name] = value
        values["phase"] = Phase(values.get("phase", Phase.ENTER))
        return cls(**values)

    @property
    def open(self) -> bool:
        return self.phase is not Phase.CLOSED


@dataclass(frozen=True)
class Proposal:
    """An item for the worklist: a person confirms, dismisses or answers it."""

    key: str
    kind: str
    title: str
    role: str
    due_on: dt.date
    first_indicated_on: dt.date
    node: str = ""
    reasons: tuple[str, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)
    letter: str = ""
    options: tuple[str, ...] = ()
    recommendation: str = ""
    safeguarding: bool = False
    #: what the item rests on beyond the figures (e.g. the sessions counted)
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseEvent:
    kind: str
    day: dt.date
    summary: str
    figures: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    safeguarding: bool = False


@dataclass
class Evaluation:
    state: CaseState | None
    events: list[CaseEvent] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    #: True when open items of the case are superseded (a higher stage or
    #: Stage 4 took over): the caller closes them as "superseded".
    superseded: bool = False
    indication: Indication | None = None
    #: the day's figures the evaluation read (None after a decision)
    figures: DayFigures | None = None


# -- decisions ------------------------------------------------------------


class Action(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ANSWER = "answer"
    RECORD_MEETING = "record meeting"
    CHECK_DECISION = "check decision"
    RECORD_CONCERN = "record safeguarding concern"
    END_STAGE4 = "end stage 4"
    LA_TOOK_OVER = "local authority took over"
    LA_CLOSED = "local authority closed"
    ESCALATE = "escalate by hand"
    DEFER_CHECK = "defer the check"


@dataclass(frozen=True)
class Decision:
    """What a person did, on which school day, about which proposal key."""

    action: Action
    on: dt.date
    key: str = ""
    option: str = ""
    reason: str = ""
    held_on: dt.date | None = None
    attended: bool = True
    reason_satisfactory: bool | None = None
    stage: int = 0
    details: dict[str, Any] = field(default_factory=dict)


#: The dismissal rules need the escalation key's shape: year/escN/stage.
def _escalation_key(state: CaseState, stage: int) -> str:
    return f"{state.year}/esc{state.escalations}/stage{stage}"


class Pathway:
    """Runs the pathways of one policy on one calendar."""

    def __init__(self, policy: Policy, calendar: SchoolCalendar) -> None:
        self.policy = policy
        self.calendar = calendar

    # -- the daily run ----------------------------------------------------

    def evaluate(self, state: CaseState | None, pupil: PupilDay) -> Evaluation:
        """Return the case after today's registers, with today's proposals."""
        figures = day_figures(pupil, self.calendar, self.policy)
        indication = indicated_stage(figures, self.policy)
        result = Evaluation(state=state, indication=indication, figures=figures)
        if state is None:
            if indication.stage == 0:
                return result
            state = self._open(pupil, figures, indication, result)
        else:
            state = dataclasses.replace(state, counts=dict(state.counts))
        result.state = state
        as_of = pupil.as_of

        if state.phase is Phase.CLOSED or state.closed_on is not None:
            return result
        if state.year < pupil.year:
            self._carry_over_proposal(state, pupil, result)
            return result
        if self._end_of_year(state, pupil, figures, result):
            return result
        if state.stage4_since is not None:
            if not state.mash_recorded:
                result.proposals.append(self._mash_record(state, figures, as_of))
            return result
        if state.reentry_pending:
            result.proposals.append(
                Proposal(
                    key=f"{state.year}/reentry{state.seq}",
                    kind="re-entry",
                    title="Stage 4 has ended: resume the pathway at "
                    + self._where(state),
                    role="safeguarding",
                    due_on=as_of,
                    first_indicated_on=as_of,
                    node=state.node,
                    figures=figures.as_record(),
                )
            )
            return result

        self._advance(state, pupil, figures, indication, result)
        escalation = self._threshold_escalation(state, figures, indication, as_of)
        if escalation is not None:
            result.proposals.append(escalation)
        self._side_proposals(state, pupil, figures, result)
        return result

    def _mash_record(
        self, state: CaseState, figures: DayFigures, as_of: dt.date
    ) -> Proposal:
        """Return the MASH referral record, for the safeguarding lead only."""
        assert state.stage4_since is not None
        return Proposal(
            key=f"{state.year}/mash/{state.stage4_since.isoformat()}",
            kind="step",
            title="Record the referral to Children's Social Care (MASH)",
            role="safeguarding",
            due_on=state.stage4_since,
            first_indicated_on=state.stage4_since,
            figures=figures.as_record(),
            letter="mash_referral",
            safeguarding=True,
        )

    def _open(
        self,
        pupil: PupilDay,
        figures: DayFigures,
        indication: Indication,
        result: Evaluation,
    ) -> CaseState:
        state = CaseState(
            year=pupil.year,
            opened_on=pupil.as_of,
            node=self.policy.entry(1),
            since=pupil.as_of,
        )
        result.events.append(
            CaseEvent(
                "case opened",
                pupil.as_of,
                f"Case opened for {academic_year_label(pupil.year)}: Stage "
                f"{indication.stage} indicated because "
                + "; ".join(indication.reasons),
                figures.as_record(),
                {"indicated": indication.stage},
            )
        )
        return state

    def _where(self, state: CaseState) -> str:
        if state.node in self.policy.nodes:
            return f"{state.node} ({self.policy.node(state.node).title})"
        return state.node or "monitoring"

    # -- moving along the pathway -----------------------------------------

    def _goto(
        self,
        state: CaseState,
        target: str,
        day: dt.date,
        result: Evaluation,
        figures: DayFigures,
        *,
        via: str = "",
    ) -> None:
        """Move the case's main position to `target` on `day`."""
        state.seq += 1
        state.since = day
        state.confirmed_on = state.anchor = state.meeting_on = None
        state.deferred_to = None
        state.reason_satisfactory = None
        state.dismissed_until = None
        state.via_question = via
        if target == MONITOR:
            state.node, state.phase, state.monitor_from = "", Phase.MONITOR, day
            result.events.append(
                CaseEvent(
                    "monitoring",
                    day,
                    "No further action: the case is monitored every "
                    f"{self.policy.setting('monitor_every')} school days "
                    f"(next check {self._next_check_text(state)}).",
                    figures.as_record(),
                )
            )
        elif target == DEESCALATE:
            state.stage = 1
            state.node, state.phase, state.monitor_from = "", Phase.MONITOR, day
            state.deescalated_on = day
            state.route = ""
            result.events.append(
                CaseEvent(
                    "de-escalated",
                    day,
                    "Improved: de-escalated to Stage 1 and monitored. No escalation "
                    "by threshold until the six-week window lies wholly after today.",
                    figures.as_record(),
                )
            )
        elif target == LA_HANDOVER:
            state.node, state.phase = "", Phase.WITH_LA
        elif target in STAGE_TARGETS:
            state.node, state.phase = target, Phase.PROPOSED
        elif target == self.policy.entry(3):
            # The Local Authority referral runs alongside the Stage 2 pathway.
            if not state.la:
                state.la = "proposed"
            state.node, state.phase, state.monitor_from = "", Phase.MONITOR, day
        else:
            state.node, state.phase = target, Phase.ENTER

    def _monitor_due(self, state: CaseState) -> dt.date | None:
        """Return the next monitoring check day (None: beyond the calendar)."""
        assert state.monitor_from is not None
        return self.calendar.nth_after(
            state.monitor_from, self.policy.setting("monitor_every")
        )

    def _next_check_text(self, state: CaseState) -> str:
        due = self._monitor_due(state)
        return f"{due:%a %d %b %Y}" if due else "none this year"

    def _advance(
        self,
        state: CaseState,
        pupil: PupilDay,
        figures: DayFigures,
        indication: Indication,
        result: Evaluation,
    ) -> None:
        as_of = pupil.as_of
        for _ in range(50):  # each pass moves the case on, or returns
            if state.phase is Phase.WITH_LA or state.la == "taken over":
                return
            if state.phase is Phase.MONITOR:
                if not self._monitoring_check(state, pupil, figures, result):
                    return
                continue
            node = self.policy.nodes.get(state.node)
            if state.phase is Phase.PROPOSED and state.node in STAGE_TARGETS:
                self._pathway_escalation(state, figures, result, as_of)
                return
            if node is None:
                raise PathwayError(f"the case is at an unknown node {state.node!r}")
            if state.phase is Phase.ENTER:
                if node.kind is NodeKind.QUESTION:
                    answer = self._answer(node, state, pupil, figures, result)
                    if answer is None:
                        return
                    self._goto(
                        state,
                        node.yes if answer else node.no,
                        as_of,
                        result,
                        figures,
                        via=node.id,
                    )
                    continue
                limit = node.times_per_year
                if limit and state.counts.get(node.id, 0) >= limit:
                    result.events.append(
                        CaseEvent(
                            "limit reached",
                            as_of,
                            f"{node.title} has been used {limit} times this year.",
                        )
                    )
                    self._goto(state, node.over_limit, as_of, result, figures)
                    continue
                state.phase = Phase.PROPOSED
                continue
            if state.phase is Phase.PROPOSED:
                self._propose_node(state, node, pupil, figures, indication, result)
                return
            if state.phase is Phase.MEETING:
                if not self._meeting_deadline(state, node, figures, result, as_of):
                    result.proposals.append(self._meeting_item(state, node, figures))
                    return
                continue
            if state.phase is Phase.CHECK:
                if not self._step_check(state, node, pupil, figures, result):
                    return
                continue
            return
        raise PathwayError("the pathway did not settle: check the policy for a loop")

    def _propose_node(
        self,
        state: CaseState,
        node: Node,
        pupil: PupilDay,
        figures: DayFigures,
        indication: Indication,
        result: Evaluation,
    ) -> None:
        as_of = pupil.as_of
        if state.dismissed_until is not None:
            if as_of < state.dismissed_until:
                return
            state.dismissed_until = None
            state.seq += 1
        is_entry = state.node == self.policy.entry(1) or (
            state.via_question == self.policy.entry(1)
        )
        if is_entry and state.stage == 1 and indication.stage == 0:
            # The reason for the first step has gone: withdraw it, wait.
            result.events.append(
                CaseEvent(
                    "proposal withdrawn",
                    as_of,
                    f"{node.title} withdrawn: no stage is indicated any more.",
                    figures.as_record(),
                )
            )
            self._goto(state, self.policy.entry(1), as_of, result, figures)
            state.phase = Phase.MONITOR
            state.node = ""
            state.monitor_from = as_of
            return
        assert state.since is not None
        reasons: tuple[str, ...] = indication.reasons if is_entry else ()
        proposal = Proposal(
            key=f"{state.year}/{state.seq}/{node.id}",
            kind="decision" if node.kind is NodeKind.DECISION else "step",
            title=node.title,
            role=node.role,
            due_on=as_of,
            first_indicated_on=state.since,
            node=node.id,
            reasons=reasons,
            figures=figures.as_record(),
            letter=node.letter,
            options=tuple(node.options),
            recommendation=self._recommend(node, pupil, figures),
            payload=self._letter_payload(node, state, pupil),
        )
        result.proposals.append(proposal)

    def _letter_payload(
        self, node: Node, state: CaseState, pupil: PupilDay
    ) -> dict[str, Any]:
        """Return what the step's letter cites beyond the figures."""
        if node.letter == "letter_n":
            since = self.calendar.first_school_day(pupil.year)
            return {
                "sessions": [
                    [m.date.isoformat(), m.session]
                    for m in pupil.marks
                    if m.code == "N" and m.date >= since
                ]
            }
        return {}

    def _recommend(self, node: Node, pupil: PupilDay, figures: DayFigures) -> str:
        if node.recommend != "enforcement or support":
            if node.show == "illness share":
                return self._illness_share(figures)
            return ""
        if pupil.ehc_plan:
            return (
                "support (the pupil has an EHC plan: choose enforcement only "
                "with a reason)"
            )
        six = figures.six_week
        share = self.policy.setting("enforcement_recommended_unauthorised_share")
        if figures.penalty.unauthorised >= self.policy.setting("penalty_threshold"):
            return "enforcement (the national penalty-notice threshold is met)"
        if (
            six is not None
            and six.absent
            and (six.settled_unauthorised * 100 >= share * six.absent)
        ):
            return (
                f"enforcement ({six.settled_unauthorised} of the {six.absent} "
                "absent sessions in the last six weeks are unauthorised)"
            )
        return "support"

    def _illness_share(self, figures: DayFigures) -> str:
        ytd = figures.ytd
        medical = ytd.illness + ytd.medical
        return (
            f"{medical} of {ytd.absent} absent sessions this year "
            f"({format_percent(medical, ytd.absent)}) are illness (I) or "
            "medical appointments (M)"
        )

    def _answer(
        self,
        node: Node,
        state: CaseState,
        pupil: PupilDay,
        figures: DayFigures,
        result: Evaluation,
    ) -> bool | None:
        """Return the answer to a computed question, or None to wait."""
        as_of = pupil.as_of
        if node.test is Test.UNRESOLVED_N:
            return self._unresolved_n(pupil, result, node)
        if node.test is Test.SIX_WEEK_BELOW:
            six = figures.six_week
            held = (
                state.deescalated_on is not None
                and figures.six_week_window
                and figures.six_week_window[0] <= state.deescalated_on
            )
            answer = six is not None and not held and six.below(node.percent or 0)
            shown = (
                "not available"
                if six is None
                else format_percent(six.i_attended, six.i_possible)
            )
            result.events.append(
                CaseEvent(
                    "question",
                    as_of,
                    f"{node.title} {'Yes' if answer else 'No'}: the six-week "
                    f"figure is {shown}"
                    + (" (window not wholly after the de-escalation)" if held else ""),
                    figures.as_record(),
                )
            )
            return answer
        if node.test is Test.SUPPORT_ROUTE:
            return state.route == "support"
        if node.test is Test.PENALTY_NOTICE_ALLOWED:
            return self._penalty_notice_allowed(state, pupil, figures, result)
        raise PathwayError(f"no rule answers {node.test!r}")

    def _unresolved_n(
        self, pupil: PupilDay, result: Evaluation, node: Node
    ) -> bool | None:
        n_days = sorted({m.date for m in pupil.marks if m.code == "N"})
        year_start = self.calendar.first_school_day(pupil.year)
        n_days = [d for d in n_days if d >= year_start]
        if not n_days:
            return False
        after = self.policy.setting("n_unresolved_after_days")
        unresolved = [
            d
            for d in n_days
            if pupil.calls.get(d)
            in (CallOutcome.NOT_REACHED, CallOutcome.REACHED_NO_REASON)
            or self.calendar.school_days_after(d, pupil.as_of) >= after
        ]
        if not unresolved:
            return None
        result.events.append(
            CaseEvent(
                "question",
                pupil.as_of,
                f"{node.title} Yes: N marks on "
                + ", ".join(f"{d:%a %d %b}" for d in unresolved)
                + " are unresolved.",
            )
        )
        return True

    def _penalty_notice_allowed(
        self,
        state: CaseState,
        pupil: PupilDay,
        figures: DayFigures,
        result: Evaluation,
    ) -> bool:
        missing = []
        if state.enforcement_on is None:
            missing.append("Enforcement Letter 1 has not been sent")
        if figures.penalty.unauthorised < self.policy.setting("penalty_threshold"):
            missing.append(
                f"the national threshold is not met ({figures.penalty.unauthorised} "
                "unauthorised sessions in the last "
                f"{self.policy.setting('penalty_weeks')} school weeks)"
            )
        if state.enforcement_on is not None:
            after = self.calendar.add_school_days(state.enforcement_on, 1)
            if (
                pupil.as_of < after
                or not pupil.figures.window(after, pupil.as_of).unauthorised
            ):
                missing.append("no unauthorised session since Enforcement Letter 1")
        if pupil.penalty_limit_reached:
            missing.append("the limit of notices per parent is reached")
        result.events.append(
            CaseEvent(
                "question",
                pupil.as_of,
                "Penalty notice referral: "
                + ("all conditions hold" if not missing else "; ".join(missing)),
                figures.as_record(),
            )
        )
        return not missing

    # -- checks -----------------------------------------------------------

    def _step_check(
        self,
        state: CaseState,
        node: Node,
        pupil: PupilDay,
        figures: DayFigures,
        result: Evaluation,
    ) -> bool:
        """Run the step's check if due; return True when the case moved on."""
        assert state.anchor is not None
        due = self.calendar.nth_after(state.anchor, node.check_after)
        if due is not None and state.deferred_to is not None:
            due = max(due, state.deferred_to)
        as_of = pupil.as_of
        if due is None or as_of < due:
            return False
        if as_of == due and pupil.figures.window(due, due).missing:
            return False  # wait for the blank register, or the next day
        check = run_check(
            pupil=pupil,
            day=figures,
            calendar=self.calendar,
            policy=self.policy,
            anchor=state.anchor,
            due=due,
            whole_period=node.check_ytd,
            carried_into_new_year=state.carried,
        )
        state.carried = False
        if check.improved is None:
            result.proposals.append(
                Proposal(
                    key=f"{state.year}/{state.seq}/{node.id}/check",
                    kind="check",
                    title=f"Check after {node.title}: no sessions to judge",
                    role=node.role,
                    due_on=due,
                    first_indicated_on=due,
                    node=node.id,
                    figures={"check": check.record()},
                    options=("improved", "not improved"),
                )
            )
            return False
        improved = check.improved
        note = ""
        if (
            node.needs_satisfactory_reason
            and improved
            and not state.reason_satisfactory
        ):
            improved = False
            note = " A satisfactory reason was not recorded at the meeting."
        title = node.check_title or f"Check after {node.title}"
        result.events.append(
            CaseEvent(
                "check",
                due,
                f"{title}: {check.summary()}.{note}",
                figures.as_record() | {"check": check.record()},
                {"node": node.id, "improved": improved},
            )
        )
        self._after_check(state, node, improved, due, result, figures)
        return True

    def _after_check(
        self,
        state: CaseState,
        node: Node,
        improved: bool,
        day: dt.date,
        result: Evaluation,
        figures: DayFigures,
    ) -> None:
        state.last_step = node.id
        state.last_anchor = state.anchor
        state.last_length = node.check_after
        self._goto(
            state,
            node.improved if improved else node.not_improved,
            day,
            result,
            figures,
        )

    def _monitoring_check(
        self,
        state: CaseState,
        pupil: PupilDay,
        figures: DayFigures,
        result: Evaluation,
    ) -> bool:
        """Run a monitoring check if due; return True when the pathway resumes."""
        assert state.monitor_from is not None
        due = self._monitor_due(state)
        if due is None or pupil.as_of < due:
            return False  # beyond the calendar, the end of the year closes it
        target = self.policy.setting("school_target")
        ytd_below = figures.ytd.below(target)
        check = run_check(
            pupil=pupil,
            day=figures,
            calendar=self.calendar,
            policy=self.policy,
            anchor=state.monitor_from,
            due=due,
            baseline_anchor=state.last_anchor,
            baseline_length=state.last_length or None,
        )
        resume_at = self._resume_target(state)
        resumes = bool(
            ytd_below and check.improved is False and resume_at and state.la == ""
        )
        record = figures.as_record() | {"check": check.record()}
        if not resumes:
            state.monitor_from = due
            result.events.append(
                CaseEvent(
                    "monitoring check",
                    due,
                    f"Monitoring check: {check.summary()}; attendance this year "
                    f"{format_percent(figures.ytd.i_attended, figures.ytd.i_possible)}"
                    ". Stays in monitoring (next check "
                    f"{self._next_check_text(state)}).",
                    record,
                )
            )
            return False
        result.events.append(
            CaseEvent(
                "monitoring check",
                due,
                f"Monitoring check: {check.summary()}; attendance this year is "
                f"below {target}%. The pathway resumes at {resume_at}.",
                record,
            )
        )
        self._goto(state, resume_at, due, result, figures)
        return True

    def _resume_target(self, state: CaseState) -> str:
        resume = self.policy.resume
        if not state.stage1_letters:
            special = resume.get(f"{state.last_step} without Stage 1 letters")
            if special:
                return special
        return resume.get(state.last_step, "")

    # -- meetings ---------------------------------------------------------

    def _meeting_start(self, state: CaseState, node: Node) -> dt.date:
        assert state.confirmed_on is not None
        return state.since if node.panel and state.since else state.confirmed_on

    def _meeting_deadline(
        self,
        state: CaseState,
        node: Node,
        figures: DayFigures,
        result: Evaluation,
        as_of: dt.date,
    ) -> bool:
        """Record 'meeting not held' when its time has passed; True if moved on."""
        days = node.record_within or self.policy.setting("meeting_record_days")
        deadline = self.calendar.nth_after(self._meeting_start(state, node), days)
        if deadline is None or as_of < deadline:
            return False
        state.anchor = deadline
        state.reason_satisfactory = False
        state.phase = Phase.CHECK
        result.events.append(
            CaseEvent(
                "meeting not held",
                deadline,
                f"{node.title}: no meeting was recorded within {days} school days; "
                "recorded as not held and the check counts from today.",
                figures.as_record(),
            )
        )
        return True

    def _meeting_item(
        self, state: CaseState, node: Node, figures: DayFigures
    ) -> Proposal:
        start = self._meeting_start(state, node)
        earliest = (
            self.calendar.nth_after(start, node.meeting_not_before) or start
            if node.meeting_not_before
            else start
        )
        return Proposal(
            key=f"{state.year}/{state.seq}/{node.id}/meeting",
            kind="meeting",
            title=f"Record the meeting: {node.title}",
            role=node.role,
            due_on=earliest,
            first_indicated_on=start,
            node=node.id,
            figures=figures.as_record(),
        )

    # -- escalation -------------------------------------------------------

    def _threshold_escalation(
        self,
        state: CaseState,
        figures: DayFigures,
        indication: Indication,
        as_of: dt.date,
    ) -> Proposal | None:
        stage = indication.stage
        if stage <= state.stage or state.la == "taken over":
            return None
        if state.node in STAGE_TARGETS and state.phase is Phase.PROPOSED:
            return None  # the pathway already proposes it
        window_start = figures.six_week_window[0] if figures.six_week_window else as_of
        if state.deescalated_on is not None and window_start <= state.deescalated_on:
            return None
        dismissed = state.escalation_dismissed
        six = figures.six_week
        if dismissed is not None:
            on = _date(dismissed["on"])
            assert on is not None
            rose = stage > dismissed["stage"] or (
                six is not None and six.settled_unauthorised > dismissed["unauthorised"]
            )
            if window_start <= on and not rose:
                return None
        return Proposal(
            key=_escalation_key(state, stage),
            kind="escalation",
            title=f"Escalate to Stage {stage}",
            role=self.policy.node(self.policy.entry(2)).role,
            due_on=as_of,
            first_indicated_on=as_of,
            reasons=indication.reasons,
            figures=figures.as_record(),
        )

    def _pathway_escalation(
        self, state: CaseState, figures: DayFigures, result: Evaluation, as_of: dt.date
    ) -> None:
        stage = STAGE_TARGETS[state.node]
        assert state.since is not None
        via = self.policy.nodes.get(state.via_question)
        result.proposals.append(
            Proposal(
                key=_escalation_key(state, stage),
                kind="escalation",
                title=f"Escalate to Stage {stage}",
                role=self.policy.node(self.policy.entry(2)).role,
                due_on=as_of,
                first_indicated_on=state.since,
                node=state.node,
                reasons=(
                    f"the pathway reached it ({via.title if via else 'by hand'})",
                ),
                figures=figures.as_record(),
            )
        )

    def _side_proposals(
        self, state: CaseState, pupil: PupilDay, figures: DayFigures, result: Evaluation
    ) -> None:
        if state.la == "proposed":
            node = self.policy.node(self.policy.entry(3))
            result.proposals.append(
                Proposal(
                    key=f"{state.year}/la{state.escalations}",
                    kind="step",
                    title=node.title,
                    role=node.role,
                    due_on=pupil.as_of,
                    first_indicated_on=pupil.as_of,
                    node=node.id,
                    figures=figures.as_record(),
                    letter=node.letter,
                )
            )
        if state.did_not_attend:
            panel = next(
                (n for n in self.policy.nodes.values() if n.no_show_letter), None
            )
            if panel is not None:
                result.proposals.append(
                    Proposal(
                        key=f"{state.year}/{state.seq}/dna",
                        kind="step",
                        title="Did not attend letter",
                        role=panel.role,
                        due_on=pupil.as_of,
                        first_indicated_on=pupil.as_of,
                        node=panel.id,
                        figures=figures.as_record(),
                        letter=panel.no_show_letter,
                    )
                )

    # -- the end of the year ----------------------------------------------

    def _end_of_year(
        self,
        state: CaseState,
        pupil: PupilDay,
        figures: DayFigures,
        result: Evaluation,
    ) -> bool:
        last = self.calendar.last_school_day(state.year)
        if pupil.as_of < last or state.carry_over:
            return False
        node = self.policy.nodes.get(state.node)
        pending_check = state.phase in (Phase.CHECK, Phase.MEETING) and node is not None
        if state.stage >= 2 or (pending_check and state.stage4_since is None):
            state.carry_over = True
            result.events.append(
                CaseEvent(
                    "year end",
                    last,
                    "The academic year ends with the case open: a carry-over will "
                    "be proposed on the first school day of the new year.",
                    figures.as_record(),
                )
            )
            return True
        state.phase = Phase.CLOSED
        state.closed_on = last
        result.superseded = True
        result.events.append(
            CaseEvent(
                "closed",
                last,
                "Closed at the end of the academic year; open proposals close with "
                "it. In September the minimum-data rule starts afresh.",
                figures.as_record(),
            )
        )
        return True

    def _carry_over_proposal(
        self, state: CaseState, pupil: PupilDay, result: Evaluation
    ) -> None:
        if not state.carry_over:
            return
        result.proposals.append(
            Proposal(
                key=f"{state.year}/carry-over",
                kind="carry over",
                title=f"Carry the case over into {academic_year_label(pupil.year)} "
                f"at {self._where(state)}",
                role=self.policy.node(self.policy.entry(2)).role,
                due_on=pupil.as_of,
                first_indicated_on=pupil.as_of,
                node=state.node,
            )
        )

    # -- decisions by people ----------------------------------------------

    def decide(
        self, state: CaseState, decision: Decision, pupil: PupilDay
    ) -> Evaluation:
        """Return the case after a person's decision, with its events.

        Raises PathwayError when the decision does not fit the case.
        """
        state = dataclasses.replace(state, counts=dict(state.counts))
        figures = day_figures(pupil, self.calendar, self.policy)
        result = Evaluation(state=state)
        day = self.calendar.on_or_after(decision.on) or decision.on
        handler = {
            Action.CONFIRM: self._confirm,
            Action.DISMISS: self._dismiss,
            Action.ANSWER: self._answer_decision,
            Action.RECORD_MEETING: self._record_meeting,
            Action.CHECK_DECISION: self._check_decision,
            Action.RECORD_CONCERN: self._record_concern,
            Action.END_STAGE4: self._end_stage4,
            Action.LA_TOOK_OVER: self._la_took_over,
            Action.LA_CLOSED: self._la_closed,
            Action.ESCALATE: self._escalate_by_hand,
            Action.DEFER_CHECK: self._defer_check,
        }[decision.action]
        handler(state, decision, day, figures, result)
        return result

    def _require(self, condition: bool, message: str) -> None:
        if not condition:
            raise PathwayError(message)

    def _confirm(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        key = decision.key
        if "/esc" in key:
            stage = int(key.rsplit("stage", 1)[1])
            self._escalate(state, stage, day, figures, result, decision.reason)
            return
        if key.endswith("/carry-over"):
            self._carry_over(state, day, figures, result)
            return
        if "/reentry" in key:
            self._reenter(state, day, figures, result)
            return
        if "/mash/" in key:
            state.mash_recorded = True
            result.events.append(
                CaseEvent(
                    "confirmed",
                    day,
                    "Referral to Children's Social Care (MASH) recorded.",
                    figures.as_record(),
                    {"letter": "mash_referral"},
                    safeguarding=True,
                )
            )
            return
        if "/la" in key and state.la == "proposed":
            state.la = "referred"
            node = self.policy.node(self.policy.entry(3))
            result.events.append(
                CaseEvent(
                    "confirmed",
                    day,
                    f"{node.title}: confirmed.",
                    figures.as_record(),
                    {"node": node.id, "letter": node.letter},
                )
            )
            return
        if key.endswith("/dna"):
            state.did_not_attend = False
            result.events.append(
                CaseEvent(
                    "confirmed",
                    day,
                    "Did not attend letter: confirmed.",
                    figures.as_record(),
                    {"letter": "did_not_attend"},
                )
            )
            return
        node = self._current(state, key, Phase.PROPOSED)
        self._require(
            node.kind is NodeKind.STEP, f"{node.title} is answered, not confirmed"
        )
        state.counts[node.id] = state.counts.get(node.id, 0) + 1
        if state.stage == 1 and node.letter:
            state.stage1_letters = True
        state.confirmed_on = day
        state.last_step = node.id
        result.events.append(
            CaseEvent(
                "confirmed",
                day,
                f"{node.title}: confirmed"
                + (f" ({decision.reason})" if decision.reason else "")
                + ".",
                figures.as_record(),
                {"node": node.id, "letter": node.letter},
            )
        )
        if node.enforcement_warning:
            state.enforcement_on = day
            state.route = "enforcement"
        if node.meeting:
            state.phase = Phase.MEETING
            if node.panel:
                state.since = state.since or day
            return
        state.anchor = day
        if node.check_after:
            state.phase = Phase.CHECK
            return
        self._goto(state, node.next, day, result, figures)
        if node.next in self.policy.nodes and self.policy.node(node.next).panel:
            state.since = day

    def _current(self, state: CaseState, key: str, phase: Phase) -> Node:
        node = self.policy.nodes.get(state.node)
        expected = f"{state.year}/{state.seq}/{state.node}"
        self._require(
            node is not None and state.phase is phase and key.startswith(expected),
            "this item is no longer current for the case (it may have moved on "
            "or been completed by someone else)",
        )
        assert node is not None
        return node

    def _dismiss(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(bool(decision.reason.strip()), "a dismissal needs a reason")
        key = decision.key
        if "/esc" in key:
            stage = int(key.rsplit("stage", 1)[1])
            six = figures.six_week
            state.escalation_dismissed = {
                "stage": stage,
                "on": day.isoformat(),
                "unauthorised": six.settled_unauthorised if six else 0,
            }
            state.escalations += 1
            result.events.append(
                CaseEvent(
                    "dismissed",
                    day,
                    f"Escalation to Stage {stage} dismissed: {decision.reason}",
                    figures.as_record(),
                )
            )
            if state.node in STAGE_TARGETS and state.phase is Phase.PROPOSED:
                via = self.policy.nodes.get(state.via_question)
                fallback = via.no if via is not None and via.no else MONITOR
                self._goto(state, fallback, day, result, figures)
            return
        if "/la" in key:
            state.la = ""
            result.events.append(
                CaseEvent(
                    "dismissed",
                    day,
                    f"Local Authority referral dismissed: {decision.reason}",
                    figures.as_record(),
                )
            )
            return
        if key.endswith("/dna"):
            state.did_not_attend = False
            result.events.append(
                CaseEvent(
                    "dismissed",
                    day,
                    f"Did not attend letter dismissed: {decision.reason}",
                    figures.as_record(),
                )
            )
            return
        if key.endswith("/carry-over"):
            state.carry_over = False
            state.phase, state.closed_on = Phase.CLOSED, day
            result.events.append(
                CaseEvent("closed", day, f"Carry-over dismissed: {decision.reason}")
            )
            return
        node = self._current(state, key, Phase.PROPOSED)
        wait = self.policy.setting("dismissal_wait_days")
        state.dismissed_until = self.calendar.nth_after(day, wait) or dt.date.max
        result.events.append(
            CaseEvent(
                "dismissed",
                day,
                f"{node.title} dismissed: {decision.reason}. Not proposed again "
                f"for {wait} school days.",
                figures.as_record(),
            )
        )

    def _answer_decision(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        node = self._current(state, decision.key, Phase.PROPOSED)
        self._require(node.kind is NodeKind.DECISION, f"{node.title} is not a question")
        self._require(
            decision.option in node.options,
            f"choose one of: {', '.join(node.options)}",
        )
        target = node.options[decision.option]
        if node.recommend == "enforcement or support":
            enforcement = target in self.policy.nodes and (
                self.policy.node(target).enforcement_warning
            )
            state.route = "enforcement" if enforcement else "support"
        result.events.append(
            CaseEvent(
                "decision",
                day,
                f"{node.title} {decision.option}"
                + (f" ({decision.reason})" if decision.reason else ""),
                figures.as_record(),
                {"node": node.id, "option": decision.option},
            )
        )
        self._goto(state, target, day, result, figures)
        if target in self.policy.nodes and self.policy.node(target).panel:
            state.since = day

    def _record_meeting(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        node = self._current(state, decision.key, Phase.MEETING)
        held = decision.held_on
        if held is not None:
            self._require(
                held <= decision.on, "a meeting cannot be recorded before it is held"
            )
            start = self._meeting_start(state, node)
            if node.meeting_not_before:
                earliest = self.calendar.nth_after(start, node.meeting_not_before)
                self._require(
                    earliest is not None and held >= earliest,
                    f"the panel is held at least {node.meeting_not_before} school "
                    f"days after it is arranged (from {start:%d/%m/%Y})",
                )
        anchor_on = held or decision.on
        state.anchor = self.calendar.on_or_after(anchor_on) or anchor_on
        state.meeting_on = held
        state.reason_satisfactory = bool(
            held and decision.attended and decision.reason_satisfactory
        )
        state.phase = Phase.CHECK
        if node.no_show_letter and not decision.attended:
            state.did_not_attend = True
        outcome = (
            "held"
            if held and decision.attended
            else ("the parents did not attend" if held else "not held")
        )
        result.events.append(
            CaseEvent(
                "meeting",
                state.anchor,
                f"{node.title}: {outcome}"
                + (f" on {held:%a %d %b %Y}" if held else "")
                + (
                    "; a satisfactory reason was given"
                    if state.reason_satisfactory
                    else ""
                )
                + ".",
                figures.as_record(),
                {"node": node.id, "details": decision.details},
            )
        )

    def _check_decision(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        node = self._current(state, decision.key, Phase.CHECK)
        self._require(
            decision.option in ("improved", "not improved"),
            "answer 'improved' or 'not improved'",
        )
        self._require(bool(decision.reason.strip()), "say why")
        improved = decision.option == "improved"
        result.events.append(
            CaseEvent(
                "check",
                day,
                f"Check after {node.title} decided by staff: {decision.option} "
                f"({decision.reason}).",
                figures.as_record(),
                {"node": node.id, "improved": improved, "override": True},
            )
        )
        self._after_check(state, node, improved, day, result, figures)

    def _escalate(
        self,
        state: CaseState,
        stage: int,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
        reason: str,
    ) -> None:
        self._require(
            stage > state.stage, f"the case is already at Stage {state.stage}"
        )
        from_stage = state.stage
        state.escalations += 1
        state.escalation_dismissed = None
        state.stage = stage
        result.events.append(
            CaseEvent(
                "escalated",
                day,
                f"Escalated to Stage {stage}"
                + (f" ({reason})" if reason else "")
                + ".",
                figures.as_record(),
                {"from": from_stage, "to": stage},
            )
        )
        if from_stage == 1:
            result.superseded = True
            self._goto(state, self.policy.entry(2), day, result, figures)
        elif state.node in STAGE_TARGETS:
            self._goto(state, self.policy.entry(2), day, result, figures)
        if stage >= 3 and not state.la:
            state.la = "proposed"

    def _escalate_by_hand(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(decision.stage in (2, 3), "escalate to Stage 2 or Stage 3")
        self._require(bool(decision.reason.strip()), "say why")
        self._escalate(state, decision.stage, day, figures, result, decision.reason)

    def _defer_check(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        node = self.policy.nodes.get(state.node)
        self._require(
            node is not None and state.phase is Phase.CHECK and node.check_is_minimum,
            "only a check 'after a minimum of' days can be deferred, while it waits",
        )
        assert node is not None
        assert state.anchor is not None
        to = decision.held_on
        self._require(to is not None, "say the day the check is deferred to")
        assert to is not None
        due = self.calendar.nth_after(state.anchor, node.check_after)
        self._require(
            due is not None and to >= due,
            f"a check never comes early: not before {due:%d/%m/%Y}"
            if due
            else "that day is beyond the calendar",
        )
        self._require(bool(decision.reason.strip()), "say why")
        state.deferred_to = self.calendar.on_or_after(to) or to
        result.events.append(
            CaseEvent(
                "check deferred",
                day,
                f"Check after {node.title} deferred to "
                f"{state.deferred_to:%a %d %b %Y}: {decision.reason}",
                figures.as_record(),
            )
        )

    def _record_concern(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(state.stage4_since is None, "Stage 4 is already active")
        state.stage4_since = day
        result.superseded = True
        result.events.append(
            CaseEvent(
                "stage 4",
                day,
                "Safeguarding concern recorded: Stage 4 supersedes the pathway. "
                + decision.reason,
                figures.as_record(),
                {"details": decision.details},
                safeguarding=True,
            )
        )

    def _end_stage4(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(state.stage4_since is not None, "Stage 4 is not active")
        state.stage4_since = None
        state.mash_recorded = False
        state.reentry_pending = True
        result.events.append(
            CaseEvent(
                "stage 4 ended",
                day,
                "Stage 4 ended: re-entry to the pathway is proposed. "
                + decision.reason,
                figures.as_record(),
                safeguarding=True,
            )
        )

    def _reenter(
        self, state: CaseState, day: dt.date, figures: DayFigures, result: Evaluation
    ) -> None:
        self._require(state.reentry_pending, "no re-entry is pending")
        state.reentry_pending = False
        state.ongoing_from = day
        state.seq += 1
        if state.phase in (Phase.CHECK, Phase.MEETING):
            state.anchor = day
            state.phase = Phase.CHECK
        elif state.phase is Phase.MONITOR:
            state.monitor_from = day
        result.events.append(
            CaseEvent(
                "re-entered",
                day,
                f"The pathway resumes at {self._where(state)}; checks count from "
                "today, and Letter L and penalty-notice counting start again.",
                figures.as_record(),
            )
        )

    def _la_took_over(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(
            state.la == "referred", "the case has not been referred to the LA"
        )
        state.la = "taken over"
        result.superseded = True
        result.events.append(
            CaseEvent(
                "local authority",
                day,
                "The Local Authority has taken the case over: no pathway step is "
                "proposed; the ongoing procedures go on.",
                figures.as_record(),
            )
        )

    def _la_closed(
        self,
        state: CaseState,
        decision: Decision,
        day: dt.date,
        figures: DayFigures,
        result: Evaluation,
    ) -> None:
        self._require(
            state.la == "taken over", "the Local Authority has not taken over"
        )
        state.la = ""
        state.last_step = state.last_step or self.policy.entry(2)
        self._goto(state, DEESCALATE, day, result, figures)
        result.events.append(
            CaseEvent("local authority", day, "The Local Authority closed the case.")
        )

    def _carry_over(
        self, state: CaseState, day: dt.date, figures: DayFigures, result: Evaluation
    ) -> None:
        self._require(state.carry_over, "no carry-over is pending")
        state.carry_over = False
        state.closed_on = day  # the phase is kept: the new year's case continues it
        result.events.append(
            CaseEvent(
                "carried over",
                day,
                f"Carried over into the new academic year at {self._where(state)}.",
                figures.as_record(),
            )
        )

    def carried_state(self, old: CaseState, new_year: int, day: dt.date) -> CaseState:
        """Return the new year's case continuing `old` at the same step."""
        return dataclasses.replace(
            old,
            year=new_year,
            opened_on=day,
            carry_over=False,
            carried=True,
            closed_on=None,
            counts={},
        )
