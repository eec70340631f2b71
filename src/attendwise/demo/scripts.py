"""Scripted pupils: the autumn-term marks that make the demo show every stage.

Each profile fixes every session of one pupil over the autumn term (the
first term of the academic year, at least 60 school days); after it the
pupil follows the behaviour model. Positions count school days of the
term: `0` is its first day, `-1` its last. Figures below are for the
reference calendar (73 autumn school days, 146 sessions) on its last day,
19 December 2025, with the policy's 6-week window of 30 school days
(10 November to 19 December 2025):

- **stage 1 only**: a two-day illness in September, an appointment, a
  day ill in December. YTD 139/146 (95.2%), 6 weeks 58/60 (96.7%):
  Stage 1 and nothing higher.
- **stage 2**: days of illness, an appointment, three skipped afternoons.
  YTD 130/146 (89.0%), 6 weeks 51/60 (85.0%) with 2 unauthorised: Stage 2.
- **stage 3 truancy**: in the last 30 school days every Friday and Monday
  afternoon `O`, two `U`, two days ill; two Fridays in October. YTD
  118/146 (80.8%), 6 weeks 36/60 (60.0%) with 18 settled unauthorised:
  Stage 3, and the penalty-notice threshold.
- **stage 3 holiday**: ten school days of `G` from position -25 (17 to 28
  November). YTD 126/146 (86.3%), 6 weeks 40/60 (66.7%) with 20 `G`:
  Stage 3, and 10 continuous school days of unauthorised absence.
- **late after close**: four `U` (the third at position 50), seven `L`.
  YTD 142/146 (97.3%): Letter L, then a fourth `U` towards the next.
- **unresolved N**: two days ill in October, and no reason yet for the
  last five sessions. YTD 137/146 (93.8%), 6 weeks 55/60 (91.7%):
  first-day calls, and Stage 1 entering B0 with unresolved `N`.
- **long illness**: fifteen school days of `I` from position -27 (13
  November to 3 December). YTD 116/146 (79.5%), 6 weeks 30/60 (50.0%):
  Stage 2, not 3 (the absence is illness); the sickness return question.
- **improving**: 16 absent sessions in the first 30 school days (10
  unauthorised), then one appointment. YTD 129/146 (88.4%), 6 weeks
  60/60 (100.0%): Stage 3 in mid October, Stage 1 now; "improved" checks.
- **severe absence**: from position 15, every week Tuesday and Friday
  `I`, Wednesday afternoon and Thursday `O`. YTD 64/146 (43.8%), 6 weeks
  18/60 (30.0%) with 15 settled unauthorised: severe absence, Stage 3.

An unexplained absence shows `N` for a few school days and then `O`: three
days for the scripted truants, five for the unresolved-N pupil (so its
marks are still `N` on the last day of term).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from attendwise.demo.behaviour import PRESENT_AM, PRESENT_PM, Session
from attendwise.demo.school import Profile

MINIMUM_TERM_DAYS = 60

ILL: Session = ("I", 0)
APPOINTMENT: Session = ("M", 0)
TRUANT: Session = ("O", 3)
UNRESOLVED: Session = ("O", 5)
HOLIDAY: Session = ("G", 0)
LATE: Session = ("L", 0)
LATE_AFTER_CLOSE: Session = ("U", 0)

#: A script: the position of an autumn school day, and its two sessions.
Script = dict[int, tuple[Session, Session]]


class _Term:
    """Builds a script over the `size` school days of a term."""

    def __init__(self, days: Sequence[dt.date]) -> None:
        self.days = days
        self.size = len(days)
        self.script: Script = {}

    def day(self, position: int, code: Session) -> None:
        self.script[position % self.size] = (code, code)

    def days_from(self, position: int, count: int, code: Session) -> None:
        for offset in range(count):
            self.day(position + offset, code)

    def morning(self, position: int, code: Session) -> None:
        _, afternoon = self.script.get(position % self.size, (PRESENT_AM, PRESENT_PM))
        self.script[position % self.size] = (code, afternoon)

    def afternoon(self, position: int, code: Session) -> None:
        morning, _ = self.script.get(position % self.size, (PRESENT_AM, PRESENT_PM))
        self.script[position % self.size] = (morning, code)

    def positions(self, first: int, last: int) -> range:
        """Return positions `first` to `last` inclusive (negatives from the end)."""
        return range(first % self.size, last % self.size + 1)

    def weekday(self, position: int) -> int:
        return self.days[position].weekday()


def _stage_1_only(term: _Term) -> None:
    term.days_from(5, 2, ILL)
    term.morning(20, APPOINTMENT)
    term.day(-12, ILL)


def _stage_2(term: _Term) -> None:
    term.day(10, ILL)
    term.afternoon(25, TRUANT)
    term.days_from(40, 2, ILL)
    term.days_from(-28, 2, ILL)
    term.morning(-20, APPOINTMENT)
    term.afternoon(-15, TRUANT)
    term.day(-9, ILL)
    term.afternoon(-4, TRUANT)


def _stage_3_truancy(term: _Term) -> None:
    for position in term.positions(20, -31):
        # every other Friday
        if term.weekday(position) == 4 and position % 2:
            term.day(position, TRUANT)
    for position in term.positions(-30, -1):
        if term.weekday(position) == 4:
            term.day(position, TRUANT)
        elif term.weekday(position) == 0:
            term.afternoon(position, TRUANT)
    term.days_from(-24, 2, ILL)
    term.morning(-17, LATE_AFTER_CLOSE)
    term.morning(-8, LATE_AFTER_CLOSE)


def _stage_3_holiday(term: _Term) -> None:
    term.days_from(-25, 10, HOLIDAY)


def _late_after_close(term: _Term) -> None:
    for position in (15, 33, 50, -6):
        term.morning(position, LATE_AFTER_CLOSE)
    for position in (3, 9, 22, 28, 41, -18, -10):
        term.morning(position, LATE)


def _unresolved_n(term: _Term) -> None:
    term.days_from(30, 2, ILL)
    term.afternoon(-3, UNRESOLVED)
    term.days_from(-2, 2, UNRESOLVED)


def _long_illness(term: _Term) -> None:
    term.days_from(-27, 15, ILL)


def _improving(term: _Term) -> None:
    term.days_from(2, 2, ILL)
    term.days_from(7, 2, TRUANT)
    for position in (12, 14, 17, 19):
        term.afternoon(position, TRUANT)
    term.day(22, ILL)
    term.day(26, TRUANT)
    term.morning(35, APPOINTMENT)


def _severe(term: _Term) -> None:
    for position in term.positions(15, -1):
        weekday = term.weekday(position)
        if weekday in (1, 4):
            term.day(position, ILL)
        elif weekday == 2:
            term.afternoon(position, TRUANT)
        elif weekday == 3:
            term.day(position, TRUANT)


SCRIPTS: dict[Profile, Callable[[_Term], None]] = {
    Profile.STAGE_1_ONLY: _stage_1_only,
    Profile.STAGE_2: _stage_2,
    Profile.STAGE_3_TRUANCY: _stage_3_truancy,
    Profile.STAGE_3_HOLIDAY: _stage_3_holiday,
    Profile.LATE_AFTER_CLOSE: _late_after_close,
    Profile.UNRESOLVED_N: _unresolved_n,
    Profile.LONG_ILLNESS: _long_illness,
    Profile.IMPROVING: _improving,
    Profile.SEVERE: _severe,
}


def script_for(profile: Profile, term_days: Sequence[dt.date]) -> Script:
    """Return the absences, lates and appointments of `profile` over a term.

    Positions not in the script are present. Raises ValueError when the
    term has fewer than MINIMUM_TERM_DAYS school days (the scripts need a
    first and a last six weeks that do not overlap).
    """
    if len(term_days) < MINIMUM_TERM_DAYS:
        raise ValueError(
            f"the demo's scripted pupils need an autumn term of at least "
            f"{MINIMUM_TERM_DAYS} school days; this one has {len(term_days)}"
        )
    term = _Term(term_days)
    SCRIPTS[profile](term)
    return term.script
