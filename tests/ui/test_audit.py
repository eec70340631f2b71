"""The audit page: who opened or changed which record, Stage 4 kept private."""

from __future__ import annotations

import html5lib
import pytest
from django.test import Client

from attendwise.web.cases.models import Case, Task
from attendwise.web.register.models import Pupil
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.ui.factories import school_with_case, signed_in, staff
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db

MASH = "Record the referral to Children's Social Care (MASH)"


def dsl_opens_the_mash_referral() -> tuple[Client, Client, Pupil]:
    """Return the admin's and the lead's clients after the lead, signed in
    as `dsl`, records a concern and opens the MASH referral letter."""
    school, pupil = school_with_case()
    dsl = signed_in(staff(school, Role.SAFEGUARDING, "dsl"))
    case = Case.objects.get(pupil=pupil)
    dsl.post(
        f"/pupils/{pupil.pk}/action/",
        {"action": "record concern", "version": case.version, "reason": "disclosure"},
    )
    letter = Task.objects.get(pupil=pupil, title=MASH).letters.get()
    assert dsl.get(f"/letters/{letter.pk}.pdf").status_code == 200
    return signed_in(staff(school, Role.ADMIN)), dsl, pupil


def what_column(client: Client) -> list[str]:
    """Return the audit page's "What" column as text, newest first."""
    response = client.get("/audit/")
    assert response.status_code == 200
    check_page(response)
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    return [
        " ".join("".join(row.findall("td")[-1].itertext()).split())
        for row in document.iterfind(".//tbody/tr")
    ]


def test_entries_about_a_safeguarding_record_are_marked_when_written():
    _, _, pupil = dsl_opens_the_mash_referral()

    marked = AuditEntry.objects.filter(pupil=pupil).order_by("id")

    assert [(e.action, e.safeguarding) for e in marked] == [
        ("case.changed", True),
        ("letter.opened", True),
    ]


def test_the_admin_reads_that_a_safeguarding_record_was_opened_not_what_it_was():
    admin, _, pupil = dsl_opens_the_mash_referral()

    page = admin.get("/audit/").content.decode()

    assert what_column(admin) == [
        "Opened a safeguarding record (ask the safeguarding lead) (safeguarding)",
        "Changed a safeguarding record (ask the safeguarding lead) (safeguarding)",
    ]
    assert "MASH" not in page
    assert "concern" not in page
    assert f"?pupil={pupil.pk}" in page
    assert "dsl" in page


def test_the_safeguarding_lead_reads_what_each_safeguarding_entry_was():
    _, dsl, _ = dsl_opens_the_mash_referral()

    lines = what_column(dsl)

    letter = Task.objects.get(title=MASH).letters.get()
    assert lines == [
        f"Opened MASH referral (record) (letter {letter.pk}) (letter.opened)",
        "Record a safeguarding concern (case.changed)",
    ]


def test_ordinary_entries_read_the_same_for_the_admin():
    school, pupil = school_with_case()
    signed_in(staff(school, Role.OFFICER)).get(f"/pupils/{pupil.pk}/")

    lines = what_column(signed_in(staff(school, Role.ADMIN)))

    assert lines == ["Viewed Sam Example's record (pupil.viewed)"]
