"""Writing the demo school in the layout of a SIMS export (as Oakfield's).

Three CSV files, UTF-8, CRLF line ends, a header row: `pupils.csv`,
`contacts.csv` and `sessions.csv`. Dates are DD/MM/YYYY, flags Y/N, the
year is `Year 7`, SEN status N/K/E, sessions AM/PM. `ID` in
`sessions.csv` is the MIS's record id: SESSION_ID_START onwards, in file
order.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from attendwise.demo.school import DemoContact, DemoMark, DemoPupil, DemoSchool

PUPIL_HEADER = (
    "Student ID", "UPN", "Legal Surname", "Legal Forename", "Gender",
    "Date of Birth", "Year", "Reg Group", "FSM", "SEN Status", "Entry Date",
    "Leaving Date",
)  # fmt: skip

CONTACT_HEADER = (
    "Student ID", "Priority", "Relationship", "Parental Responsibility",
    "Title", "Forename", "Surname", "Lives With Pupil", "Address Line 1",
    "Town", "Postcode", "Mobile", "Email",
)  # fmt: skip

SESSION_HEADER = ("Date", "ID", "Mark", "Session Name", "Student ID")

SESSION_ID_START = 500000


def _date(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def pupil_row(pupil: DemoPupil) -> list[str]:
    return [
        str(pupil.student_id),
        pupil.upn,
        pupil.surname,
        pupil.forename,
        pupil.gender,
        _date(pupil.date_of_birth),
        f"Year {pupil.year}",
        pupil.reg_group,
        _flag(pupil.fsm),
        pupil.sen,
        _date(pupil.entry_date),
        _date(pupil.leaving_date),
    ]


def contact_row(contact: DemoContact) -> list[str]:
    return [
        str(contact.student_id),
        str(contact.priority),
        contact.relationship,
        _flag(contact.parental_responsibility),
        contact.title,
        contact.forename,
        contact.surname,
        _flag(contact.lives_with_pupil),
        contact.address_line_1,
        contact.town,
        contact.postcode,
        contact.mobile,
        contact.email,
    ]


def session_rows(marks: Iterable[DemoMark]) -> Iterable[list[str]]:
    for record_id, mark in enumerate(marks, start=SESSION_ID_START):
        yield [
            _date(mark.day),
            str(record_id),
            mark.code,
            mark.session,
            str(mark.student_id),
        ]


def _write(path: Path, header: Sequence[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_sims_export(school: DemoSchool, directory: Path) -> dict[str, Path]:
    """Return the paths of the three files written into `directory`.

    Keys are `pupils`, `contacts` and `sessions`. The directory is created
    if needed; files already there are replaced.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "pupils": directory / "pupils.csv",
        "contacts": directory / "contacts.csv",
        "sessions": directory / "sessions.csv",
    }
    _write(paths["pupils"], PUPIL_HEADER, map(pupil_row, school.pupils))
    _write(paths["contacts"], CONTACT_HEADER, map(contact_row, school.contacts))
    _write(paths["sessions"], SESSION_HEADER, session_rows(school.marks))
    return paths
