"""What a pupil's page shows, read from the register and the case.

Everything here is computed for one pupil as of one day; the view only
checks who may see it and renders it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from attendwise.core.calendar import academic_year_of, week_start
from attendwise.core.codes import Category, CodeError, classify
from attendwise.core.figures import WindowFigures, format_percent, percent_of
from attendwise.core.pupilday import (
    DayFigures,
    Indication,
    PupilDay,
    day_figures,
    indicated_stage,
)
from attendwise.letters.merge import long_date
from attendwise.web.cases.models import Case
from attendwise.web.cases.services import SchoolRules, TaskError, read_register_for
from attendwise.web.register.models import Pupil
from attendwise.web.ui.charts import BarChart, percent_bars, week_label

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass(frozen=True)
class Week:
    first: dt.date
    figures: WindowFigures
    #: (day, AM code, PM code) for Monday to Friday; None off the calendar
    days: tuple[tuple[dt.date, str, str] | None, ...]

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.figures.attended, self.figures.possible)


@dataclass(frozen=True)
class PupilSummary:
    pupil: Pupil
    as_of: dt.date
    day: PupilDay | None
    figures: DayFigures | None
    indication: Indication | None
    weeks: tuple[Week, ...]
    chart: BarChart

    @property
    def key_figures(self) -> list[tuple[str, str, str]]:
        """Return (label, value, detail) for the year, six weeks and ten weeks."""
        figures = self.figures
        if figures is None:
            return []
        ytd, six, ten = figures.ytd, figures.six_week, figures.penalty
        rows = [
            (
                "Attendance this year",
                format_percent(ytd.attended, ytd.possible),
                f"{ytd.attended} of {ytd.possible} sessions since "
                f"{long_date(ytd.first)}",
            ),
            (
                "Attendance over six weeks",
                format_percent(six.attended, six.possible) if six else "not yet",
                f"{six.attended} of {six.possible} sessions, "
                f"{long_date(six.first)} to {long_date(six.last)}"
                if six
                else "needs 30 school days on roll this year",
            ),
            (
                "Unauthorised in ten school weeks",
                str(ten.unauthorised),
                f"sessions since {long_date(ten.first)} (a penalty notice is "
                "considered at 10)",
            ),
        ]
        if ytd.i_possible != ytd.possible:
            rows.insert(
                1,
                (
                    "For intervention decisions",
                    format_percent(ytd.i_attended, ytd.i_possible),
                    "this year, leaving out the policy's not-possible codes",
                ),
            )
        return rows


def mark_class(code: str, day: dt.date) -> str:
    """Return the CSS modifier of a mark in the calendar ('' for present)."""
    if not code:
        return "blank"
    if code == "U":
        return "late"
    try:
        category = classify(code, day).category
    except CodeError:
        return ""
    if category is Category.UNAUTHORISED:
        return "unauthorised"
    if category is Category.AUTHORISED:
        return "absent"
    return ""


def summarise(rules: SchoolRules, pupil: Pupil, as_of: dt.date) -> PupilSummary:
    """Return the pupil's figures, weeks and chart as of `as_of`.

    A pupil not on roll on `as_of` (left, or not yet arrived) has no
    figures; their weeks are still shown up to the leaving date.
    """
    try:
        day = read_register_for(rules, pupil, as_of)
    except TaskError:
        day = None
    figures = day_figures(day, rules.calendar, rules.policy) if day else None
    indication = indicated_stage(figures, rules.policy) if figures else None
    weeks = _weeks(rules, pupil, day, as_of)
    chart = percent_bars(
        [(week_label(week.first), week.percent) for week in weeks],
        target=rules.policy.setting("school_target"),
    )
    return PupilSummary(pupil, as_of, day, figures, indication, tuple(weeks), chart)


def _weeks(
    rules: SchoolRules, pupil: Pupil, day: PupilDay | None, as_of: dt.date
) -> list[Week]:
    if day is None:
        return []
    calendar = rules.calendar
    start = max(calendar.first_school_day(academic_year_of(as_of)), pupil.entry_date)
    school_days = calendar.school_days_between(start, as_of)
    codes: dict[tuple[dt.date, str], str] = {
        (mark.date, mark.session): mark.code for mark in day.marks
    }
    by_week: dict[dt.date, list[dt.date]] = defaultdict(list)
    for school_day in school_days:
        by_week[week_start(school_day)].append(school_day)
    weeks = []
    for monday, days in sorted(by_week.items()):
        cells: list[tuple[dt.date, str, str] | None] = []
        for offset in range(5):
            date = monday + dt.timedelta(days=offset)
            if date in days:
                cells.append(
                    (date, codes.get((date, "AM"), ""), codes.get((date, "PM"), ""))
                )
            else:
                cells.append(None)
        weeks.append(Week(monday, day.figures.window(days[0], days[-1]), tuple(cells)))
    return weeks


def stage_words(
    rules: SchoolRules, case: Case | None, indication: Indication | None
) -> list[str]:
    """Return why the pupil is where they are, in plain sentences."""
    words: list[str] = []
    if indication is not None and indication.stage:
        words.append(
            f"Today the figures indicate Stage {indication.stage} because "
            + "; ".join(indication.reasons)
            + "."
        )
    elif indication is not None:
        words.append("Today the figures indicate no stage.")
    if case is None:
        words.append("There is no case this academic year.")
        return words
    state: dict[str, Any] = case.state
    node = rules.policy.nodes.get(state.get("node") or "")
    stage = state.get("stage", case.stage)
    where = {
        "enter": "is about to move to",
        "proposed": "waits for a person to confirm",
        "meeting": "waits for the meeting of",
        "check": "waits for the check after",
    }
    phase = state.get("phase", "")
    if node is not None and phase in where:
        words.append(f"The case is at Stage {stage} and {where[phase]} {node.title}.")
    elif phase == "monitor":
        words.append(
            f"The case is at Stage {stage}, in monitoring: no further action now, "
            f"checked every {rules.policy.setting('monitor_every')} school days."
        )
    elif phase == "with the local authority" or state.get("la") == "taken over":
        words.append("The Local Authority has taken the case over.")
    elif phase == "closed":
        words.append("The case is closed.")
    if state.get("deescalated_on"):
        words.append(
            "It was de-escalated on "
            f"{long_date(dt.date.fromisoformat(state['deescalated_on']))}."
        )
    return words
