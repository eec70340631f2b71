"""The canonical register CSV: Attendwise's own documented layout.

    pupil,date,session,mark[,minutes_late]
    4001,2025-09-03,AM,/

Documented, with every rule, in docs/import-formats.md.
"""

from __future__ import annotations

from attendwise.sources.base import (
    Column,
    Layout,
    Progress,
    ReportBuilder,
    parse_iso_date,
)
from attendwise.sources.register import RegisterFile, RegisterLayout, read_register

LAYOUT = Layout(
    name="canonical register",
    columns=(
        Column("pupil", "The pupil's MIS id, as in the pupils file (Student ID)."),
        Column("date", "The date of the session, YYYY-MM-DD."),
        Column("session", "AM or PM."),
        Column(
            "mark",
            "The statutory code in force on that date; blank or '-' for no mark.",
        ),
        Column(
            "minutes_late",
            "Minutes after the start of the session, for L and U marks only.",
            required=False,
        ),
    ),
)

REGISTER = RegisterLayout(
    layout=LAYOUT,
    pupil="pupil",
    date="date",
    session="session",
    mark="mark",
    parse_date=parse_iso_date,
    minutes_late="minutes_late",
)


def read_marks(
    data: bytes, report: ReportBuilder, progress: Progress | None = None
) -> RegisterFile:
    """Return the marks and blanks of a canonical register file.

    Every problem goes to `report`; see register.read_register.
    """
    return read_register(data, REGISTER, report, progress)
