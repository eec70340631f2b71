"""DfE register codes, versioned by the date of the session.

Sources: the School Attendance (Pupil Registration) (England) Regulations
2024 and the DfE guidance "Working together to improve school attendance"
(in force 19 August 2024) for the current set; the 2006 regulations as
amended for the set before it. See docs/codes.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """The five ways a mark can count."""

    PRESENT = "present"
    AEA = "approved educational activity"
    AUTHORISED = "authorised absence"
    UNAUTHORISED = "unauthorised absence"
    NOT_COUNTED = "not counted"

    @property
    def is_possible(self) -> bool:
        return self is not Category.NOT_COUNTED

    @property
    def is_attended(self) -> bool:
        return self in (Category.PRESENT, Category.AEA)

    @property
    def is_absence(self) -> bool:
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    meaning: str
    category: Category


@dataclass(frozen=True, slots=True)
class CodeSet:
    """The codes in force from `valid_from` until the next set begins."""

    name: str
    valid_from: dt.date
    codes: dict[str, Code]

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def get(self, code: str) -> Code | None:
        return self.codes.get(code)


P, A, AU, UN, NC = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_COUNTED,
)

_UNCHANGED: tuple[tuple[str, str, Category], ...] = (
    ("/", "present, morning", P),
    ("\\", "present, afternoon", P),
    ("L", "late, arrived before the register closed", P),
    ("V", "educational visit or trip", A),
    ("P", "approved sporting activity", A),
    ("W", "work experience", A),
    ("M", "leave for a medical or dental appointment", AU),
    ("S", "study leave", AU),
    ("C", "leave in exceptional circumstances", AU),
    ("T", "parent travelling for occupational purposes", AU),
    ("R", "religious observance", AU),
    ("I", "illness (not appointments)", AU),
    ("E", "suspended or excluded, no alternative provision", AU),
    ("G", "holiday not granted by the school", UN),
    ("N", "reason not yet provided", UN),
    ("O", "absent in other or unknown circumstances", UN),
    ("U", "arrived after the register closed", UN),
    ("D", "dual registered, attending the other school", NC),
    ("X", "non-compulsory school age, not required to attend", NC),
    ("Z", "prospective pupil, not yet on the admission register", NC),
)

_FROM_2024: tuple[tuple[str, str, Category], ...] = (
    ("K", "attending education provision arranged by the local authority", A),
    ("B", "any other approved, supervised educational activity", A),
    ("C1", "leave for a regulated performance or employment abroad", AU),
    ("J1", "leave for an interview", AU),
    ("C2", "leave for a temporary part-time timetable", AU),
    ("Q", "unable to attend: no access arrangements by the local authority", NC),
    ("Y1", "unable to attend: transport not provided", NC),
    ("Y2", "unable to attend: widespread travel disruption", NC),
    ("Y3", "unable to attend: part of the premises closed", NC),
    ("Y4", "unable to attend: whole site closed unexpectedly", NC),
    ("Y5", "unable to attend: criminal-justice detention", NC),
    ("Y6", "unable to attend: public-health law", NC),
    ("Y7", "unable to attend: any other unavoidable cause", NC),
    ("#", "planned whole-school closure", NC),
)

_BEFORE_2024: tuple[tuple[str, str, Category], ...] = (
    ("B", "educated off site", A),
    ("J", "interview", A),
    ("H", "holiday agreed by the school", AU),
    ("F", "extended family holiday", AU),
    ("Y", "unable to attend, exceptional circumstances", NC),
    ("#", "planned whole or partial school closure", NC),
)


def _build(rows: tuple[tuple[str, str, Category], ...]) -> dict[str, Code]:
    return {code: Code(code, meaning, category) for code, meaning, category in rows}


CODES_2024 = CodeSet(
    name="2024 regulations",
    valid_from=dt.date(2024, 8, 19),
    codes=_build(_UNCHANGED + _FROM_2024),
)
CODES_2006 = CodeSet(
    name="2006 regulations",
    valid_from=dt.date(2022, 9, 1),
    codes=_build(_UNCHANGED + _BEFORE_2024),
)

#: Registers before this date are out of scope: in 2020/21 and 2021/22 `X`
#: also recorded COVID non-attendance and was counted as possible.
EARLIEST_SUPPORTED = CODES_2006.valid_from

CODE_SETS: tuple[CodeSet, ...] = (CODES_2006, CODES_2024)

#: Every code of any set, mapped to the categories it has had.
ALL_CODES: frozenset[str] = frozenset(
    code for code_set in CODE_SETS for code in code_set.codes
)

#: Codes counted towards the national penalty-notice threshold.
PENALTY_NOTICE_CODES: frozenset[str] = frozenset({"G", "N", "O", "U"})


class CodeError(ValueError):
    """A mark that is not a valid code on its session's date."""


def code_set_for(day: dt.date) -> CodeSet:
    """Return the code set in force on `day`.

    Raises CodeError for days before EARLIEST_SUPPORTED.
    """
    if day < EARLIEST_SUPPORTED:
        raise CodeError(
            f"registers before {EARLIEST_SUPPORTED:%d %B %Y} are not supported "
            "(in 2020/21 and 2021/22 the X code was counted differently)"
        )
    return CODES_2024 if day >= CODES_2024.valid_from else CODES_2006


def classify(code: str, day: dt.date) -> Code:
    """Return the code as defined on `day`.

    Raises CodeError naming the code and the date when the code is unknown,
    retired on that date or not yet introduced.
    """
    code_set = code_set_for(day)
    found = code_set.get(code)
    if found is not None:
        return found
    if code in ALL_CODES:
        other = CODES_2006 if code_set is CODES_2024 else CODES_2024
        if code in other and other is CODES_2006:
            reason = f"retired on {CODES_2024.valid_from:%d %B %Y}"
        else:
            reason = f"not in use before {CODES_2024.valid_from:%d %B %Y}"
        raise CodeError(
            f"code {code!r} is {reason}, so it is invalid on {day:%d/%m/%Y}"
        )
    raise CodeError(f"{code!r} is not a DfE register code (session of {day:%d/%m/%Y})")


def category_table() -> list[tuple[str, dt.date, str]]:
    """Return (code, valid_from, category) rows for every code of every set.

    The measures engine joins marks to this table by code and date.
    """
    return [
        (code.code, code_set.valid_from, code.category.value)
        for code_set in CODE_SETS
        for code in code_set.codes.values()
    ]
