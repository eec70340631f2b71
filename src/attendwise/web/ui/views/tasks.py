"""Completing a worklist item, and case actions taken from a pupil's page.

The form a person sees depends on the item's kind. The services own the
transaction and the compare-and-set: when two people complete the same
item at once, one succeeds and the other sees why not (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from attendwise.core.pathway import PathwayError
from attendwise.letters.errors import LetterError
from attendwise.letters.kinds import LetterKind
from attendwise.letters.merge import long_date
from attendwise.web.cases.models import Case, Letter, Task
from attendwise.web.cases.services import (
    SchoolRules,
    TaskError,
    case_action,
    complete_task,
)
from attendwise.web.register.models import Pupil
from attendwise.web.ui.access import Staff, allow, audit, refused, today
from attendwise.web.ui.forms import CaseActionForm, error_summary, form_for
from attendwise.web.ui.roles import (
    CASEWORK,
    SAFEGUARDING_ACTIONS,
    may_act_on_case,
    may_complete,
)

DOMAIN_ERRORS = (TaskError, PathwayError, LetterError)


def _task_of(staff: Staff, task_id: int) -> Task:
    tasks = Task.objects.select_related("pupil", "case", "school")
    if not staff.safeguarding:
        tasks = tasks.filter(safeguarding=False)
    return get_object_or_404(tasks, pk=task_id, school=staff.school)


def _context(
    staff: Staff, task: Task, form: forms.Form, rules: SchoolRules
) -> dict[str, Any]:
    letters = Letter.objects.filter(task=task).select_related("task").order_by("id")
    node = rules.policy.nodes.get(task.node)
    pupil = task.pupil
    return {
        "title": f"{task.title}: {pupil.legal_forename} {pupil.legal_surname}",
        "task": task,
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "mine": may_complete(staff.role, task.role, task.safeguarding),
        "role_name": rules.policy.role_name(task.role),
        "letters": [
            {
                "letter": letter,
                "title": LetterKind(letter.kind).info.title,
                "names": ", ".join(letter.addressees.get("names", [])),
                "address": letter.addressees.get("address_lines", []),
            }
            for letter in letters
        ],
        "reasons": task.payload.get("reasons") or [],
        "recommendation": task.payload.get("recommendation", ""),
        "figures": _figure_rows(task.figures),
        "panel": bool(node and node.panel),
        "form_kind": type(form).__name__,
        "open": task.status == Task.Status.PROPOSED,
        "overdue": task.status == Task.Status.PROPOSED and task.due_on < today(),
    }


def _long_date(iso: object) -> str:
    """Return an ISO date kept in a task's figures as '3 September 2025'."""
    try:
        return long_date(dt.date.fromisoformat(str(iso)))
    except ValueError:
        return str(iso)


def _figure_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    names = {
        "ytd": "This year",
        "six_week": "Six weeks",
        "penalty_window": "Ten school weeks",
    }
    for key, label in names.items():
        window = figures.get(key)
        if isinstance(window, dict) and "possible" in window:
            rows.append(
                (
                    label,
                    f"{window.get('percent', '')}: {window['attended']} of "
                    f"{window['possible']} sessions, {window['unauthorised']} "
                    f"unauthorised ({_long_date(window['first'])} to "
                    f"{_long_date(window['last'])})",
                )
            )
    check = figures.get("check")
    if isinstance(check, dict):
        rows.append(("Check", ", ".join(f"{k}: {v}" for k, v in check.items())[:400]))
    return rows


@allow(CASEWORK, methods=("GET", "POST"))
def task_page(request: HttpRequest, staff: Staff, task_id: int) -> HttpResponse:
    task = _task_of(staff, task_id)
    rules = SchoolRules.of(staff.school)
    node = rules.policy.nodes.get(task.node)
    panel = bool(node and node.panel)
    if request.method != "POST":
        form = form_for(task, panel)
        form.initial["version"] = task.version
        audit(
            staff,
            request,
            "task.viewed",
            f"Viewed {task.title}",
            task.pupil_id,
            safeguarding=task.safeguarding,
        )
        return render(request, "ui/task.html", _context(staff, task, form, rules))

    if not may_complete(staff.role, task.role, task.safeguarding):
        return refused(request, staff)
    if _done_by(task, staff):
        return _already_done(request, staff, task, rules, panel)
    form = form_for(task, panel, request.POST)
    if not form.is_valid():
        context = _context(staff, task, form, rules)
        return render(request, "ui/task.html", context, status=400)
    if form.cleaned_data["version"] != task.version:
        form.add_error(None, "Someone else has changed this item: it is shown as now.")
        return render(
            request, "ui/task.html", _context(staff, task, form, rules), status=409
        )
    values = form.action()  # type: ignore[attr-defined]
    try:
        done = complete_task(task, on=today(), user=staff.user, **values)
    except DOMAIN_ERRORS as error:
        task.refresh_from_db()
        if _done_by(task, staff):  # the same person's other click got there first
            return _already_done(request, staff, task, rules, panel)
        form.add_error(None, str(error)[:1].upper() + str(error)[1:])
        return render(
            request, "ui/task.html", _context(staff, task, form, rules), status=409
        )
    audit(
        staff,
        request,
        "task.completed",
        f"{done.title}: {done.get_status_display().lower()}",
        task.pupil_id,
        safeguarding=task.safeguarding,
    )
    messages.success(request, f"{done.title}: {done.get_status_display().lower()}.")
    return redirect("ui:pupil", task.pupil_id)


def _done_by(task: Task, staff: Staff) -> bool:
    """Return whether `staff` themselves completed `task` (confirmed or dismissed).

    Their second click, or the form sent again from the back button, is
    then no conflict: it is told so rather than refused as a change by
    someone else.
    """
    return (
        task.status in (Task.Status.CONFIRMED, Task.Status.DISMISSED)
        and task.decided_by_id == staff.user.pk
    )


def _already_done(
    request: HttpRequest, staff: Staff, task: Task, rules: SchoolRules, panel: bool
) -> HttpResponse:
    """Return the item's page saying this person already completed it, and when."""
    context = _context(staff, task, form_for(task, panel), rules)
    when = timezone.localtime(task.decided_at) if task.decided_at else None
    context["already"] = {
        "time": f"{when:%H:%M}" if when else "",
        "day": long_date(when.date()) if when else "",
        "today": when is not None and when.date() == timezone.localdate(),
        "status": task.get_status_display().lower(),
    }
    return render(request, "ui/task.html", context)


CASE_ACTION_TITLES = {
    "record concern": "Record a safeguarding concern",
    "end stage 4": "End Stage 4",
    "escalate": "Escalate by hand",
    "la took over": "The Local Authority took the case over",
    "la closed": "The Local Authority closed the case",
}


@allow(CASEWORK, methods=("GET", "POST"))
def case_action_page(request: HttpRequest, staff: Staff, pupil_id: int) -> HttpResponse:
    pupil = get_object_or_404(Pupil, pk=pupil_id, school=staff.school)
    case = (
        Case.objects.filter(pupil=pupil)
        .exclude(status=Case.Status.CLOSED)
        .order_by("-academic_year")
        .first()
    )
    action = str(request.POST.get("action") or request.GET.get("action") or "")
    if action not in CASE_ACTION_TITLES or case is None:
        return render(
            request,
            "ui/refused.html",
            {"title": "There is no such action for this pupil", "staff": staff},
            status=404,
        )
    on_hold = bool(case.state.get("stage4_since"))
    if not may_act_on_case(staff.role, action, on_hold):
        return refused(request, staff)
    data = request.POST if request.method == "POST" else None
    form = CaseActionForm(data, initial={"version": case.version, "action": action})
    context: dict[str, Any] = {
        "title": f"{CASE_ACTION_TITLES[action]}: {pupil}",
        "heading": CASE_ACTION_TITLES[action],
        "pupil": pupil,
        "action": action,
        "form": form,
        "errors": [],
    }
    if request.method != "POST":
        return render(request, "ui/case_action.html", context)
    if not form.is_valid():
        context["errors"] = error_summary(form)
        return render(request, "ui/case_action.html", context, status=400)
    try:
        case_action(
            case,
            action,
            today(),
            staff.user,
            form.cleaned_data["reason"],
            stage=form.cleaned_data.get("stage") or 0,
            details={"concern": form.cleaned_data["reason"]}
            if action == "record concern"
            else None,
            version=form.cleaned_data["version"],
        )
    except DOMAIN_ERRORS as error:
        form.add_error(None, str(error)[:1].upper() + str(error)[1:])
        context["errors"] = error_summary(form)
        return render(request, "ui/case_action.html", context, status=409)
    # A case action is audited without its reason; one on a Stage 4 case,
    # or one that starts or ends Stage 4, is a safeguarding entry.
    audit(
        staff,
        request,
        "case.changed",
        CASE_ACTION_TITLES[action],
        pupil.pk,
        safeguarding=on_hold or action in SAFEGUARDING_ACTIONS,
    )
    messages.success(request, f"{CASE_ACTION_TITLES[action]}: recorded.")
    return redirect("ui:pupil", pupil.pk)
