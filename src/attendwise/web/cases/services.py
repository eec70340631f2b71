"""The daily run and the completion of worklist items.

Services own their transaction: each verb validates, writes in one
transaction, records events with who, when and the figures, and raises
a domain error (TaskError, PathwayError) that views and commands show as
it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import polars as pl
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import CharField, Count, F, Q, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone

from attendwise.core.calendar import SchoolCalendar, academic_year_of, load_calendar
from attendwise.core.codes import CodeError, classify
from attendwise.core.daily_limit import (
    Candidate,
    Selection,
    is_limited,
    select,
    ytd_figure,
)
from attendwise.core.ledger import (
    MARKS_SCHEMA,
    PUPILS_SCHEMA,
    PupilLedger,
    build_ledger,
    pupil_ledgers,
)
from attendwise.core.measures import pupil_measures
from attendwise.core.ongoing import OngoingHistory, ongoing_proposals
from attendwise.core.pathway import (
    Action,
    CaseEvent,
    CaseState,
    Decision,
    Evaluation,
    Pathway,
    Proposal,
)
from attendwise.core.policy import Policy, load_policy
from attendwise.core.pupilday import (
    CallOutcome,
    MarkOnDay,
    PupilDay,
    Session,
    day_figures,
)
from attendwise.letters.errors import LetterError
from attendwise.letters.fields import example_context
from attendwise.letters.kinds import LetterKind
from attendwise.letters.merge import Letterhead
from attendwise.letters.render import default_template, render_html, render_pdf
from attendwise.web.cases.letters import (
    PreparedDrafts,
    approve_letter,
    prepare_drafts,
    store_drafts,
)
from attendwise.web.cases.models import (
    WAITING,
    Case,
    Event,
    Letter,
    PenaltyNotice,
    Task,
)
from attendwise.web.register.models import Mark, MarkRevision, Pupil, School

log = logging.getLogger(__name__)

#: Task kinds a person completes by recording something rather than confirming.
CALL = "first-day call"


class TaskError(ValueError):
    """A worklist item that cannot be completed as asked."""


def _who(user: User | None) -> User | None:
    """Return the user to record, or None for the system (the daily run)."""
    return user if user is not None and user.pk else None


@dataclass(frozen=True)
class SchoolRules:
    """A school's calendar, policy and pathway engine, parsed once."""

    school: School
    calendar: SchoolCalendar
    policy: Policy
    pathway: Pathway

    @classmethod
    def of(cls, school: School) -> SchoolRules:
        calendar, policy, pathway = _parsed(
            school.slug, school.calendar_text, school.policy_text
        )
        return cls(school, calendar, policy, pathway)


@lru_cache(maxsize=32)
def _parsed(
    slug: str, calendar_text: str, policy_text: str
) -> tuple[SchoolCalendar, Policy, Pathway]:
    """Return the parsed calendar and policy (cached on their text: both are
    immutable values, and parsing the calendar's bank holidays is slow)."""
    calendar = load_calendar(calendar_text, f"{slug} calendar")
    policy = load_policy(policy_text, f"{slug} policy")
    return calendar, policy, Pathway(policy, calendar)


# -- reading the register ---------------------------------------------------


def _pupils_on_roll(
    school: School, first: dt.date, as_of: dt.date, only: Pupil | None = None
) -> list[Pupil]:
    pupils = Pupil.objects.filter(school=school, entry_date__lte=as_of).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=first)
    )
    if only is not None:
        pupils = pupils.filter(pk=only.pk)
    return list(pupils.order_by("id"))


def _calls(
    pupils: Iterable[int], first: dt.date
) -> dict[int, dict[dt.date, CallOutcome]]:
    found: dict[int, dict[dt.date, CallOutcome]] = defaultdict(dict)
    rows = Task.objects.filter(
        pupil_id__in=list(pupils), kind=CALL, due_on__gte=first
    ).exclude(outcome={})
    for task in rows:
        result = task.outcome.get("result")
        if result in CallOutcome._value2member_map_:
            found[task.pupil_id][task.due_on] = CallOutcome(result)
    return found


def _limit_reached(
    rules: SchoolRules, pupils: Iterable[int], as_of: dt.date
) -> set[int]:
    """Return the pupils for whom every parent has reached the notice limit."""
    years = rules.policy.setting("penalty_limit_years")
    since = as_of.replace(year=as_of.year - years)
    limit = rules.policy.setting("penalty_limit")
    per_parent: dict[tuple[int, str], int] = defaultdict(int)
    for notice in PenaltyNotice.objects.filter(
        pupil_id__in=list(pupils), issued_on__gt=since, withdrawn=False
    ):
        per_parent[(notice.pupil_id, notice.parent_name)] += 1
    reached: dict[int, bool] = {}
    for (pupil_id, _), count in per_parent.items():
        reached[pupil_id] = reached.get(pupil_id, True) and count >= limit
    return {pupil_id for pupil_id, all_reached in reached.items() if all_reached}


def _marks_frame(pupil_ids: list[int], first: dt.date, as_of: dt.date) -> pl.DataFrame:
    """Return the stored marks of `pupil_ids` from `first` to `as_of`, in order.

    Dates travel as ISO text and Polars parses them: converting each one in
    the database driver costs more than the rest of the read.
    """
    query = (
        Mark.objects.filter(pupil_id__in=pupil_ids, date__gte=first, date__lte=as_of)
        .order_by("pupil_id", "date", "session")
        .annotate(day=Cast("date", CharField()))
        .values_list("pupil_id", "day", "session", "code")
    )
    text = pl.DataFrame(
        list(query),
        schema={
            "pupil_id": pl.Int64,
            "date": pl.Utf8,
            "session": pl.Utf8,
            "code": pl.Utf8,
        },
        orient="row",
    )
    return text.with_columns(pl.col("date").str.to_date("%Y-%m-%d")).cast(
        MARKS_SCHEMA  # type: ignore[arg-type]
    )


def school_measures(rules: SchoolRules, as_of: dt.date) -> pl.DataFrame:
    """Return every on-roll pupil's measures as of `as_of` (measures engine).

    Adds the pupil's MIS id, name, year and registration group.
    """
    policy = rules.policy
    year_start = rules.calendar.first_school_day(academic_year_of(as_of))
    pupils = _pupils_on_roll(rules.school, year_start, as_of)
    weeks, _ = rules.calendar.last_school_weeks(as_of, policy.setting("penalty_weeks"))
    first = min(year_start, weeks[0]) if weeks else year_start
    roll = pl.DataFrame(
        [(p.id, p.entry_date, p.leaving_date) for p in pupils],
        schema=PUPILS_SCHEMA,
        orient="row",
    )
    measures = pupil_measures(
        _marks_frame([p.id for p in pupils], first, as_of),
        roll,
        rules.calendar,
        as_of,
        not_possible=policy.not_possible,
        six_week_days=policy.setting("six_week_days"),
        n_grace_days=policy.setting("n_grace_days"),
        penalty_weeks=policy.setting("penalty_weeks"),
        penalty_threshold=policy.setting("penalty_threshold"),
        six_week_cross_year=policy.setting("six_week_cross_year"),
    )
    who = pl.DataFrame(
        [
            (
                p.id,
                p.mis_id,
                p.legal_forename,
                p.legal_surname,
                p.year_group,
                p.reg_group,
            )
            for p in pupils
        ],
        schema={
            "pupil_id": pl.Int64,
            "mis_id": pl.Utf8,
            "forename": pl.Utf8,
            "surname": pl.Utf8,
            "year_group": pl.Int64,
            "reg_group": pl.Utf8,
        },
        orient="row",
    )
    return who.join(measures, on="pupil_id", how="left")


@dataclass
class Register:
    """Every pupil's PupilDay as of one day, read in one pass."""

    as_of: dt.date
    pupils: dict[int, Pupil]
    days: dict[int, PupilDay]


def read_register(
    rules: SchoolRules, as_of: dt.date, *, only: Pupil | None = None
) -> Register:
    """Return the PupilDay of every pupil on roll this academic year, as of `as_of`.

    With `only`, just that pupil.
    """
    calendar, policy = rules.calendar, rules.policy
    year = academic_year_of(as_of)
    year_start = calendar.first_school_day(year)
    weeks, _ = calendar.last_school_weeks(as_of, policy.setting("penalty_weeks"))
    first = min(year_start, weeks[0]) if weeks else year_start
    pupils = {p.id: p for p in _pupils_on_roll(rules.school, year_start, as_of, only)}

    marks = _marks_frame(list(pupils), first, as_of)
    rows = list(marks.iter_rows())
    roll = pl.DataFrame(
        [(p.id, p.entry_date, p.leaving_date) for p in pupils.values()],
        schema=PUPILS_SCHEMA,
        orient="row",
    )
    ledger = build_ledger(
        marks,
        roll,
        calendar,
        first=first,
        as_of=as_of,
        not_possible=policy.not_possible,
    )
    ledgers = pupil_ledgers(ledger)

    by_pupil: dict[int, list[MarkOnDay]] = defaultdict(list)
    for pupil_id, day, session, code in rows:
        pupil = pupils[pupil_id]
        within_roll = pupil.entry_date <= day and (
            pupil.leaving_date is None or day <= pupil.leaving_date
        )
        if within_roll and calendar.is_school_day(day):
            by_pupil[pupil_id].append(MarkOnDay(day, session, code))
    calls = _calls(pupils, year_start)
    limited = _limit_reached(rules, pupils, as_of)
    empty = PupilLedger()
    days = {
        pupil_id: PupilDay(
            pupil_id=pupil_id,
            as_of=as_of,
            entry_date=pupil.entry_date,
            leaving_date=pupil.leaving_date,
            figures=ledgers.get(pupil_id, empty),
            marks=tuple(by_pupil.get(pupil_id, ())),
            calls=calls.get(pupil_id, {}),
            ehc_plan=pupil.sen == Pupil.Sen.EHC_PLAN,
            penalty_limit_reached=pupil_id in limited,
        )
        for pupil_id, pupil in pupils.items()
    }
    return Register(as_of, pupils, days)


# -- persisting what the engine said ------------------------------------------


def _record_events(
    pupil: Pupil,
    case: Case | None,
    events: Iterable[CaseEvent],
    actor: User | None,
    now: dt.datetime,
) -> None:
    Event.objects.bulk_create(_event_rows(pupil, case, events, actor, now))


def _event_rows(
    pupil: Pupil,
    case: Case | None,
    events: Iterable[CaseEvent],
    actor: User | None,
    now: dt.datetime,
) -> list[Event]:
    return [
        Event(
            school_id=pupil.school_id,
            pupil=pupil,
            case=case,
            kind=event.kind,
            school_day=event.day,
            recorded_at=now,
            actor=_who(actor),
            summary=event.summary,
            figures=event.figures,
            data=event.data,
            safeguarding=event.safeguarding,
        )
        for event in events
    ]


def _last_counted(
    tasks: Iterable[Task], wanted: Callable[[Task], bool]
) -> Session | None:
    """Return the last session counted by the latest decided task `wanted` picks."""
    decided = [
        task
        for task in tasks
        if task.status in (Task.Status.CONFIRMED, Task.Status.DISMISSED)
        and "last_counted" in task.payload
        and wanted(task)
    ]
    if not decided:
        return None
    latest = max(
        decided,
        key=lambda t: (t.decided_at.timestamp() if t.decided_at else 0.0, t.pk),
    )
    day, session = latest.payload["last_counted"]
    return Session(dt.date.fromisoformat(day), session)


def _history(
    tasks: Iterable[Task], year: int, state: CaseState | None
) -> OngoingHistory:
    """Return what the pupil's earlier Letter L and penalty items counted."""
    tasks = list(tasks)
    return OngoingHistory(
        last_letter_l=_last_counted(
            tasks, lambda t: t.key.startswith(f"{year}/L/") and t.title == "Letter L"
        ),
        last_penalty=_last_counted(tasks, lambda t: t.key.startswith("PN/")),
        restart_from=state.ongoing_from if state else None,
    )


@dataclass
class Pending:
    """A new pathway proposal the daily limit lets through or queues."""

    pupil: Pupil
    case: Case | None
    key: str
    fields: dict[str, Any]
    #: its item, if it is already queued (or was withdrawn)
    task: Task | None


@dataclass
class RunContext:
    """What the run reads once for every pupil, and writes in bulk at the end."""

    cases: dict[int, Case]
    carried: dict[int, Case]
    #: each pupil's open items, and the decided items the next ones count from
    tasks: dict[int, dict[str, Task]]
    #: the keys of every decided item: a key is never proposed twice
    decided: dict[int, set[str]]
    events: list[Event] = field(default_factory=list)
    to_draft: list[Task] = field(default_factory=list)
    #: the daily run's new pathway proposals, for the daily limit to sort out
    #: once every pupil is evaluated (None outside the daily run: the items
    #: that follow a person's decision go on the worklist at once)
    pending: list[Pending] | None = None

    @classmethod
    def load(cls, pupil_ids: Iterable[int], year: int) -> RunContext:
        ids = list(pupil_ids)
        cases = {
            c.pupil_id: c
            for c in Case.objects.filter(pupil_id__in=ids, academic_year=year)
        }
        carried = {
            c.pupil_id: c
            for c in Case.objects.filter(
                pupil_id__in=ids, academic_year=year - 1, closed_on__isnull=True
            )
            if c.pupil_id not in cases
        }
        open_statuses = [*WAITING, Task.Status.WITHDRAWN]
        tasks: dict[int, dict[str, Task]] = defaultdict(dict)
        counted_from = Q(key__startswith="PN/") | Q(title="Letter L")
        for task in Task.objects.filter(pupil_id__in=ids).filter(
            Q(status__in=open_statuses) | counted_from
        ):
            tasks[task.pupil_id][task.key] = task
        decided: dict[int, set[str]] = defaultdict(set)
        for pupil_id, key in (
            Task.objects.filter(pupil_id__in=ids)
            .exclude(status__in=open_statuses)
            .values_list("pupil_id", "key")
        ):
            decided[pupil_id].add(key)
        return cls(cases, carried, tasks, decided)

    def record(
        self,
        pupil: Pupil,
        case: Case | None,
        events: Iterable[CaseEvent],
        actor: User | None,
        now: dt.datetime,
    ) -> None:
        self.events += _event_rows(pupil, case, events, actor, now)

    def flush(self) -> None:
        Event.objects.bulk_create(self.events, batch_size=500)
        self.events = []


#: Letters about Stage 2 and above cite the six-week figures; others the year.
SIX_WEEK_LETTERS = frozenset(
    {"enforcement_1", "did_not_attend", "fpn_referral", "la_referral"}
)


def letter_figures(proposal: Proposal, policy: Policy) -> dict[str, Any]:
    """Return the period a proposal's letter cites, as the letter service reads it.

    The six-week figures for Stage 2 letters and referrals (when they
    exist), the year-to-date figures otherwise.
    """
    figures = proposal.figures
    period = figures.get("ytd")
    if proposal.letter in SIX_WEEK_LETTERS and "six_week" in figures:
        period = figures["six_week"]
    if not period:
        return {}
    return {
        "period_first": period["first"],
        "period_last": period["last"],
        "possible": period["possible"],
        "attended": period["attended"],
        "authorised": period["authorised"],
        "unauthorised": period["unauthorised"],
        "i_possible": period["i_possible"],
        "i_attended": period["i_attended"],
        "illness": period.get("illness", 0),
        "medical": period.get("medical", 0),
        "not_possible_codes": sorted(policy.not_possible),
    }


def _task_fields(proposal: Proposal, policy: Policy) -> dict[str, Any]:
    figures = dict(proposal.figures)
    payload = proposal.payload | {
        "reasons": list(proposal.reasons),
        "letter": proposal.letter,
        "options": list(proposal.options),
        "recommendation": proposal.recommendation,
    }
    if proposal.letter:
        figures |= letter_figures(proposal, policy)
        payload["target_percent"] = policy.setting("school_target")
        window = figures.get("penalty_window")
        if proposal.letter == "fpn_referral" and window:
            payload["penalty_window"] = {
                "first": window["first"],
                "last": window["last"],
                "unauthorised": window["unauthorised"],
            }
    return {
        "kind": proposal.kind,
        "node": proposal.node,
        "title": proposal.title,
        "role": proposal.role,
        "due_on": proposal.due_on,
        "first_indicated_on": proposal.first_indicated_on,
        "figures": figures,
        "payload": payload,
        "safeguarding": proposal.safeguarding,
    }


@dataclass
class RunReport:
    as_of: dt.date
    pupils: int = 0
    proposed: int = 0
    withdrawn: int = 0
    events: int = 0
    calls_missing: int = 0
    letters: int = 0
    #: new items released from the daily limit's queue (among `proposed`)
    released: int = 0
    #: new pathway proposals waiting in the daily limit's queue after the run
    queued: int = 0
    #: every pupil's register as the run read it (pupil id -> PupilDay)
    register: dict[int, PupilDay] = field(default_factory=dict)
    stage_counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    new_tasks: list[int] = field(default_factory=list)


def _sync_tasks(
    pupil: Pupil,
    case: Case | None,
    proposals: list[Proposal],
    as_of: dt.date,
    *,
    limited: set[str],
    superseded: bool,
    now: dt.datetime,
    report: RunReport,
    policy: Policy,
    context: RunContext,
) -> list[Task]:
    """Make the open tasks of `pupil` match `proposals`; return those to draft.

    Those are the new ones and the ones withdrawn earlier and proposed again.

    In the daily run, a new proposal the daily limit applies to (its key in
    `limited`, with no item yet, or one queued or withdrawn) is left in
    `context.pending` for `_release`. Otherwise a queued item stays queued.
    """
    wanted = {p.key: p for p in proposals}
    existing = context.tasks[pupil.pk]
    decided = context.decided[pupil.pk]
    created: list[Task] = []
    for key, proposal in wanted.items():
        task = existing.get(key)
        if task is None and key in decided:
            continue  # decided already: never proposed twice
        fields = _task_fields(proposal, policy)
        if task is not None and task.status in WAITING:
            # The days an item was first indicated and fell due never move
            # later, so an item nobody has completed shows as overdue.
            fields["first_indicated_on"] = min(
                task.first_indicated_on, proposal.first_indicated_on
            )
            fields["due_on"] = min(task.due_on, proposal.due_on)
            if task.status == Task.Status.PROPOSED and proposal.letter:
                # Its letter was drafted on these figures: they stay, so the
                # item, its draft and its confirmation say the same.
                fields["figures"] = task.figures
                fields["payload"] = task.payload
        new = task is None or task.status in (
            Task.Status.QUEUED,
            Task.Status.WITHDRAWN,
        )
        if key in limited and new and context.pending is not None:
            context.pending.append(Pending(pupil, case, key, fields, task))
            continue
        if task is None:
            task = Task.objects.create(
                school_id=pupil.school_id,
                pupil=pupil,
                case=case,
                key=key,
                proposed_on=as_of,
                **fields,
            )
            existing[key] = task
            created.append(task)
            report.proposed += 1
            report.new_tasks.append(task.pk)
        elif task.status in (*WAITING, Task.Status.WITHDRAWN):
            changed = task.status == Task.Status.WITHDRAWN or task.case_id != (
                case.pk if case else None
            )
            if task.status == Task.Status.WITHDRAWN:
                task.status = Task.Status.PROPOSED
                task.proposed_on = as_of
                report.proposed += 1
                # Proposed again on today's figures: its letter is drafted
                # anew (the old draft is replaced), never sent as it was.
                created.append(task)
            for name, value in fields.items():
                if getattr(task, name) != value:
                    setattr(task, name, value)
                    changed = True
            if changed:
                task.case = case
                task.save()
    for key, task in existing.items():
        if key in wanted or task.status not in WAITING:
            continue
        if task.kind == CALL and task.due_on < as_of:
            task.status = Task.Status.CLOSED
            task.reason = "call not recorded"
            report.calls_missing += 1
            context.record(
                pupil,
                case,
                [
                    CaseEvent(
                        "call missing", task.due_on, "First-day call not recorded."
                    )
                ],
                None,
                now,
            )
        elif superseded and task.case_id is not None:
            task.status = Task.Status.SUPERSEDED
            task.reason = "superseded"
        else:
            queued = task.status == Task.Status.QUEUED
            task.status = Task.Status.WITHDRAWN
            task.reason = "its reason has gone on " + f"{as_of:%d/%m/%Y}"
            report.withdrawn += 1
            context.record(
                pupil,
                case,
                [
                    CaseEvent(
                        "withdrawn",
                        as_of,
                        f"{task.title} withdrawn"
                        + (" while queued by the daily limit" if queued else "")
                        + ": the marks it rested on have changed.",
                    )
                ],
                None,
                now,
            )
        task.decided_at = now
        task.decided_on = as_of
        task.version += 1
        task.save()
    return created


def _release(
    rules: SchoolRules, context: RunContext, as_of: dt.date, now: dt.datetime
) -> Selection[Pending]:
    """Put the run's new pathway proposals on the worklist, or queue them.

    The policy's daily limit picks, per role, the most urgent that fit
    under today's limit, counting those the role already had today (so a
    re-run of the day releases no more); the rest are queued, or stay
    queued. Return the selection.
    """
    limit = rules.policy.setting("daily_new_proposals_per_role")
    released_today: dict[str, int] = {
        role: count
        for role, count in Task.objects.filter(school=rules.school, released_on=as_of)
        .values_list("role")
        .annotate(count=Count("id"))
    }
    return select(
        (
            Candidate(
                item,
                role=item.fields["role"],
                stage=item.case.stage if item.case is not None else 0,
                figure=ytd_figure(item.fields["figures"]),
                first_indicated_on=item.fields["first_indicated_on"],
                name=f"{item.pupil.legal_surname} {item.pupil.legal_forename}",
            )
            for item in context.pending or ()
        ),
        limit,
        released_today,
    )


def _put_on_worklist(
    item: Pending,
    as_of: dt.date,
    *,
    now: dt.datetime,
    report: RunReport,
    context: RunContext,
) -> None:
    """Make `item` a worklist item from today, due today; draft its letter."""
    fields = item.fields | {"due_on": as_of, "released_on": as_of}
    task = item.task
    if task is None:
        task = Task.objects.create(
            school_id=item.pupil.school_id,
            pupil=item.pupil,
            case=item.case,
            key=item.key,
            proposed_on=as_of,
            **fields,
        )
        context.tasks[item.pupil.pk][item.key] = task
        report.new_tasks.append(task.pk)
    else:
        if task.status == Task.Status.QUEUED:
            report.released += 1
            context.record(
                item.pupil,
                item.case,
                [
                    CaseEvent(
                        "released from the queue",
                        as_of,
                        f"{task.title} released from the daily limit's queue onto "
                        f"the worklist (first indicated "
                        f"{fields['first_indicated_on']:%a %d %b %Y}).",
                    )
                ],
                None,
                now,
            )
        for name, value in fields.items():
            setattr(task, name, value)
        task.status = Task.Status.PROPOSED
        task.proposed_on = as_of
        task.case = item.case
        task.version += 1
        task.save()
    report.proposed += 1
    if task.payload.get("letter"):
        # A new item, one released from the queue, or one withdrawn earlier
        # and proposed again on today's figures (its old draft is replaced).
        context.to_draft.append(task)


def _queue(
    item: Pending,
    as_of: dt.date,
    *,
    now: dt.datetime,
    report: RunReport,
    context: RunContext,
    rules: SchoolRules,
) -> None:
    """Keep `item` in the daily limit's queue (recording when it joins it)."""
    task = item.task
    if task is not None and task.status == Task.Status.QUEUED:
        changed = task.case_id != (item.case.pk if item.case else None)
        for name, value in item.fields.items():
            if getattr(task, name) != value:
                setattr(task, name, value)
                changed = True
        if changed:
            task.case = item.case
            task.save()
        return
    if task is None:
        task = Task.objects.create(
            school_id=item.pupil.school_id,
            pupil=item.pupil,
            case=item.case,
            key=item.key,
            status=Task.Status.QUEUED,
            proposed_on=as_of,
            **item.fields,
        )
        context.tasks[item.pupil.pk][item.key] = task
    else:  # withdrawn earlier, and proposed again
        for name, value in item.fields.items():
            setattr(task, name, value)
        task.status = Task.Status.QUEUED
        task.proposed_on = as_of
        task.case = item.case
        task.version += 1
        task.save()
    limit = rules.policy.setting("daily_new_proposals_per_role")
    context.record(
        item.pupil,
        item.case,
        [
            CaseEvent(
                "queued",
                as_of,
                f"{task.title} queued by the daily limit ({limit} new pathway "
                f"proposal{'s' if limit != 1 else ''} a day for the "
                f"{rules.policy.role_name(task.role)}); first indicated "
                f"{task.first_indicated_on:%a %d %b %Y}. A later daily run puts "
                "it on the worklist, the most urgent first.",
            )
        ],
        None,
        now,
    )


def _save_case(
    rules: SchoolRules,
    pupil: Pupil,
    case: Case | None,
    evaluation: Evaluation,
    as_of: dt.date,
) -> Case | None:
    state = evaluation.state
    if state is None:
        return None
    if case is None:
        case = Case(
            school=rules.school,
            pupil=pupil,
            academic_year=state.year,
            opened_on=state.opened_on,
        )
    case.state = state.to_json()
    case.stage = 4 if state.stage4_since else state.stage
    if not state.open or state.closed_on is not None:
        case.status = Case.Status.CLOSED
        case.closed_on = state.closed_on
    elif state.phase.value == "monitor":
        case.status = Case.Status.MONITORING
    else:
        case.status = Case.Status.OPEN
    if case.pk is None:
        case.save()
        return case
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        state=case.state,
        stage=case.stage,
        status=case.status,
        closed_on=case.closed_on,
        version=F("version") + 1,
    )
    if not updated:
        raise TaskError(
            "the case was changed by someone else at the same time: reload and retry"
        )
    case.version += 1
    return case


def evaluate_pupil(
    rules: SchoolRules,
    pupil: Pupil,
    day: PupilDay,
    *,
    report: RunReport,
    now: dt.datetime,
    actor: User | None = None,
    superseded: bool = False,
    draft: bool = True,
    context: RunContext | None = None,
) -> Case | None:
    """Evaluate one pupil's case and ongoing items; persist the outcome.

    The daily run passes a RunContext loaded for every pupil at once (and
    flushes its events, and applies the daily limit to the new pathway
    proposals it gathers); alone, the pupil's own is loaded and flushed,
    and new items go on the worklist at once (they follow a person's
    decision) while queued ones stay queued.
    """
    year = day.year
    alone = context is None
    if context is None:
        context = RunContext.load([pupil.pk], year)
    case = context.cases.get(pupil.pk) or context.carried.get(pupil.pk)
    state = CaseState.from_json(case.state) if case else None
    evaluation = rules.pathway.evaluate(state, day)
    if case is None or evaluation.events or evaluation.state != state:
        case = _save_case(rules, pupil, case, evaluation, day.as_of)
        if case is not None and case.academic_year == year:
            context.cases[pupil.pk] = case
    context.record(pupil, case, evaluation.events, actor, now)
    report.events += len(evaluation.events)
    figures = evaluation.figures or day_figures(day, rules.calendar, rules.policy)
    current = evaluation.state
    stage4 = bool(current and current.stage4_since)
    ongoing = ongoing_proposals(
        day,
        figures,
        rules.calendar,
        rules.policy,
        _history(context.tasks[pupil.pk].values(), year, current),
        stage4=stage4,
    )
    if evaluation.indication is not None:
        report.stage_counts[evaluation.indication.stage] += 1
    record = figures.as_record()
    ongoing = [
        dataclasses.replace(
            p,
            payload=p.payload | {"ongoing": True},
            # A letter cites the figures of the day it is proposed (Letter L).
            figures=p.figures or (record if p.letter else {}),
        )
        for p in ongoing
    ]
    created = _sync_tasks(
        pupil,
        case,
        [*evaluation.proposals, *ongoing],
        day.as_of,
        limited={p.key for p in evaluation.proposals if is_limited(p)},
        superseded=superseded or evaluation.superseded,
        now=now,
        report=report,
        policy=rules.policy,
        context=context,
    )
    letters = [task for task in created if task.payload.get("letter")]
    if alone:
        context.flush()
        if draft:
            draft_many(rules, letters, day.as_of, report=report)
    else:
        context.to_draft += letters
    return case


def letterhead(school: School) -> Letterhead:
    lines = tuple(line.strip() for line in school.address.splitlines() if line.strip())
    return Letterhead(school.name, lines, school.phone, school.email)


class LetterRenderer:
    """Renders letters' HTML to PDF, across worker processes when there are many.

    Use it as a context manager to keep the workers (and the fonts they have
    loaded) for many runs, as the demo does; otherwise each call starts and
    stops its own. `start` starts the workers ahead of need: they warm up
    (each renders a sample letter) while the caller does other work, as the
    daily run does while it evaluates the pupils.
    """

    #: Below this many letters, starting worker processes costs more than it saves.
    PARALLEL_FROM = 8

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LetterRenderer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self) -> bool:
        """Start the workers now, if there are to be any; return whether it did.

        False when they are already running or this renderer has one worker.
        """
        if self.workers < 2 or self._pool is not None:
            return False
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_warm_up,
        )
        # With fork, the first submission starts every worker at once.
        self._pool.submit(int)
        return True

    def close(self) -> None:
        """Stop the workers, after the letters they were given."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def submit(self, htmls: list[str]) -> PendingPdfs:
        """Return the PDFs of `htmls` to come: rendered by the workers if
        they are running (the caller goes on meanwhile), else here and now.
        """
        if self._pool is not None:
            return self._pool.submit(_render_all, htmls)
        return _Rendered(htmls)

    def render(self, htmls: list[str]) -> list[bytes]:
        """Return the PDF of each HTML letter, in order."""
        started = len(htmls) >= self.PARALLEL_FROM and self.start()
        try:
            if self._pool is None or len(htmls) < 2:
                return _render_all(htmls)
            return list(self._pool.map(render_pdf, htmls, chunksize=2))
        finally:
            if started:
                self.close()


class PendingPdfs(Protocol):
    """PDFs being rendered: a concurrent.futures.Future, or _Rendered."""

    def done(self) -> bool: ...

    def result(self) -> list[bytes]: ...


class _Rendered:
    """PDFs rendered in this process when asked for (LetterError kept)."""

    def __init__(self, htmls: list[str]) -> None:
        self._pdfs: list[bytes] = []
        self._error: LetterError | None = None
        try:
            self._pdfs = _render_all(htmls)
        except LetterError as error:
            self._error = error

    def done(self) -> bool:
        return True

    def result(self) -> list[bytes]:
        if self._error is not None:
            raise self._error
        return self._pdfs


def _render_all(htmls: list[str]) -> list[bytes]:
    return [render_pdf(html) for html in htmls]


def _warm_up() -> None:
    """Prepare a letter worker, so that its first real letter is not slower.

    What the worker inherited from the daily run is frozen out of the garbage
    collector's sight (it would otherwise walk it again and again), and a
    sample letter is rendered: Fontconfig and Pango have then loaded the
    fonts, letter.css is parsed and WeasyPrint's lazily imported parts are
    in. A warm-up that fails leaves that to the first letter.
    """
    gc.freeze()
    try:
        render_pdf(
            render_html(default_template(LetterKind.LETTER_1), example_context())
        )
    except Exception:  # a warm-up only
        log.debug("letter worker warm-up failed", exc_info=True)


class _TemplateSources:
    """The school's edited wording of each letter, looked up once per kind."""

    def __init__(self, school: School) -> None:
        self.school = school
        self._sources: dict[str, str | None] = {}

    def of(self, task: Task) -> str | None:
        # The school's edited wording is kept by the web application.
        from attendwise.web.ui.models import school_template

        kind = str(task.payload.get("letter") or task.kind)
        if kind not in self._sources:
            self._sources[kind] = school_template(self.school, kind)
        return self._sources[kind]


def draft_many(
    rules: SchoolRules,
    tasks: Iterable[Task],
    on_day: dt.date,
    *,
    report: RunReport | None = None,
    renderer: LetterRenderer | None = None,
) -> list[Letter]:
    """Return the drafts of every letter task in `tasks`, signed for its role.

    A letter that cannot be drafted (no contact to write to, a template the
    school broke) does not stop the others: the reason goes on the pupil's
    timeline and the item stays on the worklist.

    Each task's letters go to `renderer`'s workers as soon as they are
    merged; the drafts are stored as the PDFs come back, in task order, the
    tasks whose PDFs are back at once in one transaction.
    """
    tasks = list(tasks)
    now = timezone.now()
    templates = _TemplateSources(rules.school)
    head = letterhead(rules.school)
    _prefetch_for_letters(tasks)

    def not_drafted(task: Task, error: LetterError) -> None:
        _record_events(
            task.pupil,
            task.case,
            [CaseEvent("letter not drafted", on_day, f"{task.title}: {error}")],
            None,
            now,
        )

    renderer = renderer or LetterRenderer()
    started = len(tasks) >= renderer.PARALLEL_FROM and renderer.start()
    letters: list[Letter] = []
    try:
        pending: list[tuple[PreparedDrafts, PendingPdfs]] = []
        for task in tasks:
            role_name = rules.policy.role_name(task.role)
            try:
                item = prepare_drafts(
                    task,
                    sender_name=rules.school.signatories.get(task.role) or role_name,
                    sender_role=role_name,
                    on_day=on_day,
                    letterhead=head,
                    template_source=templates.of(task),
                )
            except LetterError as error:
                not_drafted(task, error)
                continue
            pending.append((item, renderer.submit(item.htmls)))
        while pending:
            # Wait for the next task's PDFs; store with them those of the
            # tasks after it that are back too.
            count = 1
            while count < len(pending) and pending[count][1].done():
                count += 1
            group, pending = pending[:count], pending[count:]
            with transaction.atomic():
                for item, pdfs in group:
                    try:
                        rendered = pdfs.result()
                    except LetterError as error:
                        not_drafted(item.task, error)
                        continue
                    letters += store_drafts(item, rendered)
    finally:
        if started:
            renderer.close()
    if report is not None:
        report.letters += len(letters)
    return letters


def _prefetch_for_letters(tasks: list[Task]) -> None:
    """Load what merging the tasks' letters reads, in a few queries for all."""
    prefetch_related_objects(tasks, "pupil__school", "pupil__contacts", "case")


def daily_run(
    school: School,
    as_of: dt.date,
    *,
    progress: Callable[[list[int]], Iterable[int]] = lambda items: items,
    draft: bool = True,
    renderer: LetterRenderer | None = None,
) -> RunReport:
    """Return the report of the daily run for `as_of`, after persisting it.

    Evaluates every pupil on roll this academic year, advances their cases,
    records proposals and withdraws those whose reason has gone, in one
    transaction: a failed run changes nothing. New pathway proposals go
    through the policy's daily limit (`_release`): those over it are
    queued. Then drafts the letters of the new worklist items (a letter
    that fails is drafted when confirmed); when there are letters enough
    for the workers, they start while the rest of the pupils are evaluated.
    """
    rules = SchoolRules.of(school)
    if not rules.calendar.is_school_day(as_of):
        raise TaskError(f"{as_of:%a %d %b %Y} is not a school day in the calendar")
    latest = school.last_run_on
    if latest is not None and latest > as_of:
        raise TaskError(
            f"the daily run has already run for {latest:%a %d %b %Y}: runs go "
            "forward, one school day after another"
        )
    renderer = renderer or LetterRenderer()
    started = False
    try:
        register = read_register(rules, as_of)
        report = RunReport(
            as_of=as_of, pupils=len(register.pupils), register=register.days
        )
        now = timezone.now()
        with transaction.atomic():
            context = RunContext.load(register.pupils, academic_year_of(as_of))
            context.pending = []
            for pupil_id in progress(list(register.pupils)):
                evaluate_pupil(
                    rules,
                    register.pupils[pupil_id],
                    register.days[pupil_id],
                    report=report,
                    now=now,
                    context=context,
                )
                enough = len(context.to_draft) >= renderer.PARALLEL_FROM
                if draft and enough and not renderer.started:
                    # Letters enough for the workers: they start (and warm
                    # up) while the other pupils are evaluated.
                    started = renderer.start()
            chosen = _release(rules, context, as_of, now)
            for candidate in chosen.released:
                _put_on_worklist(
                    candidate.item, as_of, now=now, report=report, context=context
                )
            for candidate in chosen.queued:
                _queue(
                    candidate.item,
                    as_of,
                    now=now,
                    report=report,
                    context=context,
                    rules=rules,
                )
            report.queued = len(chosen.queued)
            context.flush()
            School.objects.filter(pk=school.pk).update(last_run_on=as_of)
            school.last_run_on = as_of
        if draft:
            # After the run's transaction: rendering PDFs takes a while, and
            # a letter task without drafts is drafted when a person confirms it.
            draft_many(rules, context.to_draft, as_of, report=report, renderer=renderer)
    finally:
        if started:
            renderer.close()
    log.info(
        "daily run done",
        extra={
            "school": school.pk,
            "as_of": as_of.isoformat(),
            "pupils": report.pupils,
        },
    )
    return report


# -- people completing items ---------------------------------------------------


CASE_ACTIONS = {
    "confirm": Action.CONFIRM,
    "dismiss": Action.DISMISS,
    "answer": Action.ANSWER,
    "record meeting": Action.RECORD_MEETING,
    "check decision": Action.CHECK_DECISION,
}


def _claim(task: Task, user: User | None, status: str, now: dt.datetime) -> None:
    """Compare-and-set the task out of 'proposed': exactly one person wins."""
    claimed = Task.objects.filter(
        pk=task.pk, status=Task.Status.PROPOSED, version=task.version
    ).update(
        status=status,
        decided_at=now,
        decided_by=_who(user),
        version=F("version") + 1,
    )
    if not claimed:
        raise TaskError(
            "this item has already been completed or changed by someone else"
        )
    task.refresh_from_db()


def _change_marks(
    pupil: Pupil,
    day: dt.date,
    sessions: Iterable[str],
    new_code: str,
    user: User | None,
    now: dt.datetime,
    reason: str,
) -> None:
    for mark in Mark.objects.filter(pupil=pupil, date=day, session__in=list(sessions)):
        if mark.code == new_code:
            continue
        MarkRevision.objects.create(
            mark=mark,
            code=mark.code,
            source_code=mark.source_code,
            minutes_late=mark.minutes_late,
            valid_until=now,
            replaced_by_user=_who(user),
            reason=reason,
        )
        mark.code = new_code
        mark.source_code = new_code
        mark.changed_by = _who(user)
        mark.updated_at = now
        mark.import_run = None
        mark.save()


def complete_task(
    task: Task,
    *,
    action: str,
    on: dt.date,
    user: User,
    option: str = "",
    reason: str = "",
    held_on: dt.date | None = None,
    attended: bool = True,
    reason_satisfactory: bool | None = None,
    details: dict[str, Any] | None = None,
    pupil_day: PupilDay | None = None,
    draft: bool = True,
) -> Task:
    """Complete a worklist item as a person; return the task as it now stands.

    `pupil_day` may pass the pupil's register as of `on` when the caller
    has just read it (the demo, after the daily run); it is read otherwise.
    With `draft` off, letters of items this completion proposes are left
    for `draft_pending` (or for their confirmation) to draft.
    Raises TaskError or PathwayError with a message for the person.
    """
    rules = SchoolRules.of(task.school)
    now = timezone.now()
    pupil = task.pupil
    if task.status == Task.Status.QUEUED:
        raise TaskError(
            "this item is queued by the daily limit on new proposals: a later "
            "daily run puts it on the worklist, the most urgent first"
        )
    if on < task.proposed_on:
        raise TaskError(
            f"this item was proposed on {task.proposed_on:%d/%m/%Y}: it cannot be "
            f"completed on an earlier day ({on:%d/%m/%Y})"
        )
    with transaction.atomic():
        if pupil_day is None or pupil_day.as_of != on:
            pupil_day = read_register_for(rules, pupil, on)
        if task.case_id is not None and not task.payload.get("ongoing"):
            _complete_case_task(
                rules,
                task,
                action,
                on,
                user,
                now,
                pupil_day,
                option=option,
                reason=reason,
                held_on=held_on,
                attended=attended,
                reason_satisfactory=reason_satisfactory,
                details=details or {},
            )
        else:
            _complete_ongoing_task(rules, task, action, on, user, now, option, reason)
        task.refresh_from_db()
        evaluate_pupil(
            rules,
            pupil,
            _after(rules, task, pupil_day),
            report=RunReport(as_of=on),
            now=now,
            draft=draft,
        )
    return task


def draft_pending(
    school: School,
    on_day: dt.date,
    *,
    pupil: Pupil | None = None,
    renderer: LetterRenderer | None = None,
) -> list[Letter]:
    """Return the drafts of every open letter item of `school` that has none.

    With `pupil`, that pupil's items only (after a change to their
    contacts withdrew the drafts).
    """
    tasks = (
        Task.objects.filter(school=school, status=Task.Status.PROPOSED)
        .exclude(payload__letter="")
        .filter(payload__has_key="letter", letters__isnull=True)
        .select_related("pupil", "case", "school")
    )
    if pupil is not None:
        tasks = tasks.filter(pupil=pupil)
    return draft_many(SchoolRules.of(school), list(tasks), on_day, renderer=renderer)


def _after(rules: SchoolRules, task: Task, before: PupilDay) -> PupilDay:
    """Return the pupil's register after completing `task`.

    Only a register correction changes the marks; a first-day call adds
    its outcome. Anything else leaves the register as it was.
    """
    if task.key.startswith("NO/"):
        return read_register_for(rules, task.pupil, before.as_of)
    result = str(task.outcome.get("result", "")) if task.kind == CALL else ""
    if result in CallOutcome._value2member_map_:
        calls = dict(before.calls) | {task.due_on: CallOutcome(result)}
        return dataclasses.replace(before, calls=calls)
    return before


def read_register_for(rules: SchoolRules, pupil: Pupil, as_of: dt.date) -> PupilDay:
    """Return one pupil's PupilDay (the daily run reads every pupil at once)."""
    day = read_register(rules, as_of, only=pupil).days.get(pupil.pk)
    if day is None:
        raise TaskError("the pupil is not on roll on that day")
    return day


def _complete_case_task(
    rules: SchoolRules,
    task: Task,
    action: str,
    on: dt.date,
    user: User | None,
    now: dt.datetime,
    pupil_day: PupilDay,
    **fields: Any,
) -> None:
    if action not in CASE_ACTIONS:
        raise TaskError(f"choose one of: {', '.join(CASE_ACTIONS)}")
    assert task.case_id is not None
    case = Case.objects.select_for_update().get(pk=task.case_id)
    state = CaseState.from_json(case.state)
    decision = Decision(
        CASE_ACTIONS[action],
        on,
        key=task.key,
        option=fields["option"],
        reason=fields["reason"],
        held_on=fields["held_on"],
        attended=fields["attended"],
        reason_satisfactory=fields["reason_satisfactory"],
        details=fields["details"],
    )
    status = Task.Status.DISMISSED if action == "dismiss" else Task.Status.CONFIRMED
    _claim(task, user, status, now)  # first: exactly one person goes on
    outcome = rules.pathway.decide(state, decision, pupil_day)
    Task.objects.filter(pk=task.pk).update(
        decided_on=on,
        reason=fields["reason"],
        outcome={"action": action, "option": fields["option"]}
        | ({"held_on": fields["held_on"].isoformat()} if fields["held_on"] else {}),
    )
    if outcome.superseded:
        # Ongoing items (first-day calls, register corrections) go on.
        Task.objects.filter(case=case, status__in=WAITING).exclude(pk=task.pk).exclude(
            payload__has_key="ongoing"
        ).update(status=Task.Status.SUPERSEDED, reason="superseded", decided_at=now)
    if task.payload.get("letter") and action == "confirm":
        _approve_letters(rules, task, on, user, now)
    if task.node == "FPN" and action == "confirm":
        for name in task.payload.get("parents", []):
            PenaltyNotice.objects.create(
                pupil=task.pupil, parent_name=name, issued_on=on, task=task
            )
    case.refresh_from_db()
    _save_case(rules, task.pupil, case, outcome, on)
    _record_events(task.pupil, case, outcome.events, user, now)
    if task.key.endswith("/carry-over") and action == "confirm":
        _carry_into(rules, case, outcome, on)


def _carry_into(
    rules: SchoolRules, old: Case, outcome: Evaluation, on: dt.date
) -> Case:
    """Return the new academic year's case, continuing `old` at the same step."""
    assert outcome.state is not None
    year = academic_year_of(on)
    state = rules.pathway.carried_state(outcome.state, year, on)
    return Case.objects.create(
        school=old.school,
        pupil=old.pupil,
        academic_year=year,
        stage=old.stage,
        state=state.to_json(),
        opened_on=on,
    )


def _approve_letters(
    rules: SchoolRules,
    task: Task,
    on: dt.date,
    user: User | None,
    now: dt.datetime,
) -> None:
    """Approve the task's draft letters (drafting them first if need be)."""
    approver = _who(user)
    if approver is None:
        raise TaskError("a letter is approved by a person: say who is confirming it")
    drafts = list(Letter.objects.filter(task=task, status=Letter.Status.DRAFT))
    if not drafts:
        drafts = draft_many(rules, [task], on)
    if not drafts and not task.letters.exclude(status=Letter.Status.DRAFT).exists():
        raise TaskError(
            f"{task.title} could not be drafted, so it cannot be confirmed: "
            "the pupil's timeline says why"
        )
    for letter in drafts:
        approve_letter(letter, approver, now, on=on)


def _complete_ongoing_task(
    rules: SchoolRules,
    task: Task,
    action: str,
    on: dt.date,
    user: User | None,
    now: dt.datetime,
    option: str,
    reason: str,
) -> None:
    pupil = task.pupil
    if task.kind == CALL:
        if action not in ("confirm", "answer"):
            raise TaskError("record the call's outcome: it cannot be " + action)
        results = {
            "reached: reason given": CallOutcome.REACHED_REASON,
            "reached: no reason given": CallOutcome.REACHED_NO_REASON,
            "not reached": CallOutcome.NOT_REACHED,
        }
        if option not in results:
            raise TaskError(f"record one of: {', '.join(results)}")
        _claim(task, user, Task.Status.CONFIRMED, now)
        Task.objects.filter(pk=task.pk).update(
            decided_on=on, outcome={"result": results[option].value}, reason=reason
        )
        summary = f"First-day call: {option}" + (f" ({reason})" if reason else "")
        _record_events(
            pupil, task.case, [CaseEvent("call", task.due_on, summary)], user, now
        )
        return
    if action == "dismiss":
        if not reason.strip():
            raise TaskError("a dismissal needs a reason")
        _claim(task, user, Task.Status.DISMISSED, now)
        Task.objects.filter(pk=task.pk).update(decided_on=on, reason=reason)
        _record_events(
            pupil,
            task.case,
            [CaseEvent("dismissed", on, f"{task.title} dismissed: {reason}")],
            user,
            now,
        )
        return
    if action != "confirm":
        raise TaskError("confirm or dismiss this item")
    _claim(task, user, Task.Status.CONFIRMED, now)
    Task.objects.filter(pk=task.pk).update(
        decided_on=on, reason=reason, outcome={"action": "confirm", "option": option}
    )
    if task.payload.get("letter"):
        _approve_letters(rules, task, on, user, now)
    if task.key.startswith("NO/"):
        code = option or "O"
        try:
            classify(code, dt.date.fromisoformat(task.payload["date"]))
        except CodeError as error:
            raise TaskError(f"not a code the register can take: {error}") from None
        if code == "N":
            raise TaskError("enter the code that replaces N (O if no reason is known)")
        day = dt.date.fromisoformat(task.payload["date"])
        _change_marks(
            pupil,
            day,
            task.payload["sessions"],
            code,
            user,
            now,
            reason=f"N replaced after {rules.policy.setting('n_deadline_days')} "
            "school days",
        )
    _record_events(
        pupil,
        task.case,
        [
            CaseEvent(
                "confirmed",
                on,
                f"{task.title}: confirmed" + (f" ({option})" if option else "") + ".",
                task.figures,
            )
        ],
        user,
        now,
    )


# -- case actions not tied to a worklist item ----------------------------------


CASE_LEVEL_ACTIONS = {
    "record concern": Action.RECORD_CONCERN,
    "end stage 4": Action.END_STAGE4,
    "la took over": Action.LA_TOOK_OVER,
    "la closed": Action.LA_CLOSED,
    "escalate": Action.ESCALATE,
    "defer check": Action.DEFER_CHECK,
}


def case_action(
    case: Case,
    action: str,
    on: dt.date,
    user: User,
    reason: str,
    *,
    stage: int = 0,
    details: dict[str, Any] | None = None,
    version: int | None = None,
    until: dt.date | None = None,
) -> Case:
    """Take a case-level action as a person; return the case as it now stands.

    "defer check" moves a check "after a minimum of" days to `until`.

    Actions: a safeguarding concern (Stage 4), the end of Stage 4, the
    Local Authority taking the case over or closing it, an escalation by
    hand to `stage`. With `version`, the case must still be at that
    version (the one the person saw). Ongoing items (first-day calls,
    register corrections) are never superseded. Raises TaskError or
    PathwayError with a message for the person.
    """
    if action not in CASE_LEVEL_ACTIONS:
        raise TaskError(f"choose one of: {', '.join(CASE_LEVEL_ACTIONS)}")
    if not reason.strip():
        raise TaskError("say why")
    rules = SchoolRules.of(case.school)
    now = timezone.now()
    pupil = case.pupil
    with transaction.atomic():
        pupil_day = read_register_for(rules, pupil, on)
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if version is not None and locked.version != version:
            raise TaskError(
                "the case was changed by someone else at the same time: reload "
                "and retry"
            )
        decision = Decision(
            CASE_LEVEL_ACTIONS[action],
            on,
            reason=reason,
            stage=stage,
            details=details or {},
            held_on=until,
        )
        outcome = rules.pathway.decide(
            CaseState.from_json(locked.state), decision, pupil_day
        )
        if outcome.superseded:
            stage4 = action == "record concern"
            why = "superseded by Stage 4" if stage4 else "superseded"
            # has_key, not ongoing=True: a missing key compares as NULL.
            Task.objects.filter(case=locked, status__in=WAITING).exclude(
                payload__has_key="ongoing"
            ).update(status=Task.Status.SUPERSEDED, reason=why, decided_at=now)
        _save_case(rules, pupil, locked, outcome, on)
        _record_events(pupil, locked, outcome.events, user, now)
        evaluate_pupil(
            rules,
            pupil,
            read_register_for(rules, pupil, on),
            report=RunReport(as_of=on),
            now=now,
        )
    locked.refresh_from_db()
    return locked
