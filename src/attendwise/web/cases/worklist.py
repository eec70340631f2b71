"""The worklist: open items grouped by when they are due, most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from attendwise.core.calendar import SchoolCalendar, week_start
from attendwise.core.figures import percent_of
from attendwise.web.cases.models import Task
from attendwise.web.register.models import School

GROUPS = ("Overdue", "Due today", "Due this week", "Later")

#: Worklist filters by type (the web page and the command share them).
TYPES: dict[str, tuple[str, ...]] = {
    "first-day calls": ("first-day call", "register not taken"),
    "letters": ("step",),
    "checks": ("check",),
    "meetings": ("meeting",),
    "decisions": ("decision", "escalation", "re-entry", "carry over", "illness"),
    "referrals": ("notify la", "penalty notice"),
    "register": ("register",),
}


@dataclass(frozen=True)
class Item:
    task: Task
    group: str
    stage: int
    figure: Decimal | None

    @property
    def sort_key(self) -> tuple[int, int, Decimal, str, int]:
        return (
            GROUPS.index(self.group),
            -self.stage,
            self.figure if self.figure is not None else Decimal(101),
            self.task.pupil.legal_surname,
            self.task.pk,
        )


def _group(due: dt.date, as_of: dt.date) -> str:
    if due < as_of:
        return "Overdue"
    if due == as_of:
        return "Due today"
    if week_start(due) == week_start(as_of):
        return "Due this week"
    return "Later"


def _figure(task: Task) -> Decimal | None:
    ytd = task.figures.get("ytd") if isinstance(task.figures, dict) else None
    if not ytd:
        return None
    return percent_of(int(ytd.get("i_attended", 0)), int(ytd.get("i_possible", 0)))


def worklist(
    school: School,
    as_of: dt.date,
    *,
    calendar: SchoolCalendar | None = None,
    kind: str | None = None,
    year_group: int | None = None,
    role: str | None = None,
    safeguarding: bool = False,
) -> list[Item]:
    """Return the open items of `school`, most urgent first.

    Ordered by group (Overdue, Due today, this week, later), then Stage 3,
    2, 1, then the lowest attendance figure. Items for the safeguarding
    lead only are left out unless `safeguarding`.
    """
    tasks = Task.objects.filter(
        school=school, status=Task.Status.PROPOSED
    ).select_related("pupil", "case")
    if kind:
        tasks = tasks.filter(kind__in=TYPES.get(kind, (kind,)))
    if year_group is not None:
        tasks = tasks.filter(pupil__year_group=year_group)
    if role:
        tasks = tasks.filter(role=role)
    if not safeguarding:
        tasks = tasks.filter(safeguarding=False)
    items = [
        Item(
            task,
            _group(task.due_on, as_of),
            task.case.stage if task.case is not None else 0,
            _figure(task),
        )
        for task in tasks
    ]
    return sorted(items, key=lambda item: item.sort_key)
