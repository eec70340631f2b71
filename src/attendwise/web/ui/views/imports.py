"""Import: upload a file, follow its check, read the report, then apply it.

Uploading starts a job (attendwise.web.ui.import_jobs) that checks the
file: the import's dry run, so the report (every error with its line and
field, or the counts and warnings) is exactly what applying would do.
The job page follows it, refreshing itself while it runs, then shows the
report and, for a good file, the button that applies it; applying is a
job of its own, followed on the same page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from attendwise.web.register.models import ImportRun
from attendwise.web.ui import import_jobs
from attendwise.web.ui.access import Staff, allow
from attendwise.web.ui.models import ImportJob
from attendwise.web.ui.roles import Role

IMPORTERS = frozenset({Role.OFFICER, Role.ADMIN})
KINDS = import_jobs.KINDS
LAYOUTS = {"sims": "SIMS export", "canonical": "Attendwise canonical CSV"}
MAX_BYTES = 50 * 1024 * 1024
#: Seconds between the refreshes of a running job's page.
REFRESH = 2


#: The import's counts as the report page names them, in the order a
#: person reads them; a count not named here is shown after, as it is.
COUNT_LABELS = {
    "rows": "Rows read",
    "pupils": "Pupils in the file",
    "contacts": "Contacts in the file",
    "marks": "Marks in the file",
    "created": "New",
    "changed": "Changed",
    "unchanged": "Unchanged",
    "removed": "Removed",
    "not in file": "Stored but not in the file (kept)",
    "blank": "Blank sessions",
    "missing": "Missing marks",
    "duplicates folded": "Identical rows read once",
    "registers resolved": "Sessions with several registers resolved",
    "closed day": "Marks on days the school is closed (not counted)",
    "outside calendar": "Marks outside the calendar (not counted)",
    "outside roll": "Marks outside the pupil's roll dates (not counted)",
}


def _count_rows(counts: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """Return the counts as (label, '78,840') rows, in COUNT_LABELS' order."""
    order = list(COUNT_LABELS)
    ranked = sorted(
        counts, key=lambda row: order.index(row[0]) if row[0] in order else 99
    )
    return [
        (COUNT_LABELS.get(key, key[:1].upper() + key[1:]), f"{value:,}")
        for key, value in ranked
    ]


def _page_context(request: HttpRequest, staff: Staff) -> dict[str, Any]:
    import_jobs.settle(staff.school)
    return {
        "title": "Import a file",
        "kinds": KINDS,
        "layouts": LAYOUTS,
        "kind": request.POST.get("kind", "register"),
        "layout": request.POST.get("layout", "sims"),
        "errors": [],
        "jobs": ImportJob.objects.filter(
            school=staff.school,
            status__in=[*ImportJob.RUNNING, ImportJob.Status.CHECKED],
        )
        .select_related("started_by")
        .order_by("-started_at"),
        "recent": ImportRun.objects.filter(school=staff.school).order_by("-applied_at")[
            :10
        ],
    }


@allow(IMPORTERS, methods=("GET", "POST"))
def import_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    context = _page_context(request, staff)
    if request.method != "POST":
        return render(request, "ui/import.html", context)

    kind, layout = context["kind"], context["layout"]
    upload = request.FILES.get("file")
    if kind not in KINDS:
        context["errors"].append(
            {"field": "field-kind", "message": "Choose a file type"}
        )
    if kind == "register" and layout not in LAYOUTS:
        context["errors"].append(
            {"field": "field-layout", "message": "Choose the layout of the file"}
        )
    if upload is None or not upload.size:
        context["errors"].append({"field": "field-file", "message": "Choose a file"})
    elif upload.size > MAX_BYTES:
        context["errors"].append(
            {"field": "field-file", "message": "The file must be smaller than 50 MB"}
        )
    if context["errors"]:
        return render(request, "ui/import.html", context, status=400)
    assert upload is not None
    name = Path(upload.name or "upload.csv").name[:200]
    try:
        job = import_jobs.start_check(
            staff.school, staff.user, kind, layout, upload.read(), name
        )
    except import_jobs.JobRefused as refused:
        context["errors"].append({"field": "field-file", "message": refused.message})
        context["running"] = refused.running
        return render(request, "ui/import.html", context, status=409)
    return redirect("ui:import-job", job_id=job.pk)


def _job_of(staff: Staff, job_id: int) -> ImportJob:
    """Return the school's job (404 for another school's: it is not revealed)."""
    import_jobs.settle(staff.school)
    return get_object_or_404(
        ImportJob.objects.select_related("started_by", "applied_by", "run"),
        pk=job_id,
        school=staff.school,
    )


@allow(IMPORTERS)
def import_job(request: HttpRequest, staff: Staff, job_id: int) -> HttpResponse:
    job = _job_of(staff, job_id)
    report = job.report or {}
    errors = report.get("errors", [])
    context: dict[str, Any] = {
        "title": f"Import of {job.file_name}",
        "job": job,
        "kind_label": KINDS.get(job.kind, job.kind),
        "report": report,
        "error_rows": errors,
        "hidden_errors": report.get("error_count", 0) - len(errors),
        "warning_rows": report.get("warnings", []),
        "counts": _count_rows(report.get("counts", [])),
        "mine": job.started_by_id == staff.user.pk,
    }
    if job.status == ImportJob.Status.APPLIED:
        figures = dict(report.get("counts", []))
        context["applied"] = (
            f"{job.file_name}: {figures.get('created', 0):,} created, "
            f"{figures.get('changed', 0):,} changed, "
            f"{figures.get('unchanged', 0):,} unchanged."
        )
    if job.running:
        context["progress"] = import_jobs.progress(job)
        context["refresh"] = REFRESH
    return render(request, "ui/import_job.html", context)


@allow(IMPORTERS, methods=("POST",))
def import_apply(request: HttpRequest, staff: Staff, job_id: int) -> HttpResponse:
    job = _job_of(staff, job_id)
    try:
        import_jobs.start_apply(job, staff.user)
    except import_jobs.JobRefused as refused:
        messages.error(request, refused.message)
    return redirect("ui:import-job", job_id=job.pk)
