"""The worklist: the home page of everyone who works on cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from attendwise.web.cases.services import SchoolRules
from attendwise.web.cases.worklist import GROUPS, TYPES, Item, queued, worklist_groups
from attendwise.web.ui.access import Staff, allow, first_page, staff_of, today
from attendwise.web.ui.roles import CASEWORK, Role, may_complete


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their first page: the worklist, or the dashboard."""
    return redirect(first_page(staff_of(request)))


#: Items listed per group before "show all" (a long page helps nobody).
SHOWN = 50


def _group_id(name: str) -> str:
    return name.lower().replace(" ", "-")


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@allow(CASEWORK)
def worklist_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    rules = SchoolRules.of(staff.school)
    kind = request.GET.get("type", "")
    kind = kind if kind in TYPES else ""
    year = _int_or_none(request.GET.get("year", ""))
    role = request.GET.get("for", "")
    role = role if role in rules.policy.roles else ""
    as_of = today()
    expanded = next(
        (name for name in GROUPS if _group_id(name) == request.GET.get("all")), None
    )
    found = worklist_groups(
        staff.school,
        as_of,
        kind=kind or None,
        year_group=year,
        role=role or None,
        safeguarding=staff.safeguarding,
        shown=SHOWN,
        expanded=expanded,
    )
    queue = queued(
        staff.school,
        kind=kind or None,
        year_group=year,
        role=role or None,
        safeguarding=staff.safeguarding,
    )

    def row(item: Item) -> dict[str, Any]:
        return {
            "item": item,
            "task": item.task,
            "role_name": rules.policy.role_name(item.task.role),
            "mine": may_complete(staff.role, item.task.role, item.task.safeguarding),
            "letter": bool(item.task.payload.get("letter")),
        }

    groups: list[dict[str, Any]] = [
        {
            "name": group.name,
            "rows": [row(item) for item in group.items],
            "count": group.count,
            "id": _group_id(group.name),
        }
        for group in found
    ]
    queue_rows = [row(item) for item in queue.items]
    years = sorted(
        y
        for y in staff.school.pupils.order_by()
        .values_list("year_group", flat=True)
        .distinct()
        if y
    )
    letters = [row for group in groups for row in group["rows"] if row["letter"]]
    query = request.GET.copy()
    query.pop("all", None)
    return render(
        request,
        "ui/worklist.html",
        {
            "title": "Worklist",
            "today": as_of,
            "groups": groups,
            "total": sum(group.count for group in found),
            "types": list(TYPES),
            "kind": kind,
            "years": years,
            "year": year,
            "roles": sorted(rules.policy.roles.items()),
            "role": role,
            "bulk": kind == "letters" and any(row["mine"] for row in letters),
            "officer": staff.role is Role.OFFICER,
            "query": query.urlencode(),
            "queue": {
                "summary": queue.summary(),
                "count": len(queue),
                "rows": queue_rows
                if request.GET.get("all") == "queued"
                else queue_rows[:SHOWN],
                "limit": rules.policy.setting("daily_new_proposals_per_role"),
            },
        },
    )
