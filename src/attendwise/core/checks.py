"""Attendance checks: the review period, its baseline, and "improved".

POLICY.md, "Checks and what improved means": a check due N school days
after its anchor compares the review period (the school days strictly
after the anchor, up to and including the check day) with a baseline of
the same number of school days up to and including the anchor, clipped to
the anchor's academic year and the pupil's roll.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendwise.core.calendar import SchoolCalendar, academic_year_of
from attendwise.core.figures import WindowFigures, format_percent
from attendwise.core.policy import CheckYtd, Policy
from attendwise.core.pupilday import DayFigures, PupilDay, window_record


@dataclass(frozen=True)
class CheckResult:
    """The answer of one check, with the figures behind it.

    `improved` is None when the review period had no possible sessions: a
    person decides.
    """

    improved: bool | None
    parts: tuple[str, ...]
    review: WindowFigures
    baseline: WindowFigures
    register_incomplete: bool

    def record(self) -> dict[str, object]:
        return {
            "improved": self.improved,
            "because": list(self.parts),
            "review": window_record(self.review),
            "baseline": window_record(self.baseline),
            "register_incomplete": self.register_incomplete,
        }

    def summary(self) -> str:
        review = _pct(self.review)
        base = _pct(self.baseline)
        if self.improved is None:
            verdict = "no possible sessions in the review period: staff decide"
        elif self.improved:
            verdict = "improved (" + "; ".join(self.parts) + ")"
        else:
            verdict = "no improvement"
        note = " (register incomplete)" if self.register_incomplete else ""
        return f"review {review}, baseline {base}: {verdict}{note}"


def _pct(figures: WindowFigures) -> str:
    return (
        f"{figures.i_attended} of {figures.i_possible} = "
        f"{format_percent(figures.i_attended, figures.i_possible)}"
    )


def baseline_days(
    calendar: SchoolCalendar, pupil: PupilDay, anchor: dt.date, length: int
) -> tuple[dt.date, ...]:
    """Return the baseline: up to `length` school days ending with `anchor`.

    Clipped to the anchor's academic year and to the pupil's entry date.
    """
    year_start = dt.date(academic_year_of(anchor), 9, 1)
    floor = max(year_start, pupil.entry_date)
    return tuple(d for d in calendar.last_school_days(anchor, length) if d >= floor)


def run_check(
    *,
    pupil: PupilDay,
    day: DayFigures,
    calendar: SchoolCalendar,
    policy: Policy,
    anchor: dt.date,
    due: dt.date,
    baseline_anchor: dt.date | None = None,
    baseline_length: int | None = None,
    whole_period: CheckYtd = CheckYtd.YTD,
    carried_into_new_year: bool = False,
) -> CheckResult:
    """Return whether attendance improved between `anchor` and `due`.

    A monitoring check passes the baseline of the step that ended in
    monitoring (`baseline_anchor`, `baseline_length`); a step's own check
    uses its anchor and the review period's length.
    """
    settings = policy.improved
    review_days = calendar.school_days_between(calendar.add_school_days(anchor, 1), due)
    review = pupil.figures.window(review_days[0], review_days[-1])
    base = baseline_days(
        calendar,
        pupil,
        baseline_anchor or anchor,
        baseline_length or len(review_days),
    )
    baseline = (
        pupil.figures.window(base[0], base[-1])
        if base
        else WindowFigures(first=anchor, last=anchor)
    )
    incomplete = review.missing > 0
    if review.i_possible == 0:
        return CheckResult(None, (), review, baseline, incomplete)

    parts: list[str] = []
    if review.at_least(settings.review_at_least):
        parts.append(f"the review period is at or above {settings.review_at_least}%")
    points = settings.points_above_baseline
    if baseline.i_possible >= settings.baseline_min_possible and (
        review.i_attended * 100 * baseline.i_possible
        >= (baseline.i_attended * 100 + points * baseline.i_possible)
        * review.i_possible
    ):
        parts.append(f"at least {points} points above the baseline")
    if whole_period is CheckYtd.SIX_WEEK:
        six = day.six_week
        threshold = policy.setting("stage2_six_week_below")
        if six is not None and six.at_least(threshold):
            parts.append(f"the six-week figure is {threshold}% or above")
    elif not carried_into_new_year:
        ytd = day.ytd
        target = policy.setting("school_target")
        if ytd.i_possible >= settings.ytd_min_possible and ytd.at_least(target):
            parts.append(f"attendance this year is at or above {target}%")
    if review.i_absent <= settings.max_absent_sessions:
        parts.append(
            f"at most {settings.max_absent_sessions} absent session in the review"
        )
    return CheckResult(bool(parts), tuple(parts), review, baseline, incomplete)
