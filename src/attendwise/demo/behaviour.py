"""The per-pupil behaviour model that writes a modelled pupil's marks.

Each pupil has a latent `risk` (log-normal with mean 1, raised by free
school meals, special educational needs and age) and, independently, a
proneness to illness (log-normal too). Both are drawn by stratified
quantiles, so the seed decides who is where in the spread, not the
spread. From them follow the pupil's habits:

- **illness spells** start on a school day with a chance that grows with
  proneness, a little with risk, and with the season; a spell goes on to
  the next day with a chance of its own (most last a day or two, a few a
  week or more); now and then a pupil is sent home ill after the morning;
- **spells of unexplained absence** (truancy, school avoidance) behave the
  same way but grow much faster with risk, and last longer the higher it
  is, so they gather in a minority: the persistently and severely absent;
- **skipped afternoons** (`O` in the afternoon only) grow with risk alike;
- **medical appointments** (`M`) take one session;
- **lates**: `L` (before the register closed) is common; `U` (after it
  closed) belongs to the tenth or so of pupils who are often late;
- **suspensions** (`E`) are rare, one to three days;
- **leave in exceptional circumstances** (`C`, a family funeral, say) is
  rarer still, one or two days;
- **family holidays** (`G`) are drawn per family by the generator.

The season factor rises through every term (from 0.7 on its first day to
1.3 on its last), so absence is lowest early in term and highest before
Christmas; Mondays and Fridays are a little worse.

An absence without a reason shows `N` until the reason is known: each
absence carries `explained_after`, the number of school days after it on
which the school learns the reason (illness: mostly the same day, at most
2) or, for unexplained absence, changes it to `O` (1 to 4).

The constants below are calibrated to CODES.md's national figures for a
secondary in the autumn term; tests/demo/test_calibration.py holds the
tolerances.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from statistics import NormalDist

#: (code, explained_after) for one session; explained_after 0 means the
#: reason was known on the day.
Session = tuple[str, int]
#: (school-day index, AM session, PM session)
Day = tuple[int, Session, Session]

PRESENT_AM: Session = ("/", 0)
PRESENT_PM: Session = ("\\", 0)

#: Log-normal spread of risk between pupils (the tail makes persistent and
#: severe absence).
RISK_SIGMA = 0.85
FSM_RISK = 2.2
SEN_RISK = {"N": 1.0, "K": 1.25, "E": 1.45}
YEAR_RISK = {7: 0.85, 8: 0.95, 9: 1.0, 10: 1.08, 11: 1.12}

ILLNESS_START = 0.025
ILLNESS_STAY = 0.35
ILLNESS_POWER = 0.45
ILLNESS_SIGMA = 0.6
TRUANCY_START = 0.0036
SKIP_AFTERNOON = 0.0026
TRUANCY_POWER = 1.9
TRUANCY_STAY_MAX = 0.85
APPOINTMENT = 0.005
LATE = 0.025
LATE_AFTER_CLOSE = 0.035
LATE_AFTER_CLOSE_SHARE = 0.1
SUSPENSION = 0.0003
EXCEPTIONAL_LEAVE = 0.0008
SENT_HOME_ILL = 0.004

WEEKDAY_FACTOR = (1.1, 0.95, 0.95, 1.0, 1.1, 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Habits:
    """One pupil's chances per school day (or per session where named)."""

    risk: float
    illness_start: float
    illness_stay: float
    truancy_start: float
    truancy_stay: float
    skip_afternoon: float
    appointment_per_session: float
    late_per_morning: float
    late_after_close_per_morning: float
    suspension: float


def stratified_quantiles(rng: random.Random, count: int) -> list[float]:
    """Return `count` quantiles in (0, 1), one in each `1/count` slice, shuffled.

    Stratifying the pupils' risk and illness this way keeps the school's
    figures close to their calibration whatever the seed: the seed changes
    which pupil is where, not the spread.
    """
    # A quantile of exactly 0 has no log-normal value.
    quantiles = [(k + max(rng.random(), 1e-9)) / count for k in range(count)]
    rng.shuffle(quantiles)
    return quantiles


def _log_normal(quantile: float, sigma: float) -> float:
    """Return the `quantile` of a log-normal variable with mean 1."""
    return math.exp(NormalDist(-(sigma**2) / 2, sigma).inv_cdf(quantile))


def draw_habits(
    rng: random.Random,
    *,
    risk_quantile: float,
    illness_quantile: float,
    fsm: bool,
    sen: str,
    year: int,
) -> Habits:
    """Return a pupil's habits, from their quantiles and characteristics.

    `risk_quantile` places the pupil in the school's spread of risk;
    `illness_quantile` in its spread of proneness to illness (independent
    of risk: some pupils are simply ill more often).
    """
    risk = _log_normal(risk_quantile, RISK_SIGMA)
    risk *= (FSM_RISK if fsm else 1.0) * SEN_RISK[sen] * YEAR_RISK[year]
    proneness = _log_normal(illness_quantile, ILLNESS_SIGMA)
    often_late_after_close = rng.random() < LATE_AFTER_CLOSE_SHARE * min(2.0, risk)
    return Habits(
        risk=risk,
        illness_start=min(0.3, ILLNESS_START * risk**ILLNESS_POWER * proneness),
        illness_stay=min(0.8, ILLNESS_STAY + 0.05 * math.log(risk + 1)),
        truancy_start=min(0.6, TRUANCY_START * risk**TRUANCY_POWER),
        truancy_stay=min(TRUANCY_STAY_MAX, 0.3 + 0.08 * risk),
        skip_afternoon=min(0.4, SKIP_AFTERNOON * risk**TRUANCY_POWER),
        appointment_per_session=APPOINTMENT * rng.uniform(0.3, 1.7),
        late_per_morning=min(0.3, LATE * risk**0.8 * rng.uniform(0.2, 1.8)),
        late_after_close_per_morning=(
            min(0.15, LATE_AFTER_CLOSE * risk**0.3 * rng.uniform(0.4, 1.2))
            if often_late_after_close
            else 0.0
        ),
        suspension=SUSPENSION * risk**1.5,
    )


def _explained_after_illness(rng: random.Random) -> int:
    roll = rng.random()
    return 0 if roll < 0.8 else 1 if roll < 0.95 else 2


def _explained_after_unexplained(rng: random.Random) -> int:
    return rng.randint(1, 4)


def simulate(
    rng: random.Random,
    habits: Habits,
    days: Sequence[dt.date],
    season: Sequence[float],
    on_roll: Sequence[bool],
    *,
    holiday: Collection[int] = (),
    dual_weekdays: Collection[int] = (),
) -> list[Day]:
    """Return the pupil's sessions on each school day of `days` they are on roll.

    `season[i]` scales the chances on `days[i]`; `holiday` holds indices
    of days taken as an unauthorised family holiday. Draws happen day by
    day, so the marks of a day never depend on how many days follow.
    """
    result: list[Day] = []
    illness_left = 0
    illness_reason = 0
    truant = False
    truancy_reason = 0
    suspended_left = 0
    leave_left = 0
    for index, day in enumerate(days):
        if not on_roll[index]:
            continue
        factor = season[index] * WEEKDAY_FACTOR[day.weekday()]
        if day.weekday() in dual_weekdays:
            result.append((index, ("D", 0), ("D", 0)))
            continue
        if index in holiday:
            result.append((index, ("G", 0), ("G", 0)))
            continue
        if suspended_left or rng.random() < habits.suspension:
            suspended_left = suspended_left or rng.randint(1, 3)
            suspended_left -= 1
            result.append((index, ("E", 0), ("E", 0)))
            continue
        if leave_left or rng.random() < EXCEPTIONAL_LEAVE:
            leave_left = leave_left or rng.randint(1, 2)
            leave_left -= 1
            result.append((index, ("C", 0), ("C", 0)))
            continue
        if illness_left or rng.random() < habits.illness_start * factor**1.2:
            if not illness_left:
                illness_left = 1
                while rng.random() < habits.illness_stay and illness_left < 15:
                    illness_left += 1
                illness_reason = _explained_after_illness(rng)
            illness_left -= 1
            mark = ("I", illness_reason)
            result.append((index, mark, mark))
            continue
        if truant:
            truant = rng.random() < habits.truancy_stay
        elif rng.random() < habits.truancy_start * factor:
            truant = True
            truancy_reason = _explained_after_unexplained(rng)
        if truant:
            mark = ("O", truancy_reason)
            result.append((index, mark, mark))
            continue
        result.append((index, _morning(rng, habits), _afternoon(rng, habits, factor)))
    return result


def _morning(rng: random.Random, habits: Habits) -> Session:
    roll = rng.random()
    if roll < habits.appointment_per_session:
        return ("M", 0)
    roll -= habits.appointment_per_session
    if roll < habits.late_after_close_per_morning:
        return ("U", 0)
    roll -= habits.late_after_close_per_morning
    if roll < habits.late_per_morning:
        return ("L", 0)
    return PRESENT_AM


def _afternoon(rng: random.Random, habits: Habits, factor: float) -> Session:
    roll = rng.random()
    if roll < habits.appointment_per_session:
        return ("M", 0)
    roll -= habits.appointment_per_session
    if roll < SENT_HOME_ILL * factor:
        return ("I", 0)
    roll -= SENT_HOME_ILL * factor
    if roll < habits.skip_afternoon * factor:
        return ("O", _explained_after_unexplained(rng))
    return PRESENT_PM


def season_factors(
    days: Sequence[dt.date], terms: Sequence[tuple[dt.date, dt.date]]
) -> list[float]:
    """Return each day's season factor: 0.7 on a term's first school day,
    rising evenly to 1.3 on its last.

    A day in none of `terms` gets 1.0.
    """
    factors = [1.0] * len(days)
    for first, last in terms:
        inside = [i for i, day in enumerate(days) if first <= day <= last]
        for position, index in enumerate(inside):
            factors[index] = 0.7 + 0.6 * position / max(1, len(inside) - 1)
    return factors
