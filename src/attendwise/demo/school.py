"""The demo school as plain records: pupils, contacts and register marks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Profile(StrEnum):
    """Why a pupil's marks look the way they do.

    `MODELLED` pupils follow the per-pupil behaviour model. The others are
    scripted over the autumn term so that, on its last day, the demo shows
    every stage and check of the policy whatever the seed (see
    `attendwise.demo.scripts`).
    """

    MODELLED = "modelled"
    STAGE_1_ONLY = "stage 1 only"
    STAGE_2 = "stage 2"
    STAGE_3_TRUANCY = "stage 3 truancy"
    STAGE_3_HOLIDAY = "stage 3 holiday"
    LATE_AFTER_CLOSE = "late after close"
    UNRESOLVED_N = "unresolved N"
    LONG_ILLNESS = "long illness"
    IMPROVING = "improving"
    SEVERE = "severe absence"


@dataclass(frozen=True, slots=True)
class DemoPupil:
    """One pupil as the MIS holds them (`leaving_date` None while on roll)."""

    student_id: int
    upn: str
    surname: str
    forename: str
    gender: str
    date_of_birth: dt.date
    year: int
    reg_group: str
    fsm: bool
    sen: str
    entry_date: dt.date
    leaving_date: dt.date | None
    family_id: int
    profile: Profile = Profile.MODELLED
    #: weekdays (0 = Monday) spent at the other school of a dual registration
    dual_weekdays: tuple[int, ...] = ()

    def on_roll(self, day: dt.date) -> bool:
        """Return whether `day` lies within the pupil's roll dates."""
        if day < self.entry_date:
            return False
        return self.leaving_date is None or day <= self.leaving_date


@dataclass(frozen=True, slots=True)
class DemoContact:
    """A parent or carer of one pupil, in the MIS's priority order."""

    student_id: int
    priority: int
    relationship: str
    parental_responsibility: bool
    title: str
    forename: str
    surname: str
    lives_with_pupil: bool
    address_line_1: str
    town: str
    postcode: str
    mobile: str
    email: str


@dataclass(frozen=True, slots=True)
class DemoMark:
    """The mark on one session, as the register shows it on the export day."""

    day: dt.date
    session: str
    student_id: int
    code: str
    #: the code once the reason is known (the same as `code` when it is)
    reason: str = ""
    #: school days after the session before the reason is known; until then
    #: the register shows N
    explained_after: int = 0

    def shown(self, days_since: int) -> str:
        """Return the mark as the register showed it `days_since` school days on."""
        if days_since < self.explained_after:
            return "N"
        return self.reason or self.code


@dataclass(frozen=True)
class DemoSchool:
    """A generated school: pupils by student id, contacts, marks in file order.

    Marks are ordered by date, then AM before PM, then student id (the
    order of a SIMS session-attendance export).
    """

    name: str
    seed: int
    through: dt.date
    pupils: tuple[DemoPupil, ...]
    contacts: tuple[DemoContact, ...]
    marks: tuple[DemoMark, ...]

    def pupil(self, student_id: int) -> DemoPupil:
        """Return the pupil with `student_id`; KeyError if there is none."""
        for pupil in self.pupils:
            if pupil.student_id == student_id:
                return pupil
        raise KeyError(student_id)

    def with_profile(self, profile: Profile) -> tuple[DemoPupil, ...]:
        return tuple(p for p in self.pupils if p.profile is profile)
