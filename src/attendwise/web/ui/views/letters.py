"""Letters: PDFs, bulk approval with a preview, print runs, the wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from attendwise.core.pathway import PathwayError
from attendwise.letters.errors import LetterError
from attendwise.letters.fields import example_context
from attendwise.letters.kinds import KINDS, LetterKind
from attendwise.letters.render import (
    check_template,
    default_template,
    render_html,
    render_pdf,
)
from attendwise.web.cases.models import Letter, Task
from attendwise.web.cases.services import TaskError, complete_task
from attendwise.web.ui.access import Staff, allow, audit, today
from attendwise.web.ui.models import LetterTemplate, PrintRun
from attendwise.web.ui.printing import approved_letters, print_run
from attendwise.web.ui.roles import CASEWORK, Role, may_complete

LETTER_READERS = CASEWORK | {Role.ADMIN}
WORDING = frozenset({Role.HEAD, Role.ADMIN})


def _letter_of(staff: Staff, letter_id: int) -> Letter:
    letters = Letter.objects.select_related("task", "pupil")
    if not staff.safeguarding:
        letters = letters.filter(task__safeguarding=False)
    return get_object_or_404(letters, pk=letter_id, pupil__school=staff.school)


@allow(LETTER_READERS)
def letter_pdf(request: HttpRequest, staff: Staff, letter_id: int) -> HttpResponseBase:
    letter = _letter_of(staff, letter_id)
    path = Path(settings.LETTERS_DIR) / letter.pdf_path
    if not path.is_file():
        raise Http404("The PDF of this letter is missing.")
    audit(
        staff,
        request,
        "letter.opened",
        f"Opened {LetterKind(letter.kind).info.title} (letter {letter.pk})",
        letter.pupil_id,
        safeguarding=letter.task.safeguarding,
    )
    inline = request.GET.get("inline") == "1"
    return FileResponse(
        path.open("rb"),
        content_type="application/pdf",
        as_attachment=not inline,
        filename=f"letter-{letter.pk}.pdf",
    )


@allow(LETTER_READERS)
def letters_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    waiting = approved_letters(staff.school, safeguarding=staff.safeguarding)
    runs = PrintRun.objects.filter(school=staff.school).order_by("-created_at")[:10]
    own = set(
        LetterTemplate.objects.filter(school=staff.school).values_list(
            "kind", flat=True
        )
    )
    return render(
        request,
        "ui/letters.html",
        {
            "title": "Letters",
            "waiting": [
                {
                    "letter": letter,
                    "title": LetterKind(letter.kind).info.title,
                    "names": ", ".join(letter.addressees.get("names", [])),
                }
                for letter in waiting
            ],
            "runs": runs,
            "kinds": [
                {"kind": kind.value, "info": info, "own": kind.value in own}
                for kind, info in KINDS.items()
            ],
            "wording": staff.role in WORDING,
        },
    )


@allow(LETTER_READERS, methods=("POST",))
def print_run_create(request: HttpRequest, staff: Staff) -> HttpResponse:
    try:
        run = print_run(
            staff.school, staff.user, timezone.now(), safeguarding=staff.safeguarding
        )
    except LetterError as error:
        messages.error(request, str(error))
        return redirect("ui:letters")
    if run is None:
        messages.info(request, "No approved letters are waiting to be printed.")
        return redirect("ui:letters")
    audit(
        staff,
        request,
        "letters.printed",
        f"Print run {run.pk}: {len(run.letter_ids)} letters",
    )
    messages.success(
        request,
        f"Print run {run.pk}: {len(run.letter_ids)} letters, ready to download.",
    )
    return redirect("ui:letters")


@allow(LETTER_READERS)
def print_run_pdf(request: HttpRequest, staff: Staff, run_id: int) -> HttpResponseBase:
    run = get_object_or_404(PrintRun, pk=run_id, school=staff.school)
    path = Path(settings.PRINT_RUNS_DIR) / run.pdf_path
    if not run.pdf_path or not path.is_file():
        raise Http404("The PDF of this print run is missing.")
    audit(staff, request, "letters.print-run-opened", f"Opened print run {run.pk}")
    return FileResponse(
        path.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"print-run-{run.pk}.pdf",
    )


def _chosen_tasks(request: HttpRequest, staff: Staff) -> list[Task]:
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    tasks = Task.objects.filter(
        pk__in=ids, school=staff.school, status=Task.Status.PROPOSED
    ).select_related("pupil", "case", "school")
    if not staff.safeguarding:
        tasks = tasks.filter(safeguarding=False)
    return [
        task
        for task in tasks.order_by("pupil__legal_surname", "pk")
        if task.payload.get("letter")
        and may_complete(staff.role, task.role, task.safeguarding)
    ]


@allow(CASEWORK, methods=("POST",))
def bulk_preview(request: HttpRequest, staff: Staff) -> HttpResponse:
    tasks = _chosen_tasks(request, staff)
    if not tasks:
        messages.error(request, "Select at least one letter you can approve.")
        return redirect(f"{_worklist_url()}?type=letters")
    rows = [
        {
            "task": task,
            "letters": [
                {
                    "letter": letter,
                    "names": ", ".join(letter.addressees.get("names", [])),
                }
                for letter in task.letters.filter(status=Letter.Status.DRAFT)
            ],
        }
        for task in tasks
    ]
    return render(
        request,
        "ui/bulk_preview.html",
        {"title": "Approve these letters", "rows": rows},
    )


def _worklist_url() -> str:
    from django.urls import reverse

    return reverse("ui:worklist")


@allow(CASEWORK, methods=("POST",))
def bulk_approve(request: HttpRequest, staff: Staff) -> HttpResponse:
    done, problems = 0, []
    for task in _chosen_tasks(request, staff):
        try:
            complete_task(task, action="confirm", on=today(), user=staff.user)
        except (TaskError, PathwayError, LetterError) as error:
            problems.append(f"{task.title} for {task.pupil}: {error}")
            continue
        done += 1
        audit(
            staff,
            request,
            "task.completed",
            f"{task.title}: confirmed",
            task.pupil_id,
            safeguarding=task.safeguarding,
        )
    if done:
        messages.success(
            request, f"{done} letter item{'s' if done != 1 else ''} confirmed."
        )
    for problem in problems:
        messages.error(request, problem)
    return redirect(f"{_worklist_url()}?type=letters")


def _kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise Http404("There is no such letter.") from None


def _sample_context(staff: Staff) -> tuple[dict[str, Any], str]:
    """Return a real pupil's merge fields for previews (else the example)."""
    letters = Letter.objects.filter(pupil__school=staff.school)
    if not staff.safeguarding:
        letters = letters.filter(task__safeguarding=False)
    letter = letters.order_by("-created_at").first()
    if letter is None:
        return example_context(), "an example pupil"
    return dict(letter.merge), f"{letter.pupil} (letter {letter.pk})"


@allow(WORDING, methods=("GET", "POST"))
def template_edit(request: HttpRequest, staff: Staff, kind: str) -> HttpResponse:
    letter = _kind(kind)
    stored = LetterTemplate.objects.filter(
        school=staff.school, kind=letter.value
    ).first()
    source = stored.source if stored else default_template(letter)
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        source = str(request.POST.get("source", ""))
        if request.POST.get("reset") == "1":
            LetterTemplate.objects.filter(
                school=staff.school, kind=letter.value
            ).delete()
            audit(
                staff,
                request,
                "template.reset",
                f"{letter.info.title}: packaged wording",
            )
            messages.success(
                request, f"{letter.info.title} uses the packaged wording again."
            )
            return redirect("ui:letters")
        try:
            check_template(source, name=letter.value)
            render_html(source, _sample_context(staff)[0], name=letter.value)
        except LetterError as error:
            errors.append({"field": "field-source", "message": str(error)})
            status = 400
        else:
            LetterTemplate.objects.update_or_create(
                school=staff.school,
                kind=letter.value,
                defaults={
                    "source": source,
                    "updated_at": timezone.now(),
                    "updated_by": staff.user,
                },
            )
            audit(
                staff,
                request,
                "template.changed",
                f"{letter.info.title}: wording changed",
            )
            messages.success(request, f"{letter.info.title}: the new wording is saved.")
            return redirect("ui:letters")
    return render(
        request,
        "ui/template_edit.html",
        {
            "title": f"Edit {letter.info.title}",
            "letter": letter,
            "source": source,
            "errors": errors,
            "sample": _sample_context(staff)[1],
            "stored": stored,
        },
        status=status,
    )


@allow(WORDING, methods=("POST",))
def template_preview(request: HttpRequest, staff: Staff, kind: str) -> HttpResponse:
    letter = _kind(kind)
    source = str(request.POST.get("source", ""))
    try:
        check_template(source, name=letter.value)
        pdf = render_pdf(
            render_html(source, _sample_context(staff)[0], name=letter.value)
        )
    except LetterError as error:
        return render(
            request,
            "ui/preview_error.html",
            {"title": "The preview cannot be shown", "error": str(error)},
            status=400,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.value}-preview.pdf"'
    return response
