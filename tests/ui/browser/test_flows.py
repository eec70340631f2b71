"""A member of staff works through the day in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from attendwise.web.ui.roles import Role
from tests.factories import make_school
from tests.import_factories import pupil_row, pupils_csv
from tests.ui.browser.conftest import serious_violations
from tests.ui.factories import (
    PASSWORD,
    D,
    pupil_with_case,
    run_through,
    staff,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, username: str) -> None:
    page.goto("/sign-in/")
    assert serious_violations(page) == []
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_approves_a_letter_and_answers_the_check(page, settings, tmp_path):
    school = make_school()
    pupil_with_case(school)
    run_through(school)
    staff(school, Role.OFFICER, "pat")

    sign_in(page, "pat")
    page.wait_for_url("**/worklist/")
    assert page.get_by_role("heading", name="Worklist").is_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Letter 1").click()
    assert page.get_by_role("heading", name="Letter 1", exact=True).is_visible()
    assert serious_violations(page) == []
    page.get_by_label("Confirm").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/pupils/*/")
    assert page.get_by_text("Letter 1: confirmed.", exact=True).first.is_visible()
    assert serious_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Open the PDF").first.click()
    saved = tmp_path / "letter.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    run_through(school, D(2025, 10, 7))
    settings.TODAY = "2025-10-07"
    page.goto("/worklist/")
    page.get_by_role(
        "link", name="Is the absence due to illness or medical reasons?"
    ).click()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/pupils/*/")
    assert page.get_by_text(
        "Is the absence due to illness or medical reasons? no"
    ).first.is_visible()
    assert page.get_by_role("link", name="Letter 2", exact=True).is_visible()


def test_an_upload_with_an_error_shows_the_error(page, tmp_path):
    school = make_school()
    staff(school, Role.ADMIN, "ada")
    bad = tmp_path / "pupils.csv"
    bad.write_bytes(pupils_csv(pupil_row("4001", born="31/02/2014")))

    sign_in(page, "ada")
    page.goto("/import/")
    assert serious_violations(page) == []
    page.get_by_label("The pupils file").check()
    page.get_by_label("File (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()

    assert page.get_by_text("cannot be imported: 1 error").is_visible()
    row = page.get_by_role("row").filter(has_text="Date of Birth")
    assert "2" in row.inner_text()
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.HEAD, "/dashboard/"),
        (Role.HEAD, "/policy/"),
        (Role.HEAD, "/letters/"),
        (Role.HEAD, "/letters/wording/letter_1/"),
        (Role.HEAD, "/pupils/"),
        (Role.ADMIN, "/audit/"),
        (Role.READ_ONLY, "/dashboard/"),
    ],
)
def test_the_main_pages_have_no_serious_accessibility_problems(page, role, path):
    school = make_school()
    pupil_with_case(school)
    run_through(school)
    staff(school, role, "someone")
    sign_in(page, "someone")
    page.goto(path)
    assert page.title().endswith("Attendwise")
    assert serious_violations(page) == []
