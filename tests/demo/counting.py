"""Plain counting over a demo school, written apart from the generator.

The calibration and stage tests check the generator against these, so
they follow CODES.md and POLICY.md directly: classify each mark, count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from attendwise.core.codes import Category, classify
from attendwise.demo import DEFAULT_SEED, DemoMark, DemoPupil, DemoSchool
from attendwise.demo import generate_school as generate
from tests.factories import reference_calendar

LAST_AUTUMN_DAY = dt.date(2025, 12, 19)
#: POLICY.md: codes left out of possible sessions for the stage rules.
INTERVENTION_NOT_POSSIBLE = frozenset({"C1", "C2", "E", "J1", "R", "S"})


@cache
def autumn_school(seed: int = DEFAULT_SEED) -> DemoSchool:
    """Return the 600-pupil demo school after the last day of autumn 2025."""
    return generate(seed=seed, calendar=reference_calendar(), through=LAST_AUTUMN_DAY)


def marks_by_pupil(school: DemoSchool) -> dict[int, list[DemoMark]]:
    found: dict[int, list[DemoMark]] = defaultdict(list)
    for mark in school.marks:
        found[mark.student_id].append(mark)
    return found


@dataclass(frozen=True)
class Counts:
    possible: int = 0
    attended: int = 0
    absent: int = 0
    unauthorised: int = 0
    illness: int = 0

    def absence_rate(self) -> float:
        return self.absent / self.possible

    def attendance_below(self, percent: int) -> bool:
        return self.possible > 0 and self.attended * 100 < percent * self.possible


def count(marks: Iterable[DemoMark], *, intervention: bool = False) -> Counts:
    """Return the statutory counts of `marks` (or the intervention counts)."""
    possible = attended = absent = unauthorised = illness = 0
    for mark in marks:
        category = classify(mark.code, mark.day).category
        if not category.is_possible:
            continue
        if intervention and mark.code in INTERVENTION_NOT_POSSIBLE:
            continue
        possible += 1
        attended += category.is_attended
        absent += category.is_absence
        unauthorised += category is Category.UNAUTHORISED
        illness += mark.code == "I"
    return Counts(possible, attended, absent, unauthorised, illness)


def pooled(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = Counts(
            total.possible + c.possible,
            total.attended + c.attended,
            total.absent + c.absent,
            total.unauthorised + c.unauthorised,
            total.illness + c.illness,
        )
    return total


@dataclass(frozen=True)
class SchoolFigures:
    """The national measures of CODES.md for the whole school."""

    absence: float
    illness_share: float
    unauthorised: float
    persistent: float
    severe: float
    fsm_ratio: float


@cache
def autumn_figures(seed: int = DEFAULT_SEED) -> SchoolFigures:
    return school_figures(autumn_school(seed))


def school_figures(school: DemoSchool) -> SchoolFigures:
    by_pupil = {
        student_id: count(marks) for student_id, marks in marks_by_pupil(school).items()
    }
    counted = {sid: c for sid, c in by_pupil.items() if c.possible > 0}
    total = pooled(counted.values())
    fsm = {pupil.student_id: pupil.fsm for pupil in school.pupils}
    with_fsm = pooled(c for sid, c in counted.items() if fsm[sid])
    without = pooled(c for sid, c in counted.items() if not fsm[sid])
    return SchoolFigures(
        absence=100 * total.absent / total.possible,
        illness_share=100 * total.illness / total.absent,
        unauthorised=100 * total.unauthorised / total.possible,
        persistent=100
        * sum(c.absent * 10 >= c.possible for c in counted.values())
        / len(counted),
        severe=100
        * sum(c.absent * 2 >= c.possible for c in counted.values())
        / len(counted),
        fsm_ratio=with_fsm.absence_rate() / without.absence_rate(),
    )


@dataclass(frozen=True)
class StageFigures:
    """One pupil's figures for the stage rules of POLICY.md on one day."""

    ytd: Counts
    six_weeks: Counts | None
    settled_unauthorised: int

    @property
    def stage(self) -> int:
        if self.ytd.possible < 20:
            return 0
        if self.six_weeks is not None:
            if self.six_weeks.attendance_below(80) and self.settled_unauthorised >= 10:
                return 3
            if self.six_weeks.attendance_below(90):
                return 2
        return 1 if self.ytd.attendance_below(96) else 0


def stage_figures(
    pupil: DemoPupil, marks: list[DemoMark], as_of: dt.date
) -> StageFigures:
    calendar = reference_calendar()
    marks = [mark for mark in marks if mark.day <= as_of]
    window = calendar.last_school_days(as_of, 30)
    on_roll_throughout = pupil.entry_date <= window[0] and (
        pupil.leaving_date is None or pupil.leaving_date >= as_of
    )
    in_window = [mark for mark in marks if mark.day >= window[0]]
    six_weeks = count(in_window, intervention=True)
    settled = sum(
        mark.code in ("G", "O", "U")
        or (mark.code == "N" and calendar.school_days_after(mark.day, as_of) >= 5)
        for mark in in_window
    )
    return StageFigures(
        ytd=count(marks, intervention=True),
        six_weeks=six_weeks
        if on_roll_throughout and six_weeks.possible >= 20
        else None,
        settled_unauthorised=settled,
    )
