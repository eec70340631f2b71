"""The school's figures: attendance, persistent and severe absence, stages.

Aggregates only (no pupil is named), so every role may read them. Pooled
rates are sums over sums, from the same measures engine as everything
else.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Q

from attendwise.core.calendar import academic_year_of, week_start
from attendwise.core.figures import percent_of
from attendwise.core.measures import (
    MARKS_SCHEMA,
    PUPILS_SCHEMA,
    WINDOWS_SCHEMA,
    group_figures,
    pupil_measures,
    window_figures,
)
from attendwise.web.cases.models import Case, Event, Task
from attendwise.web.cases.services import SchoolRules
from attendwise.web.register.models import Mark, Pupil
from attendwise.web.ui.charts import BarChart, percent_bars, week_label

#: DfE "Pupil absence in schools in England", 2023/24 full year, state-funded
#: schools (handbook CODES.md): overall absence 7.1%, PA 20.0%, SA 2.3%.
NATIONAL = {
    "label": "England 2023/24",
    "attendance": Decimal("92.9"),
    "pa": Decimal("20.0"),
    "sa": Decimal("2.3"),
}


def _pct(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    overall: dict[str, Any]
    years: list[dict[str, Any]]
    weeks: list[tuple[str, Decimal | None]]
    week_chart: BarChart
    year_chart: BarChart
    stages: list[tuple[str, int]]
    this_week: dict[str, int]
    next_week: dict[str, int]


def _frames(
    rules: SchoolRules, as_of: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, int | None]]:
    year_start = rules.calendar.first_school_day(academic_year_of(as_of))
    pupils = list(
        Pupil.objects.filter(school=rules.school, entry_date__lte=as_of)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=year_start))
        .values_list("id", "entry_date", "leaving_date", "year_group")
    )
    roll = pl.DataFrame([row[:3] for row in pupils], schema=PUPILS_SCHEMA, orient="row")
    rows = list(
        Mark.objects.filter(
            pupil__school=rules.school, date__gte=year_start, date__lte=as_of
        ).values_list("pupil_id", "date", "session", "code")
    )
    marks = pl.DataFrame(rows, schema=MARKS_SCHEMA, orient="row")
    return marks, roll, {row[0]: row[3] for row in pupils}


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "pupils": row["pupils_counted"],
        "attendance": _pct(row["attendance_pct"]),
        "pa": _pct(row["pa_pct"]),
        "sa": _pct(row["sa_pct"]),
        "pa_pupils": row["pa_pupils"],
        "sa_pupils": row["sa_pupils"],
    }


def _weekly(
    rules: SchoolRules, marks: pl.DataFrame, roll: pl.DataFrame, as_of: dt.date
) -> list[tuple[str, Decimal | None]]:
    year_start = rules.calendar.first_school_day(academic_year_of(as_of))
    days = rules.calendar.school_days_between(year_start, as_of)
    weeks: dict[dt.date, list[dt.date]] = {}
    for day in days:
        weeks.setdefault(week_start(day), []).append(day)
    if not weeks or roll.is_empty():
        return []
    windows = pl.DataFrame(
        [
            (pupil_id, f"{monday}", span[0], span[-1])
            for pupil_id in roll["pupil_id"].to_list()
            for monday, span in weeks.items()
        ],
        schema=WINDOWS_SCHEMA,
        orient="row",
    )
    figures = window_figures(marks, roll, rules.calendar, windows, as_of=as_of)
    sums = (
        figures.group_by("window")
        .agg(pl.col("attended").sum(), pl.col("possible").sum())
        .sort("window")
    )
    return [
        (
            week_label(dt.date.fromisoformat(row["window"])),
            percent_of(int(row["attended"]), int(row["possible"])),
        )
        for row in sums.iter_rows(named=True)
    ]


def _stage_counts(
    rules: SchoolRules, as_of: dt.date, safeguarding: bool
) -> list[tuple[str, int]]:
    counts: Counter[int] = Counter()
    cases = Case.objects.filter(
        school=rules.school, academic_year=academic_year_of(as_of)
    ).exclude(status=Case.Status.CLOSED)
    for stage, state in cases.values_list("stage", "state"):
        if stage == 4 and not safeguarding:
            stage = int(state.get("stage", 1))
        counts[stage] += 1
    shown = [1, 2, 3, 4] if safeguarding else [1, 2, 3]
    return [(f"Stage {stage}", counts.get(stage, 0)) for stage in shown]


def _week_counts(rules: SchoolRules, first: dt.date) -> dict[str, int]:
    last = first + dt.timedelta(days=6)
    # By the school day each approval was made on (its event), as the
    # rest of the dashboard counts; safeguarding letters are left out.
    approvals = Event.objects.filter(
        school=rules.school, kind="letter.approved", safeguarding=False
    )
    tasks = Task.objects.filter(
        school=rules.school, status=Task.Status.PROPOSED, safeguarding=False
    )
    return {
        "letters approved": approvals.filter(
            school_day__gte=first, school_day__lte=last
        ).count(),
        "letters to approve": tasks.filter(
            kind="step", due_on__gte=first, due_on__lte=last
        ).count(),
        "meetings due": tasks.filter(
            kind="meeting", due_on__gte=first, due_on__lte=last
        ).count(),
    }


def dashboard(rules: SchoolRules, as_of: dt.date, *, safeguarding: bool) -> Dashboard:
    """Return the school's figures as of `as_of`."""
    policy = rules.policy
    marks, roll, years = _frames(rules, as_of)
    measures = pupil_measures(
        marks,
        roll,
        rules.calendar,
        as_of,
        not_possible=policy.not_possible,
        six_week_days=policy.setting("six_week_days"),
        n_grace_days=policy.setting("n_grace_days"),
        penalty_weeks=policy.setting("penalty_weeks"),
        penalty_threshold=policy.setting("penalty_threshold"),
    ).with_columns(
        pl.col("pupil_id")
        .replace_strict(years, default=None, return_dtype=pl.Int64)
        .alias("year_group")
    )
    overall = _rates(group_figures(measures, []).row(0, named=True))
    by_year = [
        {"year": row["year_group"]} | _rates(row)
        for row in group_figures(measures, ["year_group"])
        .sort("year_group")
        .iter_rows(named=True)
    ]
    weeks = _weekly(rules, marks, roll, as_of)
    target = policy.setting("school_target")
    monday = week_start(as_of)
    return Dashboard(
        as_of=as_of,
        overall=overall,
        years=by_year,
        weeks=weeks,
        week_chart=percent_bars(weeks, target=target, low=80),
        year_chart=percent_bars(
            [
                (f"Year {row['year']}" if row["year"] else "No year", row["attendance"])
                for row in by_year
            ],
            target=target,
            low=80,
        ),
        stages=_stage_counts(rules, as_of, safeguarding),
        this_week=_week_counts(rules, monday),
        next_week=_week_counts(rules, monday + dt.timedelta(days=7)),
    )
