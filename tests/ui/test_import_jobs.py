"""An import runs as a job the page follows: checked, reported, applied."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendwise.web.register.models import ImportRun, Pupil
from attendwise.web.ui import import_jobs
from attendwise.web.ui.models import AuditEntry, ImportJob
from attendwise.web.ui.roles import Role
from tests.factories import make_school
from tests.import_factories import pupil_row, pupils_csv, sessions_csv
from tests.ui.factories import signed_in, staff
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "pupils.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/import/",
        {"kind": "pupils", "layout": "sims", "file": SimpleUploadedFile(name, data)},
    )


def running_job(school, user, **fields: Any) -> ImportJob:  # type: ignore[no-untyped-def]
    """Return a job checking a file, run by a worker in another process."""
    now = timezone.now()
    values: dict[str, Any] = {
        "school": school,
        "kind": "pupils",
        "file_name": "big-pupils.csv",
        "size": 9_000_000,
        "token": "a-token",
        "sha256": "0" * 64,
        "started_by": user,
        "started_at": now,
        "status": ImportJob.Status.CHECKING,
        "rows_expected": 12_000,
        "rows_read": 5_000,
        "heartbeat_at": now,
        "runner": "another-host:4242:cafe",
    } | fields
    return ImportJob.objects.create(**values)


def test_a_file_is_checked_reported_and_applied_on_one_job_page():
    school = make_school()
    officer = staff(school, Role.OFFICER)
    client = signed_in(officer)

    started = upload(client, pupils_csv(pupil_row("4001"), pupil_row("4002")))

    job = ImportJob.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/import/jobs/{job.pk}/"
    checked = client.get(started["Location"])
    check_page(checked)
    text = checked.content.decode()
    assert "pupils.csv is ready to import" in text
    assert 'http-equiv="refresh"' not in text
    assert job.status == ImportJob.Status.CHECKED
    assert dict(job.report["counts"]) == {
        "rows": 2,
        "pupils": 2,
        "created": 2,
        "changed": 0,
        "unchanged": 0,
    }
    assert not Pupil.objects.filter(school=school).exists()

    applied = client.post(f"/import/jobs/{job.pk}/apply/")

    assert applied.status_code == 302
    assert applied["Location"] == f"/import/jobs/{job.pk}/"
    result = client.get(applied["Location"])
    check_page(result)
    assert "pupils.csv: 2 created, 0 changed, 0 unchanged." in result.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert job.applied_by == officer
    assert job.run == ImportRun.objects.get(school=school)
    assert sorted(school.pupils.values_list("mis_id", flat=True)) == ["4001", "4002"]
    assert list(
        AuditEntry.objects.filter(school=school).values_list("action", flat=True)
    ) == ["import.applied"]
    assert not import_jobs.upload_path(job).exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_applied_by_a_worker_the_page_follows(settings):
    settings.IMPORT_INLINE_BYTES = 0
    settings.IMPORT_HEARTBEAT_SECONDS = 0.05
    school = make_school()
    client = signed_in(staff(school, Role.ADMIN))
    rows = [pupil_row(str(4000 + number)) for number in range(300)]

    started = upload(client, pupils_csv(*rows))
    job = ImportJob.objects.get()
    import_jobs.wait(job)

    checked = client.get(started["Location"])
    assert "pupils.csv is ready to import" in checked.content.decode()
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_done) == ("checked", 300, 300)
    assert not Pupil.objects.filter(school=school).exists()

    client.post(f"/import/jobs/{job.pk}/apply/")
    import_jobs.wait(job)

    result = client.get(f"/import/jobs/{job.pk}/")
    assert "pupils.csv: 300 created, 0 changed, 0 unchanged." in (
        result.content.decode()
    )
    assert school.pupils.count() == 300


def test_a_running_job_shows_its_stage_and_counts_and_refreshes_itself():
    school = make_school()
    user = staff(school, Role.OFFICER)
    job = running_job(school, user)

    page = signed_in(user).get(f"/import/jobs/{job.pk}/")

    assert page.status_code == 200
    check_page(page)
    text = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert "Checking big-pupils.csv" in text
    assert "Reading and checking the file" in text
    assert "5,000 of about 12,000" in text
    assert '<progress class="app-progress" max="24000" value="5000"' in text
    assert f'href="/import/jobs/{job.pk}/"' in text  # check again, without scripts


def test_a_job_whose_heartbeat_stopped_shows_failed_and_nothing_applied():
    school = make_school()
    user = staff(school, Role.OFFICER)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    job = running_job(
        school,
        user,
        status=ImportJob.Status.APPLYING,
        applied_by=user,
        apply_started_at=long_ago,
        heartbeat_at=long_ago,
    )

    page = signed_in(user).get(f"/import/jobs/{job.pk}/")

    check_page(page)
    text = page.content.decode()
    assert "big-pupils.csv: nothing was applied" in text
    assert "Nothing from the file was applied" in text
    assert 'http-equiv="refresh"' not in text
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Pupil.objects.filter(school=school).exists()


def test_a_job_of_a_process_gone_from_this_host_fails_at_once():
    school = make_school()
    user = staff(school, Role.OFFICER)
    gone = subprocess.Popen(["true"])  # a process that has ended
    gone.wait()
    host = import_jobs._runner().partition(":")[0]
    job = running_job(school, user, runner=f"{host}:{gone.pid}:dead")

    signed_in(user).get(f"/import/jobs/{job.pk}/")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == import_jobs.STOPPED


def test_a_stopped_apply_whose_import_was_committed_shows_applied():
    school = make_school()
    user = staff(school, Role.OFFICER)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    job = running_job(
        school,
        user,
        status=ImportJob.Status.APPLYING,
        applied_by=user,
        apply_started_at=long_ago,
        heartbeat_at=long_ago,
    )
    run = ImportRun.objects.create(
        school=school,
        kind="pupils",
        file_name="big-pupils.csv",
        sha256=job.sha256,
        applied_at=long_ago + dt.timedelta(seconds=30),
        applied_by=user,
        rows=12_000,
        created=12_000,
    )

    page = signed_in(user).get(f"/import/jobs/{job.pk}/")

    assert "big-pupils.csv was applied" in page.content.decode()
    job.refresh_from_db()
    assert (job.status, job.run) == (ImportJob.Status.APPLIED, run)


def test_a_second_import_is_refused_while_one_runs_for_the_school():
    school = make_school()
    user = staff(school, Role.OFFICER)
    job = running_job(school, user)
    client = signed_in(user)

    refused = upload(client, pupils_csv(pupil_row("4001")))

    assert refused.status_code == 409
    check_page(refused)
    text = refused.content.decode()
    assert "Another file is being imported for this school: big-pupils.csv" in text
    assert f'href="/import/jobs/{job.pk}/"' in text
    assert ImportJob.objects.count() == 1


def test_another_schools_import_may_run_at_the_same_time():
    other = make_school("oakfield")
    running_job(other, staff(other, Role.OFFICER))
    school = make_school()
    client = signed_in(staff(school, Role.OFFICER))

    started = upload(client, pupils_csv(pupil_row("4001")))

    assert started.status_code == 302


def test_only_the_person_who_uploaded_a_file_may_apply_it():
    school = make_school()
    uploader = signed_in(staff(school, Role.OFFICER))
    upload(uploader, pupils_csv(pupil_row("4001")))
    job = ImportJob.objects.get()
    admin = signed_in(staff(school, Role.ADMIN))

    page = admin.get(f"/import/jobs/{job.pk}/")
    refused = admin.post(f"/import/jobs/{job.pk}/apply/", follow=True)

    assert "only they can apply it" in page.content.decode()
    assert "who uploaded pupils.csv, can apply it" in refused.content.decode()
    assert not Pupil.objects.filter(school=school).exists()


@pytest.mark.parametrize("role", [Role.HEAD, Role.SAFEGUARDING, Role.READ_ONLY])
def test_roles_that_do_not_import_cannot_see_or_apply_a_job(role):
    school = make_school()
    job = running_job(school, staff(school, Role.OFFICER))
    client = signed_in(staff(school, role))

    assert client.get(f"/import/jobs/{job.pk}/").status_code == 403
    assert client.post(f"/import/jobs/{job.pk}/apply/").status_code == 403


def test_another_schools_job_is_not_found():
    other = make_school("oakfield")
    job = running_job(other, staff(other, Role.OFFICER))
    client = signed_in(staff(make_school(), Role.OFFICER))

    assert client.get(f"/import/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/import/jobs/{job.pk}/apply/").status_code == 404


def test_the_job_page_and_apply_answer_their_methods_only():
    school = make_school()
    user = staff(school, Role.OFFICER)
    job = running_job(school, user)
    client = signed_in(user)

    assert client.post(f"/import/jobs/{job.pk}/").status_code == 405
    assert client.get(f"/import/jobs/{job.pk}/apply/").status_code == 405


def test_a_register_file_with_an_error_shows_the_line_and_field_on_the_job_page():
    school = make_school()
    client = signed_in(staff(school, Role.OFFICER))
    data = sessions_csv(("08/09/2025", "/", "AM", "9999"))

    started = client.post(
        "/import/",
        {
            "kind": "register",
            "layout": "sims",
            "file": SimpleUploadedFile("sessions.csv", data),
        },
    )

    page = client.get(started["Location"])
    check_page(page)
    assert "sessions.csv cannot be imported: 1 error" in page.content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    assert [(e["line"], e["field"]) for e in job.report["errors"]] == [
        (2, "Student ID")
    ]
    assert page.context["error_rows"] == job.report["errors"]


def test_a_checked_file_left_more_than_a_day_is_removed_and_cannot_be_applied():
    school = make_school()
    user = staff(school, Role.OFFICER)
    client = signed_in(user)
    upload(client, pupils_csv(pupil_row("4001")))
    job = ImportJob.objects.get()
    assert import_jobs.upload_path(job).exists()
    ImportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=2)
    )

    refused = client.post(f"/import/jobs/{job.pk}/apply/", follow=True)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "more than a day old" in refused.content.decode()
    assert not import_jobs.upload_path(job).exists()
    assert not Pupil.objects.filter(school=school).exists()
