"""Small factories for import tests: CSV files as bytes, and calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from attendwise.sources.sims import CONTACTS_LAYOUT, PUPILS_LAYOUT, SESSIONS_LAYOUT

#: The day the import tests import pupils on (import_pupils' `on`): a date
#: of birth after it is an error, and ages are reckoned on it.
IMPORT_DAY = dt.date(2025, 12, 11)

#: The handbook's years before the reference calendar: 2023/24 (E9's July
#: date) and 2024/25 (E6, E7, E9, E11), with England's bank holidays.
CALENDAR_2023_2025 = """\
name = "Test calendar 2023/24 and 2024/25"

[[term]]
name = "Summer 2024"
first_day = 2024-04-15
last_day = 2024-07-19

[[term]]
name = "Autumn 2024"
first_day = 2024-09-04
last_day = 2024-12-20

[[term]]
name = "Spring 2025"
first_day = 2025-01-06
last_day = 2025-04-04

[[closed]]
first_day = 2024-10-28
last_day = 2024-11-01
kind = "holiday"
reason = "Autumn half term"

[[closed]]
first_day = 2025-02-17
last_day = 2025-02-21
kind = "holiday"
reason = "Spring half term"
"""


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Return a UTF-8 CSV file with `header` and `rows` (no quoting needed)."""
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sessions_csv(*rows: tuple[str, str, str, str]) -> bytes:
    """Return a SIMS sessions.csv of (date, mark, session, student id) rows."""
    header = [column.name for column in SESSIONS_LAYOUT.columns]
    return csv_bytes(
        header,
        (
            (day, str(900000 + n), mark, session, pupil)
            for n, (day, mark, session, pupil) in enumerate(rows)
        ),
    )


def canonical_csv(*rows: Sequence[str], minutes: bool = False) -> bytes:
    """Return a canonical register file of (pupil, date, session, mark) rows."""
    header = ["pupil", "date", "session", "mark"] + (
        ["minutes_late"] if minutes else []
    )
    return csv_bytes(header, rows)


def pupil_row(
    student_id: str = "4001",
    *,
    upn: str = "",
    surname: str = "Example",
    forename: str = "Pat",
    gender: str = "F",
    born: str = "09/06/2014",
    year: str = "Year 7",
    reg_group: str = "7A",
    fsm: str = "N",
    sen: str = "N",
    entry: str = "03/09/2025",
    leaving: str = "",
) -> list[str]:
    return [
        student_id,
        upn,
        surname,
        forename,
        gender,
        born,
        year,
        reg_group,
        fsm,
        sen,
        entry,
        leaving,
    ]


def pupils_csv(*rows: Sequence[str], enrolment: bool = False) -> bytes:
    """Return a SIMS pupils.csv; each row from pupil_row().

    With `enrolment`, the optional Enrolment Status column comes last and
    each row gives its value as a 13th field.
    """
    header = [column.name for column in PUPILS_LAYOUT.columns if column.required]
    return csv_bytes(header + (["Enrolment Status"] if enrolment else []), rows)


def contact_row(
    student_id: str = "4001",
    priority: str = "1",
    *,
    relationship: str = "Mother",
    responsibility: str = "Y",
    title: str = "Mrs",
    forename: str = "Clare",
    surname: str = "Example",
    lives_with: str = "Y",
    address: str = "1 High Street",
    town: str = "Oakfield",
    postcode: str = "OK1 1AA",
    mobile: str = "07700900001",
    email: str = "clare@example.org",
) -> list[str]:
    return [
        student_id,
        priority,
        relationship,
        responsibility,
        title,
        forename,
        surname,
        lives_with,
        address,
        town,
        postcode,
        mobile,
        email,
    ]


def contacts_csv(*rows: Sequence[str]) -> bytes:
    """Return a SIMS contacts.csv; each row from contact_row()."""
    return csv_bytes([column.name for column in CONTACTS_LAYOUT.columns], rows)


def uk(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def week_of_marks(
    pupil: str, monday: dt.date, days: int = 5, *, am: str = "/", pm: str = "\\"
) -> list[tuple[str, str, str, str]]:
    """Return SIMS rows for `days` days from `monday`, present by default."""
    rows = []
    for offset in range(days):
        day = uk(monday + dt.timedelta(days=offset))
        rows += [(day, am, "AM", pupil), (day, pm, "PM", pupil)]
    return rows
