"""Pupils: the list, and each pupil's page (figures, timeline, letters)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from attendwise.core.calendar import academic_year_of
from attendwise.letters.kinds import LetterKind
from attendwise.web.cases.models import WAITING, Case, Event, Letter, Task
from attendwise.web.cases.services import SchoolRules, draft_pending
from attendwise.web.register.models import Contact, Pupil
from attendwise.web.register.services import (
    ContactError,
    ContactSettings,
    change_contact_settings,
)
from attendwise.web.ui.access import Staff, allow, audit, today
from attendwise.web.ui.forms import ContactSettingsForm, error_summary
from attendwise.web.ui.pupils import DAYS, mark_class, stage_words, summarise
from attendwise.web.ui.roles import (
    CASEWORK,
    CONTACT_EDITORS,
    PUPIL_READERS,
    Role,
    may_complete,
)


@allow(PUPIL_READERS)
def pupil_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    pupils = Pupil.objects.filter(school=staff.school)
    if query:
        words = query.split()
        for word in words:
            pupils = pupils.filter(
                Q(legal_surname__icontains=word)
                | Q(legal_forename__icontains=word)
                | Q(mis_id=word)
                | Q(upn=word)
            )
        shown = list(pupils[:200])
    else:
        year = academic_year_of(today())
        shown = list(
            pupils.filter(cases__academic_year=year)
            .exclude(cases__status=Case.Status.CLOSED)
            .distinct()[:200]
        )
    cases = {
        case.pupil_id: case
        for case in Case.objects.filter(
            pupil__in=shown, academic_year=academic_year_of(today())
        )
    }
    rows = [
        {"pupil": pupil, "stage": _stage_shown(cases.get(pupil.pk), staff)}
        for pupil in shown
    ]
    return render(
        request,
        "ui/pupil_list.html",
        {"title": "Pupils", "query": query, "rows": rows},
    )


def _stage_shown(case: Case | None, staff: Staff) -> int:
    """Return the stage a person may see: Stage 4 only to the safeguarding lead."""
    if case is None:
        return 0
    if case.stage == 4 and not staff.safeguarding:
        return int(case.state.get("stage", 1))
    return case.stage


def _letter_rows(pupil: Pupil, staff: Staff) -> list[dict[str, Any]]:
    letters = Letter.objects.filter(pupil=pupil).select_related("task")
    if not staff.safeguarding:
        letters = letters.filter(task__safeguarding=False)
    return [
        {
            "letter": letter,
            "title": LetterKind(letter.kind).info.title,
            "names": ", ".join(letter.addressees.get("names", [])),
        }
        for letter in letters.order_by("-created_at", "-id")
    ]


@allow(PUPIL_READERS)
def pupil_page(request: HttpRequest, staff: Staff, pupil_id: int) -> HttpResponse:
    pupil = get_object_or_404(Pupil, pk=pupil_id, school=staff.school)
    rules = SchoolRules.of(staff.school)
    as_of = today()
    summary = summarise(rules, pupil, as_of)
    case = Case.objects.filter(
        pupil=pupil, academic_year=academic_year_of(as_of)
    ).first()
    events = Event.objects.filter(pupil=pupil).select_related("actor")
    tasks = Task.objects.filter(pupil=pupil, status__in=WAITING)
    if not staff.safeguarding:
        events = events.filter(safeguarding=False)
        tasks = tasks.filter(safeguarding=False)
    on_hold = bool(case and case.state.get("stage4_since"))
    contacts = list(pupil.contacts.all())
    audit(staff, request, "pupil.viewed", f"Viewed {pupil}'s record", pupil.pk)
    context = {
        "title": f"{pupil.legal_forename} {pupil.legal_surname}",
        "pupil": pupil,
        "summary": summary,
        "case": case,
        "stage": _stage_shown(case, staff),
        "on_hold": on_hold,
        "why": stage_words(rules, case, summary.indication)
        if not (on_hold and not staff.safeguarding)
        else ["On hold: speak to the safeguarding lead."],
        "events": list(events.order_by("-school_day", "-recorded_at", "-id")),
        "tasks": [
            {
                "task": t,
                "mine": may_complete(staff.role, t.role, t.safeguarding),
                "queued": t.status == Task.Status.QUEUED,
                "overdue": t.status == Task.Status.PROPOSED and t.due_on < as_of,
            }
            for t in tasks.order_by("due_on")
        ],
        "letters": _letter_rows(pupil, staff),
        "contacts": contacts,
        "edits_contacts": staff.role in CONTACT_EDITORS,
        "days": DAYS,
        "weeks": [
            {
                "week": week,
                "cells": [
                    None
                    if cell is None
                    else {
                        "day": cell[0],
                        "am": cell[1],
                        "pm": cell[2],
                        "am_class": mark_class(cell[1], cell[0]),
                        "pm_class": mark_class(cell[2], cell[0]),
                    }
                    for cell in week.days
                ],
            }
            for week in summary.weeks
        ],
        "casework": staff.role in CASEWORK,
        "actions": _case_actions(case, staff) if case is not None else [],
    }
    return render(request, "ui/pupil.html", context)


def _case_actions(case: Case, staff: Staff) -> list[tuple[str, str]]:
    """Return the case actions (value, label) this person may take now."""
    if staff.role not in CASEWORK or case.status == Case.Status.CLOSED:
        return []
    state = case.state
    actions: list[tuple[str, str]] = []
    if staff.role is Role.SAFEGUARDING:
        if state.get("stage4_since"):
            actions.append(("end stage 4", "End Stage 4"))
        else:
            actions.append(("record concern", "Record a safeguarding concern"))
    if state.get("stage4_since"):
        return actions
    if state.get("stage", 1) < 3:
        actions.append(("escalate", "Escalate by hand"))
    if state.get("la") == "referred":
        actions.append(("la took over", "The Local Authority took the case over"))
    if state.get("la") == "taken over":
        actions.append(("la closed", "The Local Authority closed the case"))
    return actions


def _yes(value: bool) -> str:
    return "yes" if value else "no"


@allow(CONTACT_EDITORS, methods=("GET", "POST"))
def contact_settings_page(
    request: HttpRequest, staff: Staff, pupil_id: int, contact_id: int
) -> HttpResponse:
    pupil = get_object_or_404(Pupil, pk=pupil_id, school=staff.school)
    contact = get_object_or_404(Contact, pk=contact_id, pupil=pupil)
    seen = ContactSettings.of(contact)
    initial = {
        "court_order_bar": _yes(seen.court_order_bar),
        "receives_correspondence": _yes(seen.receives_correspondence),
        "seen_bar": _yes(seen.court_order_bar),
        "seen_correspondence": _yes(seen.receives_correspondence),
    }
    form = ContactSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    context: dict[str, Any] = {
        "title": f"Contact {contact.priority}'s letters: {pupil}",
        "pupil": pupil,
        "contact": contact,
        "form": form,
        "errors": [],
    }
    if request.method != "POST":
        return render(request, "ui/contact_settings.html", context)
    if not form.is_valid():
        context["errors"] = error_summary(form)
        return render(request, "ui/contact_settings.html", context, status=400)
    data = form.cleaned_data
    wanted = ContactSettings(
        data["court_order_bar"] == "yes", data["receives_correspondence"] == "yes"
    )
    try:
        changes = change_contact_settings(
            contact,
            wanted,
            seen=ContactSettings(
                data["seen_bar"] == "yes", data["seen_correspondence"] == "yes"
            ),
            user=staff.user,
            reason=data["reason"],
        )
    except ContactError as error:
        form.add_error(None, str(error)[:1].upper() + str(error)[1:])
        context["errors"] = error_summary(form)
        return render(request, "ui/contact_settings.html", context, status=409)
    if not changes:
        messages.success(request, f"Contact {contact.priority}: nothing changed.")
        return redirect("ui:pupil", pupil.pk)
    # The drafts the change withdrew are made again, to the contacts as
    # they are now, so the items can be previewed before they are confirmed.
    draft_pending(staff.school, today(), pupil=pupil)
    # Audited without the reason, like a case action: the history keeps it.
    audit(
        staff,
        request,
        "contact.changed",
        f"Contact {contact.priority} of {pupil}: {wanted.describe()}",
        pupil.pk,
        safeguarding=False,
    )
    messages.success(
        request,
        f"Contact {contact.priority}: {wanted.describe()}. Letters not yet "
        "approved have been drafted again.",
    )
    return redirect("ui:pupil", pupil.pk)
