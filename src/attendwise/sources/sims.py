"""The SIMS export layout: sessions.csv, pupils.csv and contacts.csv.

The layout the Oakfield sample uses (a SIMS session-attendance sync and
its student and contact lists). Dates are DD/MM/YYYY, yes/no fields are
Y or N. Documented in docs/import-formats.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TypeVar

from attendwise.sources.base import (
    Column,
    Layout,
    Progress,
    ReportBuilder,
    ValueProblem,
    WarningKind,
    check_length,
    parse_uk_date,
    parse_yes_no,
    read_table,
)
from attendwise.sources.register import RegisterFile, RegisterLayout, read_register
from attendwise.sources.upns import upn_problem

T = TypeVar("T")

#: SIMS writes the statutory codes themselves; a school whose SIMS uses
#: local codes adds them here (local code -> statutory code).
SIMS_CODES: Mapping[str, str] = {}

#: Longest values the database holds (web/register/models.py; a test
#: keeps the two in step).
LENGTHS: Mapping[str, int] = {
    "mis_id": 40,
    "upn": 13,
    "legal_surname": 100,
    "legal_forename": 100,
    "reg_group": 20,
    "relationship": 40,
    "title": 20,
    "forename": 100,
    "surname": 100,
    "address_line_1": 200,
    "town": 100,
    "postcode": 10,
    "mobile": 40,
    "email": 200,
}

#: The columns whose values are personal data: a report says what is wrong
#: with one without repeating it (docs/import-formats.md, "Personal data
#: in reports"). Codes (Gender, FSM, SEN Status, Year, Reg Group), the
#: Student ID and the roll dates are quoted, to help staff find the row.
PERSONAL_COLUMNS = frozenset(
    {
        "UPN",
        "Legal Surname",
        "Legal Forename",
        "Date of Birth",
        "Relationship",
        "Title",
        "Forename",
        "Surname",
        "Address Line 1",
        "Town",
        "Postcode",
        "Mobile",
        "Email",
    }
)

#: Ages outside these (in whole years: at entry, and on the last day on
#: roll) are stored but reported: a school may have a nursery pupil of 2
#: and, in a special school's sixth form, a pupil of 25 (an EHC plan can
#: run to 25). A date of birth in the future, or after the entry date, is
#: an error.
YOUNGEST_AGE = 2
OLDEST_AGE = 25

GENDERS = ("M", "F", "U", "X")
ENROLMENT_STATUSES = ("C", "M", "S", "G")
SEN_STATUSES = ("N", "K", "E")
#: Year groups run from Reception (0) to Year 14.
YEAR_GROUPS = range(15)
MAX_PRIORITY = 99

SESSIONS_LAYOUT = Layout(
    name="SIMS sessions",
    columns=(
        Column("Date", "The date of the session, DD/MM/YYYY."),
        Column("ID", "The MIS's own record id (checked for presence, not used)."),
        Column("Mark", "The statutory code; blank or '-' for no mark."),
        Column("Session Name", "AM or PM."),
        Column("Student ID", "The pupil's MIS id, as in pupils.csv."),
    ),
)

SESSIONS = RegisterLayout(
    layout=SESSIONS_LAYOUT,
    pupil="Student ID",
    date="Date",
    session="Session Name",
    mark="Mark",
    parse_date=parse_uk_date,
    code_table=SIMS_CODES,
)

PUPILS_LAYOUT = Layout(
    name="SIMS pupils",
    columns=(
        Column("Student ID", "The pupil's MIS id: other files name pupils by it."),
        Column("UPN", "Unique pupil number, 13 characters with its check letter."),
        Column("Legal Surname", "Required."),
        Column("Legal Forename", "Required."),
        Column("Gender", "M, F, U or X; may be blank."),
        Column("Date of Birth", "DD/MM/YYYY; may be blank."),
        Column("Year", "'Year 7' (or 7); 'Reception' or 'Year R' is 0; may be blank."),
        Column("Reg Group", "Registration group, such as 7A."),
        Column("FSM", "Free school meals: Y or N."),
        Column("SEN Status", "N none, K SEN support, E EHC plan."),
        Column("Entry Date", "First day on roll, DD/MM/YYYY. Required."),
        Column("Leaving Date", "Last day on roll, DD/MM/YYYY; blank while on roll."),
        Column(
            "Enrolment Status",
            "C single registration, M dual (main), S dual (subsidiary), G guest; "
            "may be blank. Optional column.",
            required=False,
        ),
    ),
)

CONTACTS_LAYOUT = Layout(
    name="SIMS contacts",
    columns=(
        Column("Student ID", "The pupil's MIS id, as in pupils.csv."),
        Column("Priority", "1 for the first contact, 2 for the next, ..."),
        Column("Relationship", "Mother, Father, Carer, ..."),
        Column("Parental Responsibility", "Y or N."),
        Column("Title", "Mr, Mrs, Ms, Dr, ...; may be blank."),
        Column("Forename", "Required."),
        Column("Surname", "Required."),
        Column("Lives With Pupil", "Y or N."),
        Column("Address Line 1", "May be blank."),
        Column("Town", "May be blank."),
        Column("Postcode", "May be blank."),
        Column("Mobile", "May be blank."),
        Column("Email", "May be blank."),
    ),
)


@dataclass(frozen=True, slots=True)
class PupilRow:
    """One pupil of pupils.csv; `line` is left out of comparisons."""

    line: int = field(compare=False)
    mis_id: str
    upn: str
    legal_surname: str
    legal_forename: str
    gender: str
    date_of_birth: dt.date | None
    year_group: int | None
    reg_group: str
    fsm: bool
    sen: str
    entry_date: dt.date
    leaving_date: dt.date | None
    #: None when the file has no Enrolment Status column (kept as stored).
    enrolment_status: str | None = None


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One contact of contacts.csv; `line` is left out of comparisons."""

    line: int = field(compare=False)
    pupil: str
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


#: The column each field is read from, to name it in a report.
PUPIL_COLUMNS: Mapping[str, str] = {
    "mis_id": "Student ID",
    "upn": "UPN",
    "legal_surname": "Legal Surname",
    "legal_forename": "Legal Forename",
    "gender": "Gender",
    "date_of_birth": "Date of Birth",
    "year_group": "Year",
    "reg_group": "Reg Group",
    "fsm": "FSM",
    "sen": "SEN Status",
    "entry_date": "Entry Date",
    "leaving_date": "Leaving Date",
    "enrolment_status": "Enrolment Status",
}

CONTACT_COLUMNS: Mapping[str, str] = {
    "pupil": "Student ID",
    "priority": "Priority",
    "relationship": "Relationship",
    "parental_responsibility": "Parental Responsibility",
    "title": "Title",
    "forename": "Forename",
    "surname": "Surname",
    "lives_with_pupil": "Lives With Pupil",
    "address_line_1": "Address Line 1",
    "town": "Town",
    "postcode": "Postcode",
    "mobile": "Mobile",
    "email": "Email",
}


# -- reading one row -------------------------------------------------------


class _Cells:
    """The values of one row, read column by column; each problem is reported."""

    def __init__(
        self,
        report: ReportBuilder,
        line: int,
        values: list[str],
        index: Mapping[str, int],
    ) -> None:
        self.report = report
        self.line = line
        self.values = values
        self.index = index
        self.errors_before = report.error_count

    @property
    def ok(self) -> bool:
        return self.report.error_count == self.errors_before

    def raw(self, column: str) -> str:
        return self.values[self.index[column]]

    def read(self, column: str, convert: Callable[[str], T], default: T) -> T:
        """Return the column's value converted; report it and return `default`.

        The value of a personal column (PERSONAL_COLUMNS) is neither
        quoted in the reason nor kept in the report.
        """
        text = self.raw(column)
        try:
            return convert(text)
        except ValueProblem as problem:
            if column in PERSONAL_COLUMNS:
                reason = problem.without_value(f"the {column}")
                self.report.error(self.line, column, None, reason)
            else:
                self.report.error(self.line, column, text, str(problem))
            return default

    def missing(self, column: str) -> None:
        self.report.error(self.line, column, None, f"the {column} is missing")

    def text(self, column: str, key: str, *, required: bool = False) -> str:
        text = self.raw(column)
        if required and not text:
            self.missing(column)
            return text
        return self.read(column, lambda t: check_length(t, LENGTHS[key]), text)

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        if not self.raw(column):
            if required:
                self.missing(column)
            return None
        return self.read(column, parse_uk_date, None)


def _one_of(allowed: tuple[str, ...], blank: bool = False) -> Callable[[str], str]:
    listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
    if blank:
        listed += " (or blank)"

    def convert(text: str) -> str:
        if text not in allowed and not (blank and not text):
            raise ValueProblem.about(repr(text), f"is not {listed}")
        return text

    return convert


_GENDER = _one_of(GENDERS, blank=True)
_SEN = _one_of(SEN_STATUSES)
_ENROLMENT = _one_of(ENROLMENT_STATUSES, blank=True)
_YEAR = re.compile(r"(?:Year\s*)?(\d{1,2}|R)")


def parse_year(text: str) -> int | None:
    """Return the year group of 'Year 7', '7', 'Year R' or 'Reception'.

    Returns None for a blank. Raises ValueProblem for anything else.
    """
    if not text:
        return None
    if text == "Reception":
        return 0
    match = _YEAR.fullmatch(text)
    if match is None:
        raise ValueProblem(f"{text!r} is not a year group such as 'Year 7'")
    number = 0 if match.group(1) == "R" else int(match.group(1))
    if number not in YEAR_GROUPS:
        raise ValueProblem(f"{text!r} is not a year group from Reception to Year 14")
    return number


def check_upn(text: str) -> str:
    """Return `text` when it is blank or a valid UPN.

    Spreadsheet damage, the length, the characters and the DfE check
    letter are checked (upns.upn_problem). Raises ValueProblem otherwise,
    with a reason that does not repeat the UPN (it is personal data).
    """
    if not text:
        return text
    problem = upn_problem(text)
    if problem is not None:
        raise ValueProblem(problem, quoted=False)
    return text


def _priority(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PRIORITY:
        raise ValueProblem(f"{text!r} is not a priority from 1 to {MAX_PRIORITY}")
    return int(text)


# -- the three files --------------------------------------------------------


def read_sessions(
    data: bytes, report: ReportBuilder, progress: Progress | None = None
) -> RegisterFile:
    """Return the marks and blanks of a SIMS sessions.csv.

    Every problem goes to `report`; see register.read_register.
    """
    return read_register(data, SESSIONS, report, progress)


def read_pupils(
    data: bytes,
    report: ReportBuilder,
    progress: Progress | None = None,
    *,
    on: dt.date,
) -> tuple[PupilRow, ...]:
    """Return the pupils of a SIMS pupils.csv, one per Student ID.

    `on` is the day of the import (never the clock's: the caller says).
    A repeated identical row is folded with a warning; two different rows
    for one Student ID are an error naming both lines. A leaving date
    before the entry date, a date of birth after `on` or after the entry
    date, and one UPN for two Student IDs are errors; an age outside
    YOUNGEST_AGE to OLDEST_AGE is a warning.
    """
    table = read_table(data, PUPILS_LAYOUT, report, progress)
    if table is None:
        return ()
    found: dict[str, PupilRow] = {}
    by_upn: dict[str, PupilRow] = {}
    for line, values in table.rows():
        cells = _Cells(report, line, values, table.index)
        pupil = PupilRow(
            line=line,
            mis_id=cells.text("Student ID", "mis_id", required=True),
            upn=cells.read("UPN", check_upn, ""),
            legal_surname=cells.text("Legal Surname", "legal_surname", required=True),
            legal_forename=cells.text(
                "Legal Forename", "legal_forename", required=True
            ),
            gender=cells.read("Gender", _GENDER, ""),
            date_of_birth=cells.date("Date of Birth"),
            year_group=cells.read("Year", parse_year, None),
            reg_group=cells.text("Reg Group", "reg_group"),
            fsm=cells.read("FSM", parse_yes_no, False),
            sen=cells.read("SEN Status", _SEN, "N"),
            entry_date=cells.date("Entry Date", required=True) or dt.date.min,
            leaving_date=cells.date("Leaving Date"),
            enrolment_status=(
                cells.read("Enrolment Status", _ENROLMENT, "")
                if "Enrolment Status" in table.index
                else None
            ),
        )
        # The dates are checked together whenever both were read, so a row
        # with other mistakes still has all of its errors listed.
        entry, leaving = pupil.entry_date, pupil.leaving_date
        entry_read = entry != dt.date.min
        if entry_read and leaving is not None and leaving < entry:
            report.error(
                line,
                "Leaving Date",
                cells.raw("Leaving Date"),
                f"the pupil leaves ({leaving:%d/%m/%Y}) before they join "
                f"({entry:%d/%m/%Y})",
            )
        if entry_read:
            _check_birth(pupil, on, report)
        if not cells.ok:
            continue
        what = f"pupil {pupil.mis_id}"
        _keep_once(found, pupil.mis_id, pupil, report, what, PUPIL_COLUMNS)
        if found[pupil.mis_id] is not pupil:
            continue  # folded, or in conflict with an earlier row
        other = by_upn.setdefault(pupil.upn, pupil) if pupil.upn else pupil
        if other is not pupil:
            report.error(
                line,
                "UPN",
                None,
                f"the UPN is also pupil {other.mis_id}'s, on line {other.line}: "
                "a UPN belongs to one child, so one of the two is wrong; "
                "correct it in the MIS",
            )
            del found[pupil.mis_id]
            continue
        _check_age(pupil, on, report)
    report.count("pupils", len(found))
    return tuple(found.values())


def age_on(born: dt.date, day: dt.date) -> int:
    """Return the age in whole years on `day` of someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check_birth(pupil: PupilRow, on: dt.date, report: ReportBuilder) -> None:
    """Report a date of birth after the day of the import or the entry date.

    The reason never repeats the date of birth (it is personal data).
    """
    born, entry = pupil.date_of_birth, pupil.entry_date
    if born is None:
        return
    if born > on:
        report.error(
            pupil.line,
            "Date of Birth",
            None,
            f"the Date of Birth is in the future (after {on:%d/%m/%Y}, the day "
            "of this import): correct it in the MIS",
        )
    elif born > entry:
        report.error(
            pupil.line,
            "Date of Birth",
            None,
            f"the Date of Birth is after the Entry Date ({entry:%d/%m/%Y}): a "
            "pupil cannot join before they are born; correct one of them in "
            "the MIS",
        )


def _check_age(pupil: PupilRow, on: dt.date, report: ReportBuilder) -> None:
    """Warn when the pupil's age is outside YOUNGEST_AGE to OLDEST_AGE.

    The age at entry is checked against the youngest age, and the age on
    the pupil's last day on roll so far (the leaving date, or `on`) against
    the oldest. The warning names neither the date of birth nor the age.
    """
    born = pupil.date_of_birth
    if born is None:
        return
    entry = pupil.entry_date
    last = max(entry, min(pupil.leaving_date or on, on))
    if age_on(born, entry) < YOUNGEST_AGE:
        report.warn(
            WarningKind.UNUSUAL_AGE,
            pupil.line,
            "Date of Birth",
            None,
            f"pupil {pupil.mis_id} was under {YOUNGEST_AGE} when they joined on "
            f"{entry:%d/%m/%Y}, by their Date of Birth: stored as given; check "
            "it in the MIS",
        )
    elif age_on(born, last) > OLDEST_AGE:
        verb = "was" if last < on else "is"
        report.warn(
            WarningKind.UNUSUAL_AGE,
            pupil.line,
            "Date of Birth",
            None,
            f"pupil {pupil.mis_id} {verb} over {OLDEST_AGE} on {last:%d/%m/%Y}, "
            "by their Date of Birth: stored as given; check it in the MIS",
        )


def read_contacts(
    data: bytes, report: ReportBuilder, progress: Progress | None = None
) -> tuple[ContactRow, ...]:
    """Return the contacts of a SIMS contacts.csv, one per pupil and priority.

    A repeated identical row is folded with a warning; two different rows
    for one pupil and priority are an error naming both lines.
    """
    table = read_table(data, CONTACTS_LAYOUT, report, progress)
    if table is None:
        return ()
    found: dict[tuple[str, int], ContactRow] = {}
    for line, values in table.rows():
        cells = _Cells(report, line, values, table.index)
        contact = ContactRow(
            line=line,
            pupil=cells.text("Student ID", "mis_id", required=True),
            priority=cells.read("Priority", _priority, 0),
            relationship=cells.text("Relationship", "relationship", required=True),
            parental_responsibility=cells.read(
                "Parental Responsibility", parse_yes_no, False
            ),
            title=cells.text("Title", "title"),
            forename=cells.text("Forename", "forename", required=True),
            surname=cells.text("Surname", "surname", required=True),
            lives_with_pupil=cells.read("Lives With Pupil", parse_yes_no, False),
            address_line_1=cells.text("Address Line 1", "address_line_1"),
            town=cells.text("Town", "town"),
            postcode=cells.text("Postcode", "postcode"),
            mobile=cells.text("Mobile", "mobile"),
            email=cells.text("Email", "email"),
        )
        if cells.ok:
            key = (contact.pupil, contact.priority)
            what = f"pupil {contact.pupil}'s contact {contact.priority}"
            _keep_once(found, key, contact, report, what, CONTACT_COLUMNS)
    report.count("contacts", len(found))
    return tuple(found.values())


K = TypeVar("K")
R = TypeVar("R", PupilRow, ContactRow)


def _keep_once(
    found: dict[K, R],
    key: K,
    row: R,
    report: ReportBuilder,
    what: str,
    columns: Mapping[str, str],
) -> None:
    """Keep `row` under `key` unless an earlier row holds it (then report)."""
    earlier = found.get(key)
    if earlier is None:
        found[key] = row
    elif earlier == row:
        report.count("duplicates folded")
        report.warn(
            WarningKind.DUPLICATE,
            row.line,
            None,
            None,
            f"repeats line {earlier.line} ({what}); read once",
        )
    else:
        differ = ", ".join(
            columns[item.name]
            for item in fields(row)
            if item.compare and getattr(row, item.name) != getattr(earlier, item.name)
        )
        report.error(
            row.line,
            None,
            None,
            f"{what} is on line {earlier.line} and again on line {row.line}, "
            f"with a different {differ}",
        )
