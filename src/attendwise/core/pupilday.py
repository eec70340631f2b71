"""One pupil on one school day: the facts the rules read, and the stage shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from attendwise.core.calendar import SchoolCalendar, academic_year_of
from attendwise.core.figures import WindowFigures, format_percent
from attendwise.core.ledger import FigureSource
from attendwise.core.policy import Policy


@dataclass(frozen=True, slots=True, order=True)
class Session:
    date: dt.date
    session: str  # "AM" or "PM": "AM" < "PM" orders a day's sessions

    def __str__(self) -> str:
        return f"{self.date:%a %d %b %Y} {self.session}"


@dataclass(frozen=True, slots=True)
class MarkOnDay:
    date: dt.date
    session: str
    code: str

    @property
    def at(self) -> Session:
        return Session(self.date, self.session)


class CallOutcome(StrEnum):
    """What a first-day call found."""

    REACHED_REASON = "reason given"
    REACHED_NO_REASON = "no reason given"
    NOT_REACHED = "not reached"


@dataclass(frozen=True)
class PupilDay:
    """Everything the rules read about one pupil as of one day.

    `marks` are the pupil's current marks on roll, sorted, from far enough
    back for the penalty-notice window, up to `as_of`. `calls` maps the
    date of an absence to the outcome of its first-day call.
    """

    pupil_id: int
    as_of: dt.date
    entry_date: dt.date
    leaving_date: dt.date | None
    figures: FigureSource
    marks: tuple[MarkOnDay, ...] = ()
    calls: Mapping[dt.date, CallOutcome] = field(default_factory=dict)
    ehc_plan: bool = False
    penalty_limit_reached: bool = False

    @property
    def year(self) -> int:
        return academic_year_of(self.as_of)

    def on_roll(self, day: dt.date) -> bool:
        return self.entry_date <= day and (
            self.leaving_date is None or day <= self.leaving_date
        )


@dataclass(frozen=True)
class DayFigures:
    """The whole-period figures of a pupil as of a day, as the policy reads them."""

    ytd: WindowFigures
    six_week: WindowFigures | None
    six_week_window: tuple[dt.date, ...]
    penalty: WindowFigures
    penalty_incomplete: bool

    def as_record(self) -> dict[str, object]:
        """Return the figures as stored with an event (JSON-ready)."""
        record: dict[str, object] = {"ytd": window_record(self.ytd)}
        if self.six_week is not None:
            record["six_week"] = window_record(self.six_week)
        record["penalty_window"] = window_record(self.penalty)
        return record


def window_record(figures: WindowFigures) -> dict[str, object]:
    return {
        "first": figures.first.isoformat(),
        "last": figures.last.isoformat(),
        "possible": figures.possible,
        "attended": figures.attended,
        "authorised": figures.authorised,
        "unauthorised": figures.unauthorised,
        "missing": figures.missing,
        "i_possible": figures.i_possible,
        "i_attended": figures.i_attended,
        "illness": figures.illness,
        "medical": figures.medical,
        "percent": format_percent(figures.attended, figures.possible),
    }


def day_figures(
    pupil: PupilDay, calendar: SchoolCalendar, policy: Policy
) -> DayFigures:
    """Return the YTD, six-week and penalty-window figures of `pupil`.

    The six-week figure is None unless the pupil was on roll for all of the
    last `six_week_days` school days, all in this academic year (unless the
    policy lets it reach back), with at least `six_week_min_possible`
    possible sessions (intervention figures).
    """
    as_of = pupil.as_of
    year_start = calendar.first_school_day(pupil.year)
    ytd_first = max(year_start, pupil.entry_date)
    ytd = pupil.figures.window(ytd_first, as_of)

    days = calendar.last_school_days(as_of, policy.setting("six_week_days"))
    six_week: WindowFigures | None = None
    complete = len(days) == policy.setting("six_week_days") and all(
        pupil.on_roll(day) for day in days
    )
    if complete and not policy.setting("six_week_cross_year"):
        complete = days[0] >= year_start
    if complete:
        figures = pupil.figures.window(days[0], days[-1])
        if figures.i_possible >= policy.setting("six_week_min_possible"):
            six_week = figures

    weeks, incomplete = calendar.last_school_weeks(
        as_of, policy.setting("penalty_weeks")
    )
    penalty = pupil.figures.window(weeks[0] if weeks else as_of, as_of)
    return DayFigures(ytd, six_week, days, penalty, incomplete)


@dataclass(frozen=True)
class Indication:
    stage: int
    reasons: tuple[str, ...]


def _pct(figures: WindowFigures) -> str:
    return format_percent(figures.i_attended, figures.i_possible)


def indicated_stage(figures: DayFigures, policy: Policy) -> Indication:
    """Return the highest stage whose entry rule holds on the day, with reasons.

    Stage 0 when the pupil has fewer than `minimum_possible` possible
    sessions this year, or no rule holds. Stage 4 is never computed.
    """
    ytd, six = figures.ytd, figures.six_week
    if ytd.i_possible < policy.setting("minimum_possible"):
        return Indication(0, ())
    if six is not None:
        below3 = six.below(policy.setting("stage3_six_week_below"))
        unauthorised = six.settled_unauthorised
        if below3 and unauthorised >= policy.setting("stage3_unauthorised_at_least"):
            return Indication(
                3,
                (
                    f"attendance over the last six weeks is {_pct(six)} "
                    f"({six.i_attended} of {six.i_possible} sessions), below "
                    f"{policy.setting('stage3_six_week_below')}%",
                    f"{unauthorised} of those sessions are unauthorised absence",
                ),
            )
        if six.below(policy.setting("stage2_six_week_below")):
            return Indication(
                2,
                (
                    f"attendance over the last six weeks is {_pct(six)} "
                    f"({six.i_attended} of {six.i_possible} sessions), below "
                    f"{policy.setting('stage2_six_week_below')}%",
                ),
            )
    if ytd.below(policy.setting("stage1_ytd_below")):
        return Indication(
            1,
            (
                f"attendance this year is {_pct(ytd)} ({ytd.i_attended} of "
                f"{ytd.i_possible} sessions), below the school target of "
                f"{policy.setting('stage1_ytd_below')}%",
            ),
        )
    return Indication(0, ())
