"""Register rows, whatever the layout: one mark per pupil per session.

Each layout (canonical.py, sims.py) says which column holds what and how
its dates are written; the checks here are the same for all of them:

- the code is classified by the date of its session (codes.classify), so
  a retired code after 19 August 2024, a new code before it, an unknown
  code and a session before September 2022 are errors naming the code and
  the date;
- a blank mark or a placeholder (`-`) is not a mark: it is kept apart as
  a blank, reported, and later counted as a missing mark;
- two identical rows for one pupil-session are folded into one, with a
  warning; two that disagree are an error naming both lines, unless the
  source keeps several registers per session: then the mark first in
  REGISTER_ORDER is kept, and the warning names both rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from attendwise.core.codes import ALL_CODES, CodeError, classify, code_set_for
from attendwise.sources.base import (
    PLAIN,
    Layout,
    Progress,
    Reading,
    ReportBuilder,
    ValueProblem,
    WarningKind,
    describe_day,
    quoted,
    read_table,
)

SESSIONS = ("AM", "PM")

#: Marks that MIS exports write for a session with no mark yet.
PLACEHOLDERS = frozenset({"", "-"})

#: The codes whose sessions may carry minutes late.
LATE_CODES = frozenset({"L", "U"})

#: The longest minutes-late value accepted (a whole school day).
MAX_MINUTES_LATE = 600

#: The longest mark a file may give (Mark.source_code holds 10 characters).
MAX_SOURCE_CODE = 10

#: Which mark stands when a source keeps several registers for one session
#: (registration and a later register, say), first to last. Our
#: convention, built on the categories of the 2024 regulations (see
#: docs/import-formats.md): a pupil recorded present at any register of
#: the session was there; an approved educational activity next; then an
#: absence whose reason is known (authorised before not counted); then
#: unauthorised absence, with N (reason not yet provided) last because any
#: other register of the session says more. Within a category, the codes
#: come in the order of the handbook's code table.
REGISTER_ORDER: tuple[str, ...] = (
    "/",
    "\\",
    "L",
    "K",
    "V",
    "P",
    "W",
    "B",
    "J",
    "C1",
    "M",
    "J1",
    "S",
    "C2",
    "C",
    "T",
    "R",
    "I",
    "E",
    "H",
    "F",
    "D",
    "X",
    "Q",
    "Y1",
    "Y2",
    "Y3",
    "Y4",
    "Y5",
    "Y6",
    "Y7",
    "Y",
    "Z",
    "#",
    "U",
    "G",
    "O",
    "N",
)
_RANK = {code: rank for rank, code in enumerate(REGISTER_ORDER)}


@dataclass(frozen=True, slots=True)
class MarkRow:
    """One session of one pupil as the file gives it.

    `code` is the statutory code, or None for a blank session (no mark);
    `source_code` is the mark exactly as written in the file.
    """

    line: int
    pupil: str
    date: dt.date
    session: str
    code: str | None
    source_code: str
    minutes_late: int | None = None

    @property
    def key(self) -> tuple[str, dt.date, str]:
        return (self.pupil, self.date, self.session)

    def same_mark(self, other: MarkRow) -> bool:
        return (self.code, self.source_code, self.minutes_late) == (
            other.code,
            other.source_code,
            other.minutes_late,
        )

    def describe(self) -> str:
        return repr(self.source_code) if self.code is not None else "blank"


@dataclass(frozen=True)
class RegisterFile:
    """The marks and blanks of a register file, one per pupil-session.

    Both are empty when the file could not be read at all; check the
    report for errors before using them. `first_date` and `last_date` span
    every session the file names, blanks included (None when none does).
    """

    marks: tuple[MarkRow, ...]
    blanks: tuple[MarkRow, ...]
    first_date: dt.date | None = None
    last_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RegisterLayout:
    """Where a register layout keeps each value, and how it writes dates.

    `code_table` maps the source's local codes to statutory codes; a code
    that is in neither is an error. A named source also says how its file
    is read (`reading`), what its sessions are called (`session_names`:
    the file's name -> AM or PM), whether it keeps `several_registers` per
    session, and how to check its pupil references (`check_pupil` returns
    what is wrong with one, or None). Without `quote_pupil` (references
    that are UPNs, personal data) reports say "the pupil" and name the
    line instead of repeating the reference.
    """

    layout: Layout
    pupil: str
    date: str
    session: str
    mark: str
    parse_date: Callable[[str], dt.date]
    minutes_late: str | None = None
    code_table: Mapping[str, str] | None = None
    reading: Reading = PLAIN
    session_names: Mapping[str, str] | None = None
    several_registers: bool = False
    source_name: str | None = None
    check_pupil: Callable[[str], str | None] | None = None
    quote_pupil: bool = True

    def who(self, pupil: str) -> str:
        """Return how a report names the pupil `pupil` ("pupil 4001")."""
        return f"pupil {pupil}" if self.quote_pupil else "the pupil"


@lru_cache(maxsize=65536)
def _classified(code: str, day: dt.date) -> str | None:
    """Return why `code` is invalid on `day`, or None when it is valid."""
    try:
        classify(code, day)
    except CodeError as problem:
        # classify speaks of "code 'H' ..."; the report already names the field.
        return str(problem).removeprefix("code ")
    return None


@lru_cache(maxsize=4096)
def _unsupported(day: dt.date) -> str | None:
    try:
        code_set_for(day)
    except CodeError as problem:
        return f"the session of {day:%d/%m/%Y} is too early: {problem}"
    return None


def read_register(
    data: bytes,
    spec: RegisterLayout,
    report: ReportBuilder,
    progress: Progress | None = None,
) -> RegisterFile:
    """Return the marks and blanks of `data`, reporting every problem.

    The returned rows hold no error; a row with one is reported and left
    out. Counts go to the report: `marks`, `blank`, `duplicates folded`.
    """
    table = read_table(data, spec.layout, report, progress, spec.reading)
    if table is None:
        return RegisterFile((), ())
    index = table.index
    at_pupil, at_date = index[spec.pupil], index[spec.date]
    at_session, at_mark = index[spec.session], index[spec.mark]
    at_minutes = index.get(spec.minutes_late) if spec.minutes_late else None
    seen: dict[tuple[str, dt.date, str], MarkRow] = {}
    pupils: dict[str, str] = {}
    pupil_problems: dict[str, str | None] = {}

    for line, values in table.rows():
        # One string per pupil id, however many rows name it.
        pupil = pupils.setdefault(values[at_pupil], values[at_pupil])
        if spec.check_pupil is not None and pupil:
            if pupil not in pupil_problems:
                pupil_problems[pupil] = spec.check_pupil(pupil)
            problem = pupil_problems[pupil]
            if problem is not None:
                shown = pupil if spec.quote_pupil else None
                report.error(line, spec.pupil, shown, problem)
                continue
        row = _mark_row(
            spec,
            report,
            line,
            pupil=pupil,
            day_text=values[at_date],
            session=values[at_session],
            mark=values[at_mark],
            minutes_text=values[at_minutes] if at_minutes is not None else "",
        )
        if row is None:
            continue
        earlier = seen.get(row.key)
        if earlier is None:
            seen[row.key] = row
        elif earlier.same_mark(row):
            report.count("duplicates folded")
            report.warn(
                WarningKind.DUPLICATE,
                line,
                None,
                None,
                f"repeats line {earlier.line} ({spec.who(pupil)}, "
                f"{describe_day(row.date)} {row.session}); read once",
            )
        elif spec.several_registers and earlier.code and row.code:
            kept, other = _better(earlier, row)
            seen[row.key] = kept
            report.count("registers resolved")
            report.warn(
                WarningKind.REGISTERS_RESOLVED,
                line,
                spec.mark,
                row.source_code,
                f"{spec.who(pupil)} has {earlier.describe()} on line {earlier.line} "
                f"and {row.describe()} on line {line} for "
                f"{describe_day(row.date)} {row.session} (several registers): "
                f"{kept.describe()} stands by the register order, "
                f"{other.describe()} is not stored",
            )
        elif spec.several_registers and row.code is None:
            continue  # a register left blank says nothing against a mark
        elif spec.several_registers and earlier.code is None:
            seen[row.key] = row
        else:
            report.error(
                line,
                spec.mark,
                row.source_code,
                f"{spec.who(pupil)} has two different marks for "
                f"{describe_day(row.date)} {row.session}: {earlier.describe()} "
                f"on line {earlier.line} and {row.describe()} on line {line}",
            )

    marks = tuple(row for row in seen.values() if row.code is not None)
    blanks = tuple(row for row in seen.values() if row.code is None)
    report.count("marks", len(marks))
    report.count("blank", len(blanks))
    for row in blanks:
        report.warn(
            WarningKind.BLANK,
            row.line,
            spec.mark,
            row.source_code,
            f"no mark for {spec.who(row.pupil)} on {describe_day(row.date)} "
            f"{row.session}: not a mark; counted as missing",
        )
    days = {key[1] for key in seen}
    return RegisterFile(
        marks,
        blanks,
        first_date=min(days) if days else None,
        last_date=max(days) if days else None,
    )


def _better(first: MarkRow, second: MarkRow) -> tuple[MarkRow, MarkRow]:
    """Return (the mark that stands, the other) by REGISTER_ORDER.

    Two rows with the same code (minutes late or the local mark differ)
    keep the earlier row.
    """
    last = len(REGISTER_ORDER)
    if _RANK.get(second.code or "", last) < _RANK.get(first.code or "", last):
        return second, first
    return first, second


def _mark_row(
    spec: RegisterLayout,
    report: ReportBuilder,
    line: int,
    *,
    pupil: str,
    day_text: str,
    session: str,
    mark: str,
    minutes_text: str,
) -> MarkRow | None:
    """Return the row's mark, or None after reporting each of its errors."""
    errors = report.error_count
    if not pupil:
        report.error(line, spec.pupil, pupil, "the pupil is missing")
    if spec.session_names is not None:
        named = spec.session_names.get(session)
        if named is None:
            known = ", ".join(map(repr, spec.session_names))
            report.error(
                line,
                spec.session,
                session,
                f"{session!r} is not a session of this source ({known})",
            )
        session = named or session
    elif session not in SESSIONS:
        report.error(line, spec.session, session, f"{session!r} is not AM or PM")
    day: dt.date | None = None
    try:
        day = spec.parse_date(day_text)
    except ValueProblem as problem:
        report.error(line, spec.date, day_text, str(problem))

    code: str | None = None
    if day is not None:
        code = _code(spec, report, line, mark, day)
    minutes = _minutes(spec, report, line, minutes_text, mark, code)
    if report.error_count > errors or day is None:
        return None
    return MarkRow(line, pupil, day, session, code, mark, minutes)


def _code(
    spec: RegisterLayout, report: ReportBuilder, line: int, mark: str, day: dt.date
) -> str | None:
    """Return the statutory code of `mark` on `day` (None for a blank)."""
    too_early = _unsupported(day)
    if too_early is not None:
        report.error(line, spec.date, f"{day:%d/%m/%Y}", too_early)
        return None
    if mark in PLACEHOLDERS:
        return None
    code = mark
    if spec.code_table is not None:
        code = spec.code_table.get(mark, mark)
    if code == mark and spec.source_name is not None and mark not in ALL_CODES:
        shown = mark if len(mark) <= 20 else mark[:20] + "..."
        report.error(
            line,
            spec.mark,
            shown,
            f"{quoted(shown)} is not in the code table of the source "
            f"{spec.source_name!r} and is not a DfE register code: add it to "
            "the source's code table with the statutory code it stands for",
        )
        return None
    problem = _classified(code, day)
    if problem is not None:
        if code != mark:
            problem = f"{quoted(mark)} stands for {problem}"
        report.error(line, spec.mark, mark, problem)
        return None
    if len(mark) > MAX_SOURCE_CODE:
        report.error(
            line, spec.mark, mark, f"a mark is at most {MAX_SOURCE_CODE} characters"
        )
        return None
    return code


def _minutes(
    spec: RegisterLayout,
    report: ReportBuilder,
    line: int,
    text: str,
    mark: str,
    code: str | None,
) -> int | None:
    if not text:
        return None
    field = spec.minutes_late
    if mark in PLACEHOLDERS:
        report.error(line, field, text, "minutes late are given but there is no mark")
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_MINUTES_LATE:
        report.error(
            line,
            field,
            text,
            f"{text!r} is not a number of minutes from 0 to {MAX_MINUTES_LATE}",
        )
        return None
    if code is not None and code not in LATE_CODES:
        report.error(
            line,
            field,
            text,
            f"minutes late are only for L or U marks, not {quoted(code)}",
        )
        return None
    return int(text)
