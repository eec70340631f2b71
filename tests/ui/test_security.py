"""Passwords, sign-in throttling, sessions, headers, logs and the audit."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as live_settings
from django.test import Client

from attendwise.web.cases.models import Task
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.ui.factories import PASSWORD, school_with_case, signed_in, staff

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_by_default():
    from attendwise.web import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_signing_in_with_the_right_password_opens_the_worklist():
    school, _ = school_with_case()
    staff(school, Role.OFFICER, "pat")
    response = Client().post("/sign-in/", {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/worklist/"


LANDING = {
    Role.OFFICER: "/worklist/",
    Role.HEAD: "/worklist/",
    Role.SAFEGUARDING: "/worklist/",
    Role.READ_ONLY: "/dashboard/",
    Role.ADMIN: "/dashboard/",
}


@pytest.mark.parametrize("role", sorted(Role))
def test_signing_in_opens_the_first_page_of_each_role(role):
    school, _ = school_with_case()
    staff(school, role, "pat")
    client = Client()

    signed = client.post("/sign-in/", {"username": "pat", "password": PASSWORD})

    assert signed.status_code == 302
    assert signed["Location"] == LANDING[role]
    assert client.get(signed["Location"]).status_code == 200


def test_signing_in_goes_on_to_the_page_asked_for():
    school, pupil = school_with_case()
    staff(school, Role.ADMIN, "pat")
    response = Client().post(
        f"/sign-in/?next=/pupils/{pupil.pk}/",
        {"username": "pat", "password": PASSWORD},
    )
    assert response["Location"] == f"/pupils/{pupil.pk}/"


@pytest.mark.parametrize(
    "elsewhere",
    ["https://example.org/", "//example.org/worklist/", "javascript:alert(1)"],
)
def test_signing_in_never_goes_on_to_another_site(elsewhere):
    school, _ = school_with_case()
    staff(school, Role.READ_ONLY, "pat")
    response = Client().post(
        "/sign-in/", {"username": "pat", "password": PASSWORD, "next": elsewhere}
    )
    assert response["Location"] == "/dashboard/"


def test_five_wrong_passwords_lock_the_name_even_with_the_right_one():
    school, _ = school_with_case()
    staff(school, Role.OFFICER, "pat")
    client = Client()
    for _ in range(5):
        wrong = client.post("/sign-in/", {"username": "pat", "password": "nope"})
        assert wrong.status_code == 200
        assert "Enter a correct username and password" in wrong.content.decode()

    locked = client.post("/sign-in/", {"username": "PAT", "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_every_page_carries_a_content_security_policy_and_no_inline_script():
    school, pupil = school_with_case()
    response = signed_in(staff(school, Role.OFFICER)).get(f"/pupils/{pupil.pk}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()


def test_forms_need_the_csrf_token():
    school, _ = school_with_case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(school, Role.OFFICER))
    response = client.post("/letters/print/")
    assert response.status_code == 403


def test_the_session_cookie_is_http_only_and_ends_with_the_browser():
    assert live_settings.SESSION_COOKIE_HTTPONLY
    assert live_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert live_settings.CSRF_COOKIE_HTTPONLY


def test_viewing_a_pupil_is_audited_and_logs_no_name(caplog):
    school, pupil = school_with_case()
    officer = staff(school, Role.OFFICER)
    caplog.set_level(logging.DEBUG)

    signed_in(officer).get(f"/pupils/{pupil.pk}/")

    entry = AuditEntry.objects.get(action="pupil.viewed")
    assert (entry.user, entry.pupil) == (officer, pupil)
    assert "Example" not in caplog.text
    audit = signed_in(staff(school, Role.ADMIN)).get(f"/audit/?pupil={pupil.pk}")
    assert "officer-forest-view" in audit.content.decode()


def test_opening_an_item_is_audited_against_its_pupil():
    school, pupil = school_with_case()
    officer = staff(school, Role.OFFICER)
    task = Task.objects.filter(pupil=pupil, status=Task.Status.PROPOSED).first()
    assert task is not None

    signed_in(officer).get(f"/items/{task.pk}/")

    entry = AuditEntry.objects.get(action="task.viewed")
    assert (entry.user, entry.pupil, entry.summary, entry.safeguarding) == (
        officer,
        pupil,
        f"Viewed {task.title}",
        False,
    )
