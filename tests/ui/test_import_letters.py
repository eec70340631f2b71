"""Uploading files, print runs and the wording of letters, through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from attendwise.web.cases.models import Letter
from attendwise.web.cases.services import SchoolRules, draft_many
from attendwise.web.register.models import ImportRun, Pupil
from attendwise.web.ui.models import LetterTemplate
from attendwise.web.ui.roles import Role
from tests.import_factories import pupil_row, pupils_csv
from tests.ui.factories import TODAY, open_task, school_with_case, signed_in, staff
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, kind: str = "pupils"):  # type: ignore[no-untyped-def]
    return client.post(
        "/import/",
        {
            "kind": kind,
            "layout": "sims",
            "file": SimpleUploadedFile("pupils.csv", data),
        },
    )


def test_a_file_with_an_error_shows_its_line_and_field_and_imports_nothing():
    school, _ = school_with_case()
    client = signed_in(staff(school, Role.ADMIN))
    data = pupils_csv(pupil_row("4001"), pupil_row("4002", born="31/02/2014"))

    response = upload(client, data)

    assert response.status_code == 302
    page = client.get(response["Location"])
    check_page(page)
    text = page.content.decode()
    assert "cannot be imported: 1 error" in text
    assert ">3<" in text  # the line
    assert "Date of Birth" in text  # the field
    assert "31/02/2014" not in text  # a date of birth is personal data
    assert not Pupil.objects.filter(mis_id="4001").exists()


def test_a_date_of_birth_after_the_applications_today_is_an_error(settings):
    settings.TODAY = "2025-09-16"
    school, _ = school_with_case()
    client = signed_in(staff(school, Role.ADMIN))

    response = upload(client, pupils_csv(pupil_row("4001", born="17/09/2025")))

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "cannot be imported: 1 error" in page.content.decode()
    assert "the Date of Birth is in the future (after 16/09/2025" in (
        page.content.decode()
    )


def test_the_pupils_a_file_leaves_out_are_summed_up_with_the_full_list_on_demand():
    school, _ = school_with_case()
    client = signed_in(staff(school, Role.ADMIN))
    rows = [pupil_row(str(6000 + n)) for n in range(14)]
    Pupil.objects.bulk_create(
        Pupil(
            school=school,
            mis_id=str(7000 + n),
            legal_surname="Kept",
            legal_forename="Pupil",
            entry_date=TODAY,
        )
        for n in range(14)
    )

    checked = client.get(upload(client, pupils_csv(*rows))["Location"])

    assert checked.status_code == 200
    check_page(checked)
    text = checked.content.decode()
    assert text.count("not in this file") == 1
    assert "15 pupils on the roll are not in this file" in text
    assert "and 5 more" in text
    assert "Show all 15" in text
    assert "7013" in text  # listed in full behind the link


def test_a_good_file_is_checked_then_applied():
    school, _ = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))

    checked = client.get(
        upload(client, pupils_csv(pupil_row("4001"), pupil_row("4002")))["Location"]
    )
    assert checked.status_code == 200
    check_page(checked)
    assert "is ready to import" in checked.content.decode()
    assert checked.context["counts"] == [
        ("Rows read", "2"),
        ("Pupils in the file", "2"),
        ("New", "2"),
        ("Changed", "0"),
        ("Unchanged", "0"),
        ("Stored but not in the file (kept)", "1"),  # the case's pupil
    ]
    assert not Pupil.objects.filter(mis_id="4001").exists()
    job = checked.context["job"]

    applied = client.post(f"/import/jobs/{job.pk}/apply/")
    assert applied.status_code == 302
    assert set(
        Pupil.objects.filter(mis_id__in=["4001", "4002"]).values_list(
            "mis_id", flat=True
        )
    ) == {"4001", "4002"}
    again = client.post(f"/import/jobs/{job.pk}/apply/")
    assert again.status_code == 302  # the job is spent: nothing twice
    assert ImportRun.objects.filter(school=school, kind="pupils").count() == 1


def test_a_print_run_prints_each_approved_letter_once():
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))
    task = open_task(pupil, "Letter 1")
    client.post(f"/items/{task.pk}/", {"version": task.version, "decision": "confirm"})

    assert client.post("/letters/print/").status_code == 302
    letter = Letter.objects.get(task=task)
    assert letter.status == Letter.Status.PRINTED
    run = client.get("/letters/").context["runs"][0]
    pdf = client.get(f"/letters/print/{run.pk}.pdf")
    pages = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    assert len(pages) >= 1
    client.post("/letters/print/")
    assert list(client.get("/letters/").context["runs"]) == [run]


def test_a_letter_pdf_downloads_for_staff():
    school, pupil = school_with_case()
    letter = open_task(pupil, "Letter 1").letters.get()
    response = signed_in(staff(school, Role.OFFICER)).get(f"/letters/{letter.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_edited_wording_is_checked_previewed_saved_and_used_for_new_drafts():
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.HEAD))
    url = "/letters/wording/letter_1/"
    source = client.get(url).context["source"]

    bad = client.post(
        url,
        {
            "source": source.replace(
                "{% block body %}", "{% block body %}{{ shoe_size }}"
            )
        },
    )
    assert bad.status_code == 400
    assert "shoe_size" in bad.content.decode()

    mine = source.replace("{% block body %}", "{% block body %}<p>Our own words.</p>")
    preview = client.post(url + "preview/", {"source": mine})
    assert preview["Content-Type"] == "application/pdf"
    assert client.post(url, {"source": mine}).status_code == 302
    assert LetterTemplate.objects.get(school=school, kind="letter_1").source == mine

    task = open_task(pupil, "Letter 1")
    [letter] = draft_many(SchoolRules.of(school), [task], TODAY)
    from django.conf import settings

    text = (
        PdfReader(f"{settings.LETTERS_DIR}/{letter.pdf_path}").pages[0].extract_text()
    )
    assert "Our own words." in text
