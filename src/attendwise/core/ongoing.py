"""The ongoing procedures: for every pupil, whatever the stage.

POLICY.md, "Ongoing procedures": the first-day contact list, Letter L, N
marks past the deadline, the penalty notice to be considered, and long
absences (unauthorised, and illness). Each returns worklist proposals,
recomputed every day from the current marks: an item whose marks have
changed is not returned again, and the caller withdraws it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from attendwise.core.calendar import SchoolCalendar
from attendwise.core.codes import CODE_SETS, PENALTY_NOTICE_CODES, classify
from attendwise.core.pathway import Proposal
from attendwise.core.policy import Policy
from attendwise.core.pupilday import DayFigures, MarkOnDay, PupilDay, Session


@dataclass(frozen=True)
class OngoingHistory:
    """What earlier items counted, so the next one counts only what is new.

    `last_letter_l` is the last U session the previous Letter L counted;
    `last_penalty` the last session the previous penalty-notice item
    counted; `restart_from` the day Stage 4 ended (counting starts again).
    """

    last_letter_l: Session | None = None
    last_penalty: Session | None = None
    restart_from: dt.date | None = None


def _sessions(marks: Iterable[MarkOnDay]) -> list[str]:
    return [str(mark.at) for mark in marks]


def _by_day(marks: Iterable[MarkOnDay]) -> dict[dt.date, list[MarkOnDay]]:
    days: dict[dt.date, list[MarkOnDay]] = defaultdict(list)
    for mark in marks:
        days[mark.date].append(mark)
    return days


#: Codes never counted as possible sessions, in any code set.
NOT_COUNTED = frozenset(
    code.code
    for code_set in CODE_SETS
    for code in code_set.codes.values()
    if not code.category.is_possible
)


def first_day_call(
    pupil: PupilDay, calendar: SchoolCalendar, policy: Policy
) -> Proposal | None:
    """Return today's first-day contact item for the pupil, if any.

    Listed: an unexplained absence (N) in the morning, or in the afternoon
    after a present morning. A day with no marks at all is listed apart as
    'register not taken'.
    """
    as_of = pupil.as_of
    if not calendar.is_school_day(as_of) or not pupil.on_roll(as_of):
        return None
    today = {m.session: m for m in pupil.marks if m.date == as_of}
    role = "attendance"
    if not today:
        return Proposal(
            key=f"blank/{as_of.isoformat()}",
            kind="register not taken",
            title="Register not taken today",
            role=role,
            due_on=as_of,
            first_indicated_on=as_of,
        )
    am, pm = today.get("AM"), today.get("PM")
    unexplained = (am is not None and am.code == "N") or (
        pm is not None
        and pm.code == "N"
        and am is not None
        and classify(am.code, am.date).category.is_attended
    )
    if not unexplained:
        return None
    previous = calendar.on_or_before(as_of - dt.timedelta(days=1))
    continuing = previous is not None and any(
        m.date == previous and m.code == "N" for m in pupil.marks
    )
    sessions = [s for s, m in sorted(today.items()) if m.code == "N"]
    return Proposal(
        key=f"call/{as_of.isoformat()}",
        kind="first-day call",
        title="First-day call: "
        + ("continuing absence" if continuing else "first day of absence"),
        role=role,
        due_on=as_of,
        first_indicated_on=as_of,
        payload={"sessions": sessions, "continuing": continuing},
        options=("reached: reason given", "reached: no reason given", "not reached"),
    )


def letter_l(
    pupil: PupilDay, policy: Policy, history: OngoingHistory, year_start: dt.date
) -> Proposal | None:
    """Return the Letter L proposal when enough new U sessions have built up."""
    after = history.last_letter_l
    since = max(year_start, history.restart_from or year_start)
    lates = [
        m
        for m in pupil.marks
        if m.code == "U" and m.date >= since and (after is None or m.at > after)
    ]
    needed = policy.setting("letter_l_after_u")
    if len(lates) < needed:
        return None
    counted = lates[:needed]
    return Proposal(
        key=f"{pupil.year}/L/{counted[-1].at.date.isoformat()}{counted[-1].session}",
        kind="step",
        title="Letter L",
        role="attendance",
        due_on=pupil.as_of,
        first_indicated_on=counted[-1].date,
        letter="letter_l",
        reasons=(
            f"{needed} sessions late after the register closed (U): "
            + ", ".join(_sessions(counted)),
        ),
        payload={
            "counted": _sessions(counted),
            "sessions": [[m.date.isoformat(), m.session] for m in counted],
            "last_counted": [counted[-1].date.isoformat(), counted[-1].session],
        },
    )


def n_past_deadline(
    pupil: PupilDay, calendar: SchoolCalendar, policy: Policy, year_start: dt.date
) -> list[Proposal]:
    """Return one item per day whose N marks are still on the register too long."""
    deadline = policy.setting("n_deadline_days")
    items = []
    for day, marks in sorted(_by_day(m for m in pupil.marks if m.code == "N").items()):
        if day < year_start or calendar.school_days_after(day, pupil.as_of) < deadline:
            continue
        sessions = sorted(m.session for m in marks)
        items.append(
            Proposal(
                key=f"NO/{day.isoformat()}",
                kind="register",
                title=f"Change N to O: {day:%a %d %b} ({', '.join(sessions)})",
                role="attendance",
                due_on=calendar.add_school_days(day, deadline),
                first_indicated_on=calendar.add_school_days(day, deadline),
                reasons=(
                    f"no reason has been recorded {deadline} school days after "
                    "the absence; enter the right code if one is now known",
                ),
                payload={"date": day.isoformat(), "sessions": sessions},
            )
        )
    return items


def penalty_notice(
    pupil: PupilDay, figures: DayFigures, policy: Policy, history: OngoingHistory
) -> Proposal | None:
    """Return 'penalty notice to be considered' when the national threshold is met.

    Raised again only when the window holds the threshold's number of
    unauthorised sessions all dated after the last one the previous item
    counted.
    """
    first = figures.penalty.first
    if history.restart_from is not None:
        first = max(first, history.restart_from)
    after = history.last_penalty
    counted = [
        m
        for m in pupil.marks
        if m.code in PENALTY_NOTICE_CODES
        and first <= m.date <= pupil.as_of
        and (after is None or m.at > after)
    ]
    threshold = policy.setting("penalty_threshold")
    if len(counted) < threshold:
        return None
    weeks = policy.setting("penalty_weeks")
    since = "first" if after is None else f"{after.date.isoformat()}{after.session}"
    return Proposal(
        key=f"PN/{since}",
        kind="penalty notice",
        title="Penalty notice to be considered",
        role="head",
        due_on=pupil.as_of,
        first_indicated_on=pupil.as_of,
        reasons=(
            f"{len(counted)} unauthorised sessions in the last {weeks} school weeks "
            f"(from {first:%a %d %b %Y})"
            + (
                ": the window reaches before the loaded registers"
                if (figures.penalty_incomplete)
                else ""
            ),
        ),
        figures={"penalty_window": {"first": first.isoformat(), "count": len(counted)}},
        payload={
            "counted": _sessions(counted),
            "last_counted": [counted[-1].date.isoformat(), counted[-1].session],
        },
    )


def _latest_run(
    by_day: dict[dt.date, list[MarkOnDay]],
    days: Sequence[dt.date],
    keep: frozenset[str],
    needed: int,
    *,
    whole_day: bool = False,
) -> list[dt.date]:
    """Return the days of the latest run of at least `needed` days, in order.

    A day is in a run when every counted session's code is in `keep` (with
    `whole_day`, both sessions must be counted). Days with nothing counted
    neither count nor break a run. A run that has ended still counts: the
    duty it raised does not go away when the pupil returns. Empty when no
    run is long enough.
    """
    latest: list[dt.date] = []
    run: list[dt.date] = []
    for day in days:
        counted = [m for m in by_day.get(day, ()) if m.code not in NOT_COUNTED]
        if not counted:
            continue
        if all(m.code in keep for m in counted) and not (
            whole_day and len(counted) < 2
        ):
            run.append(day)
            if len(run) >= needed:
                latest = run
        else:
            run = []
    return list(latest)


def long_absences(
    pupil: PupilDay,
    calendar: SchoolCalendar,
    policy: Policy,
    year_start: dt.date,
    *,
    safeguarding: bool,
) -> list[Proposal]:
    """Return the long-absence items: unauthorised runs and illness."""
    items = []
    days = calendar.school_days_between(year_start, pupil.as_of)
    by_day = _by_day(m for m in pupil.marks if m.date >= year_start)
    needed = policy.setting("long_absence_days")
    run = _latest_run(by_day, days, PENALTY_NOTICE_CODES, needed)
    if run:
        items.append(
            Proposal(
                key=f"LA/{run[0].isoformat()}",
                kind="notify la",
                title=f"{len(run)} school days of continuous unauthorised absence: "
                "notify the Local Authority and consider children missing education",
                role="attendance",
                due_on=pupil.as_of,
                first_indicated_on=calendar.add_school_days(run[0], needed - 1),
                payload={"from": run[0].isoformat(), "days": len(run)},
                safeguarding=safeguarding,
            )
        )
    consecutive = policy.setting("illness_consecutive_days")
    total = policy.setting("illness_total_days")
    ill_run = _latest_run(by_day, days, frozenset({"I"}), consecutive, whole_day=True)
    ill_days = [
        day
        for day in days
        if len(by_day.get(day, ())) == 2 and all(m.code == "I" for m in by_day[day])
    ]
    # Each rule raises its own item, once: a run of illness from its first
    # day, and the year's total once. So neither item ever gives way to the
    # other from one day to the next.
    question = (
        "are 15 school days of illness expected? ('yes' raises the sickness "
        "return to the Local Authority)"
    )
    if ill_run:
        items.append(
            Proposal(
                key=f"ILL/{ill_run[0].isoformat()}",
                kind="illness",
                title=f"Illness for {len(ill_run)} consecutive school days from "
                f"{ill_run[0]:%a %d %b}: {question}",
                role="attendance",
                due_on=pupil.as_of,
                first_indicated_on=calendar.add_school_days(
                    ill_run[0], consecutive - 1
                ),
                options=("yes", "no"),
                payload={"run": len(ill_run), "total": len(ill_days)},
            )
        )
    if len(ill_days) >= total:
        items.append(
            Proposal(
                key=f"{pupil.year}/ILL/total",
                kind="illness",
                title=f"Illness on {len(ill_days)} school days this year: {question}",
                role="attendance",
                due_on=pupil.as_of,
                first_indicated_on=ill_days[total - 1],
                options=("yes", "no"),
                payload={"run": len(ill_run), "total": len(ill_days)},
            )
        )
    return items


def ongoing_proposals(
    pupil: PupilDay,
    figures: DayFigures,
    calendar: SchoolCalendar,
    policy: Policy,
    history: OngoingHistory,
    *,
    stage4: bool = False,
) -> list[Proposal]:
    """Return every ongoing-procedure item standing for the pupil today.

    While Stage 4 is active, no parent-facing letter and no penalty-notice
    item is proposed, and notices to the Local Authority are marked for the
    safeguarding lead only; first-day calls and register corrections go on.
    """
    year_start = calendar.first_school_day(pupil.year)
    items: list[Proposal] = []
    call = first_day_call(pupil, calendar, policy)
    if call is not None:
        items.append(call)
    items += n_past_deadline(pupil, calendar, policy, year_start)
    if not stage4:
        for item in (
            letter_l(pupil, policy, history, year_start),
            penalty_notice(pupil, figures, policy, history),
        ):
            if item is not None:
                items.append(item)
    items += long_absences(pupil, calendar, policy, year_start, safeguarding=stage4)
    return items
