"""Error pages, debug off by default, the secret key file, static files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from attendwise.web.secretkey import FILE_NAME, SecretKeyError, secret_key
from attendwise.web.ui.roles import Role
from tests.factories import make_school
from tests.ui.factories import signed_in, staff
from tests.ui.html import check_page


def configured(home: Path, **env: str) -> list[str]:
    """Return DEBUG and SECRET_KEY as a fresh process reads them from `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDWISE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from attendwise.web import settings as s; print(s.DEBUG); "
            "print(s.SECRET_KEY)",
        ],
        env=clean | {"ATTENDWISE_HOME": str(home)} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_debug_is_off_unless_set_to_1(tmp_path):
    assert configured(tmp_path)[0] == "False"
    assert configured(tmp_path, ATTENDWISE_DEBUG="0")[0] == "False"
    assert configured(tmp_path, ATTENDWISE_DEBUG="1")[0] == "True"


def test_without_a_key_one_is_made_once_and_kept_for_its_owner_only(tmp_path):
    (tmp_path / "attendwise.sqlite3").touch()  # a database to serve
    first = configured(tmp_path)[1]

    assert configured(tmp_path)[1] == first
    assert len(first) >= 50
    key_file = tmp_path / FILE_NAME
    assert key_file.read_text() == first + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path):
    assert configured(tmp_path, ATTENDWISE_SECRET_KEY="k" * 60)[1] == "k" * 60
    assert not (tmp_path / FILE_NAME).exists()


def test_a_missing_folder_is_not_made_and_its_key_lasts_one_process(tmp_path):
    home = tmp_path / "new" / "home"

    first, second = secret_key(home), secret_key(home)

    assert not home.exists()
    assert first != second
    home.mkdir(parents=True)
    assert (
        secret_key(home) == secret_key(home) == (home / FILE_NAME).read_text().strip()
    )


def test_an_empty_key_file_is_an_error_that_says_what_to_do(tmp_path):
    (tmp_path / FILE_NAME).write_text("")

    with pytest.raises(SecretKeyError, match="delete it to have a new key made"):
        secret_key(tmp_path)


@pytest.mark.django_db
def test_an_unknown_address_is_a_plain_page_not_found():
    client = signed_in(staff(make_school(), Role.OFFICER))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    check_page(response)
    text = response.content.decode()
    assert "<title>Page not found – Attendwise</title>" in text
    assert 'href="/">Go to the home page</a>' in text
    assert "URLconf" not in text
    assert "sign-in/" not in text


@pytest.mark.django_db
def test_a_request_for_another_host_is_a_plain_bad_request():
    response = Client().get("/", HTTP_HOST="attendwise.example.org")

    assert response.status_code == 400
    check_page(response)
    assert "Sorry, there is a problem with your request" in response.content.decode()
    assert "ALLOWED_HOSTS" not in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_its_token_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(make_school(), Role.OFFICER))

    response = client.post("/letters/print/")

    assert response.status_code == 403
    check_page(response)
    assert "Nothing was saved. Go back, reload the page" in response.content.decode()
    assert "CSRF" not in response.content.decode()


def test_the_server_error_page_needs_neither_the_database_nor_the_user():
    # No django_db mark: any query here fails the test.
    response = server_error(RequestFactory().get("/worklist/"))

    assert response.status_code == 500
    check_page(response)
    text = response.content.decode()
    assert "Sorry, there is a problem with the service" in text
    assert "Signed in as" not in text
    assert 'href="/">Go to the home page</a>' in text


@pytest.mark.django_db
def test_built_assets_are_served_with_debug_off(settings):
    assert not settings.DEBUG

    response = Client().get("/static/ui/dist/app.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_a_key_is_not_written_until_there_is_something_to_serve(tmp_path):
    assert secret_key(tmp_path, keep=False) != secret_key(tmp_path, keep=False)
    assert configured(tmp_path)[1] != configured(tmp_path)[1]  # no database yet
    assert not (tmp_path / FILE_NAME).exists()

    kept = secret_key(tmp_path)

    assert secret_key(tmp_path, keep=False) == kept
