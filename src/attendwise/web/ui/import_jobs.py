"""Import jobs: an uploaded file checked, then applied, off the request.

A job is a row (ImportJob) and, while it runs, a worker thread in the
server's process. The check is the import's dry run: the whole file read
and compared with the register, nothing written. Applying runs the import
itself, all or nothing in its one transaction. Each counts its rows with
the import services' progress callback, as the command line's bar does.

One job runs per school at a time (a partial unique index refuses a
second). While it runs, a heartbeat thread writes the counts and the time
to the row every few seconds, with a connection of its own: the worker's
connection is inside the import's transaction, which nobody else sees. A
running job whose worker is gone (the server restarted) is failed by the
next page that reads it: in this process at once, elsewhere once its
heartbeat is older than IMPORT_STALE_SECONDS. Nothing of it was applied,
unless its ImportRun was committed, in which case it is shown as applied.

Small files (up to IMPORT_INLINE_BYTES) run in the request itself, which
then shows the same job page, finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from attendwise.core.calendar import CalendarError
from attendwise.sources.base import ImportRejected, ImportReport
from attendwise.web.register import services
from attendwise.web.register.models import ImportRun, School
from attendwise.web.ui.access import today
from attendwise.web.ui.models import AuditEntry, ImportJob

logger = logging.getLogger(__name__)

KINDS = {
    "register": "A register file",
    "pupils": "The pupils file",
    "contacts": "The contacts file",
}

#: A checked file waits this long to be applied, then is removed.
CHECKED_KEEP = dt.timedelta(days=1)
#: Finished jobs (and the reports they hold) are removed after this long.
FINISHED_KEEP = dt.timedelta(days=30)

STOPPED = (
    "The import stopped before it finished (the server was restarted or its "
    "process ended). Nothing from the file was applied: upload it again."
)
UNEXPECTED = (
    "The import stopped with an unexpected error. Nothing from the file was "
    "applied: upload it again, and tell your administrator if it happens again."
)


class JobRefused(Exception):
    """A job that cannot start now, with the words to say why."""

    def __init__(self, message: str, running: ImportJob | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.running = running


@dataclass
class Tracker:
    """The import services' progress callback: counts what a job has done.

    The services count each data row twice, once read and once applied or
    compared (attendwise.sources.base.Progress): the first `expected` rows
    are taken as read, the rest as done.
    """

    expected: int
    total: int = 0

    def __call__(self, rows: int) -> None:
        self.total += rows

    @property
    def read(self) -> int:
        return min(self.total, self.expected)

    @property
    def done(self) -> int:
        return min(max(0, self.total - self.expected), self.expected)


@dataclass
class _Live:
    tracker: Tracker
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)


#: The jobs running in this process, by token (changed under _lock).
_live: dict[str, _Live] = {}
_lock = threading.Lock()
_TAG = secrets.token_hex(4)


def _runner() -> str:
    """Return what names this process on a job: host, process id, a tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TAG}"


def expected_rows(data: bytes) -> int:
    """Return about how many data rows `data` holds: its lines but the header."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(0, lines - 1)


def upload_path(job: ImportJob) -> Path:
    return Path(settings.UPLOADS_DIR) / job.school.slug / f"{job.token}.upload"


# -- starting -------------------------------------------------------------------


def start_check(
    school: School, user: User, kind: str, layout: str, data: bytes, name: str
) -> ImportJob:
    """Return a new job checking `data`, running or (a small file) finished.

    Raises JobRefused while another import of the school is running.
    """
    settle(school)
    token = secrets.token_urlsafe(16)
    job = ImportJob(
        school=school,
        kind=kind,
        layout=layout if kind == "register" else "",
        file_name=name,
        size=len(data),
        token=token,
        sha256=hashlib.sha256(data).hexdigest(),
        started_by=user,
        status=ImportJob.Status.CHECKING,
        rows_expected=expected_rows(data),
    )
    path = upload_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        _begin(job, lambda now: job.save(), school)
    except JobRefused:
        path.unlink(missing_ok=True)
        raise
    return job


def start_apply(job: ImportJob, user: User) -> None:
    """Start applying a checked job (a small file: apply it now).

    Raises JobRefused when the job is not waiting to be applied, when
    someone else checked it, or while another import of the school runs.
    """
    settle(job.school)
    job.refresh_from_db()
    if job.status != ImportJob.Status.CHECKED:
        raise JobRefused(f"{job.file_name} is not waiting to be applied.")
    if job.started_by_id != user.pk:
        raise JobRefused(
            f"Only {job.started_by.get_username()}, who uploaded {job.file_name}, "
            "can apply it."
        )

    def claim(now: dt.datetime) -> None:
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.CHECKED
        ).update(
            status=ImportJob.Status.APPLYING,
            applied_by=user,
            apply_started_at=now,
            heartbeat_at=now,
            runner=_runner(),
            rows_read=0,
            rows_done=0,
        )
        if not claimed:
            raise JobRefused(f"{job.file_name} is already being applied.")

    _begin(job, claim, job.school)


def _begin(
    job: ImportJob, write: Callable[[dt.datetime], None], school: School
) -> None:
    """Write the job's start with `write`, then run it (here, or in a thread).

    This process records the job (by its token) before the row says it
    runs, so no reader here takes a job just begun for a dead one; no lock
    is held while the database is written.
    """
    inline = job.size <= settings.IMPORT_INLINE_BYTES
    live = _Live(Tracker(job.rows_expected))
    with _lock:
        if job.token in _live:
            raise JobRefused(f"{job.file_name} is already being imported.")
        _live[job.token] = live
    now = timezone.now()
    job.started_at = job.started_at or now
    job.heartbeat_at = now
    job.runner = _runner()
    try:
        with transaction.atomic():
            write(now)
    except (IntegrityError, JobRefused) as refused:
        _forget(job.token, live)
        if isinstance(refused, JobRefused):
            raise
        running = _running(school)
        raise JobRefused(_busy(running), running) from None
    if inline:
        try:
            _run(job.pk, live.tracker)
        finally:
            _forget(job.token, live)
        job.refresh_from_db()
        return
    live.thread = threading.Thread(
        target=_work, args=(job.pk, job.token, live), name=f"import-job-{job.pk}"
    )
    live.thread.daemon = True
    live.thread.start()


def _forget(token: str, live: _Live) -> None:
    """Drop this process's record of a job, if it is still `live`'s."""
    with _lock:
        if _live.get(token) is live:
            del _live[token]


def _running(school: School) -> ImportJob | None:
    return (
        ImportJob.objects.filter(school=school, status__in=ImportJob.RUNNING)
        .select_related("started_by")
        .first()
    )


def _busy(running: ImportJob | None) -> str:
    if running is None:
        return "Another file is being imported for this school: try again shortly."
    when = timezone.localtime(running.started_at).strftime("%H:%M")
    return (
        f"Another file is being imported for this school: {running.file_name}, "
        f"started by {running.started_by.get_username()} at {when}. Wait until "
        "it has finished, then try again."
    )


# -- running --------------------------------------------------------------------


def _work(job_id: int, token: str, live: _Live) -> None:
    """Run the job in this thread, with a heartbeat beside it."""
    beat = threading.Thread(
        target=_heartbeat, args=(job_id, live), name=f"import-beat-{job_id}"
    )
    beat.daemon = True
    beat.start()
    try:
        _run(job_id, live.tracker)
    finally:
        live.stop.set()
        _forget(token, live)
        connections.close_all()


def _heartbeat(job_id: int, live: _Live) -> None:
    """Write the job's counts and the time to its row until it stops."""
    interval = settings.IMPORT_HEARTBEAT_SECONDS
    try:
        while not live.stop.wait(interval):
            try:
                ImportJob.objects.filter(
                    pk=job_id, status__in=ImportJob.RUNNING
                ).update(
                    heartbeat_at=timezone.now(),
                    rows_read=live.tracker.read,
                    rows_done=live.tracker.done,
                )
            except DatabaseError:
                # SQLite: the import holds the write lock. The next beat
                # tries again; this process knows the job is alive.
                logger.info("import job %s: heartbeat not written", job_id)
                connections["default"].close()
    finally:
        connections.close_all()


def _service(job: ImportJob, data: bytes, progress: Tracker, dry_run: bool) -> Any:
    user = job.applied_by if not dry_run else job.started_by
    if job.kind == "register":
        return services.import_register(
            job.school,
            data,
            job.file_name,
            job.layout,
            user,
            progress=progress,
            dry_run=dry_run,
        )
    if job.kind == "pupils":
        return services.import_pupils(
            job.school,
            data,
            job.file_name,
            user,
            on=today(),
            progress=progress,
            dry_run=dry_run,
        )
    return services.import_contacts(
        job.school, data, job.file_name, user, progress=progress, dry_run=dry_run
    )


def _run(job_id: int, tracker: Tracker) -> None:
    """Check or apply the job, then record how it ended on its row."""
    job = ImportJob.objects.select_related("school", "started_by", "applied_by").get(
        pk=job_id
    )
    applying = job.status == ImportJob.Status.APPLYING
    path = upload_path(job)
    try:
        data = path.read_bytes()
        result = _service(job, data, tracker, dry_run=not applying)
    except ImportRejected as rejected:
        _end(
            job, tracker, ImportJob.Status.REJECTED, report=report_data(rejected.report)
        )
        _audit(job, "import.rejected", f"{KINDS[job.kind]} {job.file_name} rejected")
        path.unlink(missing_ok=True)
    except FileNotFoundError:
        _end(
            job,
            tracker,
            ImportJob.Status.FAILED,
            message="The uploaded file is no longer there. Nothing from it was "
            "applied: upload it again.",
        )
    except CalendarError as problem:
        _end(job, tracker, ImportJob.Status.FAILED, message=str(problem))
        path.unlink(missing_ok=True)
    except Exception:
        logger.exception("import job %s failed", job.pk, extra={"job": job.pk})
        if not (applying and _settle_applied(job)):
            _end(job, tracker, ImportJob.Status.FAILED, message=UNEXPECTED)
        path.unlink(missing_ok=True)
    else:
        if not applying:
            _end(
                job,
                tracker,
                ImportJob.Status.CHECKED,
                report=report_data(result.report),
            )
            return
        _end(
            job,
            tracker,
            ImportJob.Status.APPLIED,
            report=report_data(result.report),
            run=result.run,
        )
        _audit(job, "import.applied", f"{KINDS[job.kind]} {job.file_name} applied")
        path.unlink(missing_ok=True)


def _end(
    job: ImportJob,
    tracker: Tracker,
    status: str,
    *,
    report: dict[str, Any] | None = None,
    message: str = "",
    run: ImportRun | None = None,
) -> None:
    """Record how the job ended (tried twice: SQLite may be busy a while)."""
    rows = (report or {}).get("rows")
    values: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
        "rows_read": rows if rows is not None else tracker.read,
        "rows_done": rows if rows is not None and status != "rejected" else 0,
        "message": message,
        "run": run,
    }
    if report is not None:
        values["report"] = report
    for attempt in (1, 2):
        try:
            ImportJob.objects.filter(pk=job.pk).update(**values)
            return
        except DatabaseError:
            if attempt == 2:
                raise
            time.sleep(1)


def _audit(job: ImportJob, action: str, summary: str) -> None:
    AuditEntry.objects.create(
        school=job.school,
        user=job.applied_by or job.started_by,
        at=timezone.now(),
        action=action,
        summary=summary[:300],
        path=reverse("ui:import-job", args=[job.pk])[:300],
    )


def report_data(report: ImportReport) -> dict[str, Any]:
    """Return what the report page shows of `report`, as JSON values."""
    return {
        "file": report.file,
        "rows": report.counts.get("rows", 0),
        "error_count": report.error_count,
        "errors": [
            {"line": e.line, "field": e.field, "message": e.reason}
            for e in report.errors
        ],
        "warning_count": report.warning_count,
        "warnings": warning_rows(report),
        "counts": sorted(report.counts.items()),
    }


def warning_rows(report: ImportReport) -> list[dict[str, Any]]:
    """Return each listed warning's text and the items it sums up, if any.

    A warning that sums up many (the pupils not in a pupils file) keeps
    them all for the page to show on demand; a last row counts the
    warnings not listed.
    """
    rows = [{"text": str(w), "items": list(w.items)} for w in report.warnings]
    hidden = report.warning_count - len(report.warnings)
    if hidden:
        rows.append({"text": f"... and {hidden:,} more warnings not listed"})
    return rows


# -- jobs whose worker is gone ----------------------------------------------------


def settle(school: School) -> None:
    """Bring the school's jobs up to date before anyone reads them.

    A running job whose worker is gone is failed (or, if its import was
    committed, applied); a checked file left more than CHECKED_KEEP is
    removed; finished jobs older than FINISHED_KEEP are deleted.
    """
    now = timezone.now()
    for job in ImportJob.objects.filter(school=school, status__in=ImportJob.RUNNING):
        if not _alive(job, now) and not _settle_applied(job):
            failed = ImportJob.objects.filter(
                pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
            ).update(status=ImportJob.Status.FAILED, finished_at=now, message=STOPPED)
            if failed:
                logger.warning(
                    "import job %s: its worker stopped", job.pk, extra={"job": job.pk}
                )
                upload_path(job).unlink(missing_ok=True)
    for job in ImportJob.objects.filter(
        school=school,
        status=ImportJob.Status.CHECKED,
        finished_at__lt=now - CHECKED_KEEP,
    ):
        upload_path(job).unlink(missing_ok=True)
        job.status = ImportJob.Status.FAILED
        job.message = (
            "The check is more than a day old, so the file was removed. Nothing "
            "from it was applied: upload it again."
        )
        job.save(update_fields=["status", "message"])
    # Only a delete that finds rows writes (SQLite: a write waits for an
    # import's transaction, and this runs on every import page).
    old = list(
        ImportJob.objects.filter(school=school, finished_at__lt=now - FINISHED_KEEP)
        .exclude(status__in=[*ImportJob.RUNNING, ImportJob.Status.CHECKED])
        .values_list("pk", flat=True)[:100]
    )
    if old:
        ImportJob.objects.filter(pk__in=old).delete()


def _alive(job: ImportJob, now: dt.datetime) -> bool:
    """Return whether the job's worker is still running.

    This process knows its own jobs; a process on this host that no
    longer exists runs none; otherwise the heartbeat tells.
    """
    if job.runner == _runner():
        return job.token in _live
    host, _, rest = job.runner.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    stale = dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    return job.heartbeat_at is not None and now - job.heartbeat_at < stale


def _settle_applied(job: ImportJob) -> bool:
    """Mark an applying job applied if its import was committed; return whether."""
    if job.status != ImportJob.Status.APPLYING or job.apply_started_at is None:
        return False
    run = (
        ImportRun.objects.filter(
            school_id=job.school_id,
            kind=job.kind,
            sha256=job.sha256,
            applied_by_id=job.applied_by_id,
            applied_at__gte=job.apply_started_at,
        )
        .order_by("-applied_at")
        .first()
    )
    if run is None:
        return False
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.APPLIED,
        finished_at=timezone.now(),
        run=run,
        rows_read=run.rows,
        rows_done=run.rows,
        report={
            "file": run.file_name,
            "rows": run.rows,
            "error_count": 0,
            "errors": [],
            "warning_count": len(run.warnings),
            "warnings": [
                {"text": w["reason"], "items": w.get("items", [])} for w in run.warnings
            ],
            "counts": sorted(
                {
                    "rows": run.rows,
                    "created": run.created,
                    "changed": run.changed,
                    "unchanged": run.unchanged,
                }.items()
            ),
        },
    )
    upload_path(job).unlink(missing_ok=True)
    return True


# -- reading --------------------------------------------------------------------


def progress(job: ImportJob) -> dict[str, Any]:
    """Return the running job's stage and counts, live where this process runs it."""
    read, done = job.rows_read, job.rows_done
    live = _live.get(job.token)
    if live is not None:
        read, done = live.tracker.read, live.tracker.done
    expected = max(job.rows_expected, 1)
    if read < job.rows_expected or not read:
        stage = "Reading and checking the file"
    elif job.status == ImportJob.Status.CHECKING:
        stage = "Comparing the file with the register"
    else:
        stage = "Applying the changes"
    return {
        "stage": stage,
        "read_text": f"{read:,}",
        "done_text": f"{done:,}",
        "expected_text": f"{job.rows_expected:,}",
        "value": read + done,
        "max": 2 * expected,
    }


def wait(job: ImportJob, timeout: float = 60.0) -> None:
    """Wait until this process's worker of the job has stopped (for tests)."""
    live = _live.get(job.token)
    if live is not None and live.thread is not None:
        live.thread.join(timeout)
