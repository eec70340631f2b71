"""Worklists, figures and case histories as tables to export (attendwise.export).

Each function returns an export.Table; the `export` command writes them
to CSV or Excel, and a web page can offer the same tables for download.
"""

from __future__ import annotations

import datetime as dt

from attendwise.core.calendar import academic_year_of
from attendwise.core.figures import percent_of
from attendwise.export import Cell, Table
from attendwise.web.cases.models import Event
from attendwise.web.cases.services import SchoolRules, read_register
from attendwise.web.cases.worklist import worklist
from attendwise.web.register.models import Pupil, School


def worklist_table(school: School, as_of: dt.date) -> Table:
    """Return the open worklist items of `school`, most urgent first.

    Items for the safeguarding lead only are left out.
    """
    rows: list[tuple[Cell, ...]] = []
    for item in worklist(school, as_of):
        task, pupil = item.task, item.task.pupil
        rows.append(
            (
                task.pk,
                item.group,
                task.due_on,
                item.stage or None,
                pupil.mis_id,
                pupil.legal_forename,
                pupil.legal_surname,
                pupil.year_group,
                task.title,
                task.role,
                item.figure,
            )
        )
    return Table(
        "Worklist",
        (
            "Item",
            "Group",
            "Due",
            "Stage",
            "MIS id",
            "Forename",
            "Surname",
            "Year",
            "What",
            "Role",
            "Attendance %",
        ),
        tuple(rows),
    )


def figures_table(school: School, as_of: dt.date) -> Table:
    """Return each pupil's statutory figures for the year up to `as_of`.

    Pupils with no possible session have no percentage (not 0, not 100);
    PA and SA compare exact counts (absence * 10 >= possible).
    """
    rules = SchoolRules.of(school)
    register = read_register(rules, as_of)
    first = rules.calendar.first_school_day(academic_year_of(as_of))
    rows: list[tuple[Cell, ...]] = []
    for pupil in sorted(register.pupils.values(), key=lambda p: p.mis_id):
        figures = register.days[pupil.pk].figures.window(first, as_of)
        absent, possible = figures.absent, figures.possible
        rows.append(
            (
                pupil.mis_id,
                pupil.legal_forename,
                pupil.legal_surname,
                pupil.year_group,
                pupil.reg_group,
                possible,
                figures.attended,
                figures.authorised,
                figures.unauthorised,
                figures.missing,
                percent_of(figures.attended, possible),
                _yes_no(possible > 0 and absent * 10 >= possible),
                _yes_no(possible > 0 and absent * 2 >= possible),
            )
        )
    return Table(
        "Figures",
        (
            "MIS id",
            "Forename",
            "Surname",
            "Year",
            "Reg group",
            "Possible",
            "Attended",
            "Authorised",
            "Unauthorised",
            "Missing",
            "Attendance %",
            "PA",
            "SA",
        ),
        tuple(rows),
    )


def _yes_no(value: bool) -> str:
    return "Y" if value else "N"


def case_history_table(
    school: School, pupil: Pupil | None = None, *, safeguarding: bool = False
) -> Table:
    """Return the timeline of every case of `school` (or of one pupil).

    Stage 4 (safeguarding) events are left out unless `safeguarding`.
    """
    events = Event.objects.filter(school=school).select_related("pupil", "actor")
    if pupil is not None:
        events = events.filter(pupil=pupil)
    if not safeguarding:
        events = events.filter(safeguarding=False)
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            event.school_day,
            event.pupil.mis_id,
            event.pupil.legal_forename,
            event.pupil.legal_surname,
            event.kind,
            event.actor.username if event.actor else "daily run",
            event.summary,
        )
        for event in events.order_by("pupil__mis_id", "school_day", "recorded_at", "id")
    )
    return Table(
        "Case history",
        ("Day", "MIS id", "Forename", "Surname", "What", "Who", "Summary"),
        rows,
    )
