"""The worklist: open items grouped by when they are due, most urgent first.

Items the policy's daily limit holds back are kept apart (`queued`), in the
order later daily runs release them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from attendwise.core.calendar import SchoolCalendar, week_start
from attendwise.core.daily_limit import rank, stored_figure, ytd_figure
from attendwise.web.cases.models import Task
from attendwise.web.register.models import School

GROUPS = ("Overdue", "Due today", "Due this week", "Later")
#: The group of the items the daily limit holds back, kept off the worklist.
QUEUED = "Queued by the daily limit"

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
            *rank(self.stage, self.figure),
            self.task.pupil.legal_surname,
            self.task.pk,
        )

    @property
    def release_key(self) -> tuple[int, Decimal, dt.date, str, int]:
        """Return the order the daily limit releases queued items in."""
        pupil = self.task.pupil
        return (
            *rank(self.stage, self.figure),
            self.task.first_indicated_on,
            f"{pupil.legal_surname} {pupil.legal_forename}",
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
    return ytd_figure(task.figures) if isinstance(task.figures, dict) else None


def _stage(task: Task) -> int:
    return task.case.stage if task.case is not None else 0


def _tasks(
    school: School,
    status: Task.Status,
    *,
    kind: str | None,
    year_group: int | None,
    role: str | None,
    safeguarding: bool,
) -> QuerySet[Task]:
    tasks = Task.objects.filter(school=school, status=status).select_related(
        "pupil", "case"
    )
    if kind:
        tasks = tasks.filter(kind__in=TYPES.get(kind, (kind,)))
    if year_group is not None:
        tasks = tasks.filter(pupil__year_group=year_group)
    if role:
        tasks = tasks.filter(role=role)
    if not safeguarding:
        tasks = tasks.filter(safeguarding=False)
    return tasks


@dataclass(frozen=True)
class Group:
    """One group of the worklist: how many items it holds, and the first ones."""

    name: str
    count: int
    items: list[Item]


def worklist_groups(
    school: School,
    as_of: dt.date,
    *,
    kind: str | None = None,
    year_group: int | None = None,
    role: str | None = None,
    safeguarding: bool = False,
    shown: int | None = None,
    expanded: str | None = None,
) -> list[Group]:
    """Return the four groups of open items of `school`, most urgent first.

    Each group is ordered by Stage 3, 2, 1, then the lowest attendance
    figure (then surname). With `shown`, each group holds its first
    `shown` items (all of the group named `expanded`) and counts them all.
    Items for the safeguarding lead only are left out unless
    `safeguarding`; queued items are not on the worklist (see `queued`).

    Two queries, however many items: the keys that order every item
    (small values, the figure read from the JSON in the database), then
    the tasks shown, with their pupils and cases.
    """
    tasks = _tasks(
        school,
        Task.Status.PROPOSED,
        kind=kind,
        year_group=year_group,
        role=role,
        safeguarding=safeguarding,
    )
    keys = tasks.values_list(
        "pk",
        "due_on",
        "case__stage",
        KT("figures__ytd__i_attended"),
        KT("figures__ytd__i_possible"),
        "pupil__legal_surname",
    )
    ordered: list[list[tuple[int, int, Decimal, str, int, Decimal | None]]] = [
        [] for _ in GROUPS
    ]
    for pk, due, stage, attended, possible, surname in keys:
        figure = stored_figure(attended, possible)
        place = GROUPS.index(_group(due, as_of))
        ordered[place].append(
            (
                place,
                *rank(stage or 0, figure),
                surname,
                pk,
                figure,
            )
        )
    for rows in ordered:
        rows.sort(key=lambda row: row[:5])
    chosen = [
        rows if shown is None or name == expanded else rows[:shown]
        for name, rows in zip(GROUPS, ordered, strict=True)
    ]
    wanted = [row[4] for rows in chosen for row in rows]
    found = Task.objects.select_related("pupil", "case").in_bulk(wanted)
    return [
        Group(
            name,
            len(rows),
            [Item(found[row[4]], name, -row[1], row[5]) for row in shown_rows],
        )
        for name, rows, shown_rows in zip(GROUPS, ordered, chosen, strict=True)
    ]


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
    lead only are left out unless `safeguarding`; so are queued items.
    """
    groups = worklist_groups(
        school,
        as_of,
        kind=kind,
        year_group=year_group,
        role=role,
        safeguarding=safeguarding,
    )
    return [item for group in groups for item in group.items]


@dataclass(frozen=True)
class Queue:
    """The items the daily limit holds back, in the order they will go on."""

    items: list[Item]

    def __len__(self) -> int:
        return len(self.items)

    @property
    def oldest(self) -> dt.date | None:
        """Return the earliest day a queued item was first indicated."""
        return min((i.task.first_indicated_on for i in self.items), default=None)

    @property
    def by_role(self) -> dict[str, int]:
        """Return how many items are queued for each role."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.task.role] = counts.get(item.task.role, 0) + 1
        return counts

    def summary(self) -> str:
        """Return the one line staff see: 'Queued by the daily limit: 14, ...'."""
        oldest = self.oldest
        if oldest is None:
            return f"{QUEUED}: none"
        return (
            f"{QUEUED}: {len(self)}, oldest first indicated {oldest:%a} "
            f"{oldest.day} {oldest:%b}"
        )


def queued(
    school: School,
    *,
    kind: str | None = None,
    year_group: int | None = None,
    role: str | None = None,
    safeguarding: bool = False,
) -> Queue:
    """Return the items of `school` queued by the daily limit, in release order.

    The same filters as the worklist's apply.
    """
    tasks = _tasks(
        school,
        Task.Status.QUEUED,
        kind=kind,
        year_group=year_group,
        role=role,
        safeguarding=safeguarding,
    )
    items = [Item(task, QUEUED, _stage(task), _figure(task)) for task in tasks]
    return Queue(sorted(items, key=lambda item: item.release_key))
