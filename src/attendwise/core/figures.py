"""The figures one pupil has over one window of sessions.

This is the contract between the measures engine (which computes them, in
bulk, with Polars) and the pathway engine (which reads them). Counts are
sessions. Percentages are never stored: they are derived from the counts
and compared exactly (`attended * 100 < 96 * possible`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class WindowFigures:
    """Sessions of one pupil from `first` to `last` (inclusive), on roll.

    `possible`, `attended`, `authorised` and `unauthorised` are the
    statutory figures. `i_possible` and `i_attended` are the intervention
    figures: the same with the policy's `intervention_not_possible` codes
    left out of possible sessions. `missing` counts school-day sessions on
    roll with no mark (blank registers).
    """

    first: dt.date
    last: dt.date
    possible: int = 0
    attended: int = 0
    authorised: int = 0
    unauthorised: int = 0
    not_counted: int = 0
    missing: int = 0
    i_possible: int = 0
    i_attended: int = 0
    illness: int = 0
    medical: int = 0
    lates_u: int = 0
    n_sessions: int = 0
    #: unauthorised sessions less any N younger than the grace period
    settled_unauthorised: int = 0

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def i_absent(self) -> int:
        return self.i_possible - self.i_attended

    @property
    def available(self) -> bool:
        return self.possible > 0

    def below(self, percent: int, *, intervention: bool = True) -> bool:
        """Return whether attendance is strictly below `percent`.

        False when no sessions are possible (the figure is not available).
        """
        possible, attended = self._pair(intervention)
        return possible > 0 and attended * 100 < percent * possible

    def at_least(self, percent: int, *, intervention: bool = True) -> bool:
        possible, attended = self._pair(intervention)
        return possible > 0 and attended * 100 >= percent * possible

    def _pair(self, intervention: bool) -> tuple[int, int]:
        if intervention:
            return self.i_possible, self.i_attended
        return self.possible, self.attended

    def percent(self, *, intervention: bool = False) -> Decimal | None:
        """Return attendance % to one decimal place (half up), or None."""
        possible, attended = self._pair(intervention)
        return percent_of(attended, possible)


def percent_of(part: int, whole: int) -> Decimal | None:
    """Return part/whole as a percentage rounded half up to one place.

    None when `whole` is 0: the figure is not available.
    """
    if whole <= 0:
        return None
    exact = Decimal(part * 100) / Decimal(whole)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_percent(part: int, whole: int) -> str:
    """Return '96.3%' style text, or 'not available'."""
    value = percent_of(part, whole)
    return "not available" if value is None else f"{value}%"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """Return '1 item', '2 items', '1,204 sessions': a count with its noun.

    `plural` is for a noun whose plural is not noun + 's'.
    """
    word = noun if count == 1 else plural or f"{noun}s"
    return f"{count:,} {word}"
