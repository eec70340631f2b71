"""Import: upload a file, read its validation report, then apply it.

The first step runs the import and rolls it back, so the report (every
error with its line and field, or the counts and warnings) is exactly
what applying would do. The file waits under UPLOADS_DIR, named by a
random token held in the person's session, until it is applied (or the
session is over: then it is removed).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from attendwise.core.calendar import CalendarError
from attendwise.sources.base import ImportRejected, ImportReport
from attendwise.web.register import services
from attendwise.web.register.models import ImportRun, School
from attendwise.web.ui.access import Staff, allow, audit, today
from attendwise.web.ui.roles import Role

IMPORTERS = frozenset({Role.OFFICER, Role.ADMIN})
KINDS = {
    "register": "A register file",
    "pupils": "The pupils file",
    "contacts": "The contacts file",
}
LAYOUTS = {"sims": "SIMS export", "canonical": "Attendwise canonical CSV"}
MAX_BYTES = 50 * 1024 * 1024


class _DryRun(Exception):
    def __init__(self, result: services.ImportResult) -> None:
        self.result = result


def _run(
    school: Staff | School, kind: str, layout: str, data: bytes, name: str, user: Any
) -> services.ImportResult:
    target = school.school if isinstance(school, Staff) else school
    if kind == "register":
        return services.import_register(target, data, name, layout, user)
    if kind == "pupils":
        return services.import_pupils(target, data, name, user, on=today())
    return services.import_contacts(target, data, name, user)


def _check(
    staff: Staff, kind: str, layout: str, data: bytes, name: str
) -> services.ImportResult:
    """Return what the import would do, writing nothing (ImportRejected else)."""
    try:
        with transaction.atomic():
            raise _DryRun(_run(staff, kind, layout, data, name, staff.user))
    except _DryRun as dry:
        return dry.result


def _folder(staff: Staff) -> Path:
    """Return the school's uploads folder, without uploads that have expired.

    An upload waits for the session that checked it, so one older than a
    session (SESSION_COOKIE_AGE) can never be applied: the file, which
    holds pupils' personal data, is removed rather than kept.
    """
    folder = Path(settings.UPLOADS_DIR) / staff.school.slug
    folder.mkdir(parents=True, exist_ok=True)
    expired = time.time() - settings.SESSION_COOKIE_AGE
    for waiting in folder.glob("*.upload"):
        with contextlib.suppress(FileNotFoundError):
            if waiting.stat().st_mtime < expired:
                waiting.unlink()
    return folder


def _report_context(report: ImportReport) -> dict[str, Any]:
    return {
        "report": report,
        "error_rows": [
            {"line": e.line, "field": e.field, "message": e.reason}
            for e in report.errors
        ],
        "hidden_errors": report.error_count - len(report.errors),
        # A warning that sums up many (the pupils not in a pupils file)
        # lists them all behind a "show" link.
        "warning_rows": [
            {"text": str(warning), "items": warning.items}
            for warning in report.warnings
        ],
        "hidden_warnings": report.warning_count - len(report.warnings),
        "counts": sorted(report.counts.items()),
    }


@allow(IMPORTERS, methods=("GET", "POST"))
def import_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    context: dict[str, Any] = {
        "title": "Import a file",
        "kinds": KINDS,
        "layouts": LAYOUTS,
        "kind": request.POST.get("kind", "register"),
        "layout": request.POST.get("layout", "sims"),
        "errors": [],
        "recent": ImportRun.objects.filter(school=staff.school).order_by("-applied_at")[
            :10
        ],
    }
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
    data = upload.read()
    name = Path(upload.name or "upload.csv").name[:200]
    try:
        result = _check(staff, kind, layout, data, name)
    except ImportRejected as rejected:
        context |= _report_context(rejected.report) | {"rejected": True}
        audit(staff, request, "import.rejected", f"{KINDS[kind]} {name} rejected")
        return render(request, "ui/import_report.html", context, status=400)
    except CalendarError as error:
        context["errors"].append({"field": "", "message": str(error)})
        return render(request, "ui/import.html", context, status=400)
    token = secrets.token_urlsafe(16)
    (_folder(staff) / f"{token}.upload").write_bytes(data)
    request.session[f"import-{token}"] = {"kind": kind, "layout": layout, "name": name}
    context |= _report_context(result.report) | {"token": token, "name": name}
    return render(request, "ui/import_report.html", context)


@allow(IMPORTERS, methods=("POST",))
def import_apply(request: HttpRequest, staff: Staff) -> HttpResponse:
    token = str(request.POST.get("token", ""))
    pending = request.session.pop(f"import-{token}", None)
    path = _folder(staff) / f"{token}.upload"
    if not pending or not token.replace("-", "").replace("_", "").isalnum():
        messages.error(request, "That upload has expired: upload the file again.")
        return redirect("ui:import")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        messages.error(request, "That upload has expired: upload the file again.")
        return redirect("ui:import")
    try:
        result = _run(
            staff, pending["kind"], pending["layout"], data, pending["name"], staff.user
        )
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        context: dict[str, Any] = {
            "title": "Import a file",
            "rejected": True,
        } | _report_context(rejected.report)
        return render(request, "ui/import_report.html", context, status=400)
    path.unlink(missing_ok=True)
    audit(
        staff,
        request,
        "import.applied",
        f"{KINDS[pending['kind']]} {pending['name']} applied",
    )
    messages.success(
        request,
        f"{pending['name']}: {result.created:,} created, {result.changed:,} changed, "
        f"{result.unchanged:,} unchanged.",
    )
    return redirect("ui:import")
