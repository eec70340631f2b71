"""A seeded generator of a realistic demo secondary school.

`generate_school` builds the school as the MIS would export it after the
registers of `through`: Years 7 to 11 (five registration groups in Years 7
and 8, four above), families and their contacts (`attendwise.demo.people`),
and every session mark from the first school day of the academic year to
`through` (`attendwise.demo.behaviour` for most pupils,
`attendwise.demo.scripts` for the scripted few). `write_sims_export`
writes it in the layout of a SIMS export (`attendwise.demo.sims`).

What the school holds, beyond the behaviour model:

- joiners (1.5% of pupils) entering on a school day of the autumn term,
  and leavers (1%) leaving on one; a pupil not yet admitted by `through`
  is not in the export, and a leaving date shows once it has passed;
- two dual-registered pupils in Years 10 and 11, at the other school on
  fixed weekdays (`D`);
- family holidays (`G`): 5% of families take the last two to five school
  days before the autumn half term;
- one Year 9 registration group on a school trip (`V`) on the 30th school
  day;
- unexplained absences in the last few school days still `N`.

The same seed, calendar, `through` and pupil count give the same school
(and byte-identical files). Marks of a day never depend on `through`
except that an `N` becomes its reason once enough days have passed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from attendwise.core.calendar import SchoolCalendar, Term, academic_year_of
from attendwise.demo import behaviour, people
from attendwise.demo.behaviour import Day, Session
from attendwise.demo.school import (
    DemoContact,
    DemoMark,
    DemoPupil,
    DemoSchool,
    Profile,
)
from attendwise.demo.scripts import script_for
from attendwise.demo.sims import write_sims_export

__all__ = [
    "DEFAULT_SEED",
    "DemoSchool",
    "generate_school",
    "write_sims_export",
]

#: The seed `attendwise demo` uses; the calibration figures in the tests
#: and docs are this seed's.
DEFAULT_SEED = 2025

JOINER_SHARE = 0.015
LEAVER_SHARE = 0.01
HOLIDAY_SHARE = 0.05
GROUPS = {7: 5, 8: 5, 9: 4, 10: 4, 11: 4}
GROUP_LETTERS = "HOLNS"
FIRST_STUDENT_ID = 1001
TRIP_DAY = 29
DUAL_WEEKDAYS = ((2,), (3, 4))


@dataclass(frozen=True, slots=True)
class _Year:
    """The school days of the academic year, and where its autumn term lies."""

    days: tuple[dt.date, ...]
    autumn: tuple[dt.date, ...]
    season: tuple[float, ...]
    index: dict[dt.date, int]


def _academic_year(calendar: SchoolCalendar, through: dt.date) -> _Year:
    start = academic_year_of(through)
    days = calendar.academic_year_days(start)
    if not days:
        raise ValueError(
            f"the calendar has no school days in the academic year of {through}"
        )
    terms: list[Term] = [
        t for t in calendar.terms if days[0] <= t.last_day and t.first_day <= days[-1]
    ]
    autumn = calendar.school_days_between(terms[0].first_day, terms[0].last_day)
    season = behaviour.season_factors(days, [(t.first_day, t.last_day) for t in terms])
    return _Year(
        days=days,
        autumn=autumn,
        season=tuple(season),
        index={day: i for i, day in enumerate(days)},
    )


def _cohort_entry(rng: random.Random, year: int, year_start: int) -> dt.date:
    """Return when a pupil now in Years 8 to 11 joined the school.

    Mostly the start of their Year 7 (the first weekday from 3 September);
    6% joined later, on a term-time weekday before this academic year.
    """
    september = dt.date(year_start - (year - 7), 9, 3)
    while september.weekday() >= 5:
        september += dt.timedelta(days=1)
    if rng.random() >= 0.06:
        return september
    school_year = september.year + rng.randint(0, year - 8)
    month = rng.choice((10, 11, 1, 2, 3, 4, 5, 6))
    day = dt.date(school_year + (month < 9), month, rng.randint(6, 25))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _roll_dates(
    rng: random.Random,
    children: Sequence[people.Child],
    year: _Year,
) -> list[tuple[dt.date, dt.date | None]]:
    year_start = academic_year_of(year.days[0])
    dates: list[tuple[dt.date, dt.date | None]] = []
    for child in children:
        if child.year == 7:
            dates.append((year.days[0], None))
        else:
            dates.append((_cohort_entry(rng, child.year, year_start), None))
    order = list(range(len(children)))
    rng.shuffle(order)
    joiners = max(1, round(len(children) * JOINER_SHARE))
    leavers = max(1, round(len(children) * LEAVER_SHARE))
    autumn = year.autumn
    for i in order[:joiners]:
        dates[i] = (autumn[rng.randint(5, len(autumn) - 5)], None)
    for i in order[joiners : joiners + leavers]:
        dates[i] = (dates[i][0], autumn[rng.randint(10, len(autumn) - 5)])
    return dates


def _reg_groups(rng: random.Random, children: Sequence[people.Child]) -> list[str]:
    groups = [""] * len(children)
    for year, count in GROUPS.items():
        members = [i for i, child in enumerate(children) if child.year == year]
        rng.shuffle(members)
        for n, i in enumerate(members):
            groups[i] = f"{year}{GROUP_LETTERS[n % count]}"
    return groups


def _student_ids(
    rng: random.Random,
    children: Sequence[people.Child],
    roll: Sequence[tuple[dt.date, dt.date | None]],
) -> list[int]:
    """Return ids in admission order, with the gaps earlier leavers left."""
    order = sorted(
        range(len(children)),
        key=lambda i: (roll[i][0], children[i].surname, children[i].forename, i),
    )
    ids = [0] * len(children)
    next_id = FIRST_STUDENT_ID
    for i in order:
        ids[i] = next_id
        next_id += rng.choice((1, 1, 1, 1, 2, 3))
    return ids


def _choose_special(
    rng: random.Random,
    pupils: list[DemoPupil],
    first_day: dt.date,
) -> list[DemoPupil]:
    """Return `pupils` with the scripted profiles and dual registrations given.

    Only pupils on roll for the whole autumn term are chosen, spread over
    the year groups.
    """
    steady = [
        i
        for i, p in enumerate(pupils)
        if p.entry_date <= first_day and p.leaving_date is None
    ]
    rng.shuffle(steady)
    chosen: set[int] = set()

    def take(years: Sequence[int]) -> int:
        for i in steady:
            if i not in chosen and pupils[i].year in years:
                chosen.add(i)
                return i
        raise ValueError("too few pupils for the demo's scripted profiles")

    result = list(pupils)
    scripted = [p for p in Profile if p is not Profile.MODELLED]
    for n, profile in enumerate(scripted):
        i = take((people.YEARS[n % len(people.YEARS)],))
        result[i] = replace(result[i], profile=profile)
    for weekdays in DUAL_WEEKDAYS:
        i = take((10, 11))
        result[i] = replace(result[i], dual_weekdays=weekdays)
    return result


def _pupils(
    rng: random.Random, year: _Year, count: int
) -> tuple[list[DemoPupil], dict[int, list[people.Adult]]]:
    year_start = academic_year_of(year.days[0])
    children, adults = people.build_families(rng, count=count, year_start=year_start)
    roll = _roll_dates(rng, children, year)
    groups = _reg_groups(rng, children)
    ids = _student_ids(rng, children, roll)
    pupils = [
        DemoPupil(
            student_id=ids[i],
            upn=child.upn,
            surname=child.surname,
            forename=child.forename,
            gender=child.gender,
            date_of_birth=child.date_of_birth,
            year=child.year,
            reg_group=groups[i],
            fsm=child.fsm,
            sen=child.sen,
            entry_date=roll[i][0],
            leaving_date=roll[i][1],
            family_id=child.family_id,
        )
        for i, child in enumerate(children)
    ]
    pupils = _choose_special(rng, pupils, year.days[0])
    pupils.sort(key=lambda p: p.student_id)
    return pupils, adults


def _holidays(seed: int, families: set[int], year: _Year) -> dict[int, frozenset[int]]:
    """Return, per family taking one, the day indices of its holiday.

    The holiday is the last two to five school days before the largest
    break inside the autumn term (its half term).
    """
    autumn = year.autumn
    gaps = [(b - a).days for a, b in itertools.pairwise(autumn)]
    before_break = gaps.index(max(gaps))
    result: dict[int, frozenset[int]] = {}
    for family in sorted(families):
        rng = random.Random(f"attendwise demo {seed} family {family}")
        if rng.random() < HOLIDAY_SHARE:
            length = rng.randint(2, 5)
            taken = autumn[before_break - length + 1 : before_break + 1]
            result[family] = frozenset(year.index[day] for day in taken)
    return result


def _scripted_days(pupil: DemoPupil, year: _Year, modelled: list[Day]) -> list[Day]:
    """Return `modelled` with the autumn days replaced by the pupil's script."""
    script = script_for(pupil.profile, year.autumn)
    autumn_index = {year.index[day] for day in year.autumn}
    days: list[Day] = [day for day in modelled if day[0] not in autumn_index]
    for position, day in enumerate(year.autumn):
        index = year.index[day]
        am, pm = script.get(position, (behaviour.PRESENT_AM, behaviour.PRESENT_PM))
        days.append((index, am, pm))
    days.sort(key=lambda entry: entry[0])
    return days


def _quantiles(
    rng: random.Random, roster: Sequence[DemoPupil]
) -> list[tuple[float, float]]:
    """Return each pupil's (risk, illness) quantiles, stratified.

    Pupils with and without free school meals are stratified apart, so
    that their mix at the top of the risk spread cannot vary much.
    """
    quantiles = [(0.0, 0.0)] * len(roster)
    for fsm in (False, True):
        members = [i for i, pupil in enumerate(roster) if pupil.fsm is fsm]
        risks = behaviour.stratified_quantiles(rng, len(members))
        illnesses = behaviour.stratified_quantiles(rng, len(members))
        for i, risk, illness in zip(members, risks, illnesses, strict=True):
            quantiles[i] = (risk, illness)
    return quantiles


def _shown(session: Session, index: int, through_index: int) -> str:
    code, explained_after = session
    return "N" if through_index - index < explained_after else code


@dataclass(frozen=True, slots=True)
class _Run:
    """What every pupil's marks are drawn against."""

    seed: int
    year: _Year
    days: tuple[dt.date, ...]
    holidays: dict[int, frozenset[int]]
    trip_group: str
    trip_day: dt.date | None


Row = tuple[int, int, int, str, str, int]


def _pupil_rows(
    run: _Run, pupil: DemoPupil, quantiles: tuple[float, float]
) -> list[Row]:
    """Return the pupil's marks: (day index, session, student id, code shown,
    code once explained, school days until explained)."""
    rng = random.Random(f"attendwise demo {run.seed} pupil {pupil.student_id}")
    habits = behaviour.draw_habits(
        rng,
        risk_quantile=quantiles[0],
        illness_quantile=quantiles[1],
        fsm=pupil.fsm,
        sen=pupil.sen,
        year=pupil.year,
    )
    sessions = behaviour.simulate(
        rng,
        habits,
        run.days,
        run.year.season,
        [pupil.on_roll(day) for day in run.days],
        holiday=run.holidays.get(pupil.family_id, frozenset()),
        dual_weekdays=pupil.dual_weekdays,
    )
    last = len(run.days) - 1
    if pupil.profile is not Profile.MODELLED:
        scripted = _scripted_days(pupil, run.year, sessions)
        sessions = [entry for entry in scripted if entry[0] <= last]
    on_trip = pupil.reg_group == run.trip_group
    rows: list[Row] = []
    for index, am, pm in sessions:
        am_code = _shown(am, index, last)
        pm_code = _shown(pm, index, last)
        am_reason, pm_reason = am[0], pm[0]
        if on_trip and run.days[index] == run.trip_day:
            am_code = "V" if am_code in ("/", "L") else am_code
            pm_code = "V" if pm_code == "\\" else pm_code
            am_reason = "V" if am_reason in ("/", "L") else am_reason
            pm_reason = "V" if pm_reason == "\\" else pm_reason
        rows.append((index, 0, pupil.student_id, am_code, am_reason, am[1]))
        rows.append((index, 1, pupil.student_id, pm_code, pm_reason, pm[1]))
    return rows


def generate_school(
    *,
    seed: int,
    calendar: SchoolCalendar,
    through: dt.date,
    pupils: int = 600,
    name: str = "Hollins Park Academy",
) -> DemoSchool:
    """Return the demo school as its MIS shows it after the registers of `through`.

    Marks run from the first school day of `through`'s academic year to
    `through` (inclusive), on school days only and within each pupil's
    roll dates. Raises ValueError when the academic year has no school
    days, or an autumn term too short for the scripted pupils (60 school
    days), or `pupils` is under 50.
    """
    if pupils < 50:
        raise ValueError(f"the demo school needs at least 50 pupils, not {pupils}")
    year = _academic_year(calendar, through)
    rng = random.Random(f"attendwise demo {seed} people")
    roster, adults = _pupils(rng, year, pupils)
    run = _Run(
        seed=seed,
        year=year,
        days=tuple(day for day in year.days if day <= through),
        holidays=_holidays(seed, {p.family_id for p in roster}, year),
        trip_group=rng.choice(sorted({p.reg_group for p in roster if p.year == 9})),
        trip_day=year.autumn[TRIP_DAY] if len(year.autumn) > TRIP_DAY else None,
    )
    quantiles = _quantiles(rng, roster)

    rows: list[Row] = []
    shown: list[DemoPupil] = []
    contacts: list[DemoContact] = []
    for pupil, pupil_quantiles in zip(roster, quantiles, strict=True):
        if pupil.entry_date > through:
            continue
        if pupil.leaving_date is not None and pupil.leaving_date > through:
            # The MIS learns the leaving date when the pupil leaves.
            shown.append(replace(pupil, leaving_date=None))
        else:
            shown.append(pupil)
        contacts.extend(people.contacts_for(pupil.student_id, adults[pupil.family_id]))
        rows.extend(_pupil_rows(run, pupil, pupil_quantiles))

    rows.sort()
    marks = tuple(
        DemoMark(run.days[index], ("AM", "PM")[session], student_id, code, reason, late)
        for index, session, student_id, code, reason, late in rows
    )
    return DemoSchool(
        name=name,
        seed=seed,
        through=through,
        pupils=tuple(shown),
        contacts=tuple(contacts),
        marks=marks,
    )
