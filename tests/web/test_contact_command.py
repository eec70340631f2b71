"""`attendwise contact` lists and changes contacts by the web page's rules."""

import pytest

from attendwise.cli import main
from attendwise.web.register.models import Contact, PupilChange
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.factories import make_contact, make_pupil, make_school
from tests.ui.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return make_contact(make_pupil(make_school(), "4001"))


def contact_command(*extra):
    return main(["contact", "4001", "--school", "forest-view", *extra])


def test_without_a_change_it_lists_the_contacts_and_their_settings(contact, capsys):
    staff(contact.pupil.school, Role.HEAD, "head")

    assert contact_command("--user", "head") == 0

    assert capsys.readouterr().out == (
        "contact 1: Ms Alex Example (Mother): not barred by a court order; "
        "receives correspondence\n"
    )


def test_an_officer_sets_a_bar_with_a_reason(contact, capsys):
    officer = staff(contact.pupil.school, Role.OFFICER, "officer")

    status = contact_command(
        "--user", "officer", "--contact", "1", "--court-order-bar", "yes",
        "--reason", "Court order seen",
    )  # fmt: skip

    assert status == 0
    assert capsys.readouterr().out == (
        "contact 1 of pupil 4001: barred by a court order; receives "
        "correspondence; letters not yet approved are drafted again.\n"
    )
    contact.refresh_from_db()
    assert (contact.court_order_bar, contact.receives_correspondence) == (True, True)
    change = PupilChange.objects.get()
    assert (change.changed_by, change.reason) == (officer, "Court order seen")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.path, entry.safeguarding) == (
        "contact.changed",
        "attendwise contact",
        False,
    )


def test_a_change_without_a_reason_is_refused_and_records_nothing(contact, capsys):
    staff(contact.pupil.school, Role.OFFICER, "officer")

    status = contact_command(
        "--user", "officer", "--contact", "1", "--correspondence", "no"
    )

    assert status == 1
    assert capsys.readouterr().err.startswith("attendwise contact: say why")
    assert Contact.objects.get().receives_correspondence
    assert not PupilChange.objects.exists()


def test_a_read_only_user_may_not_list_or_change_contacts(contact, capsys):
    staff(contact.pupil.school, Role.READ_ONLY, "gov")

    status = contact_command(
        "--user", "gov", "--contact", "1", "--court-order-bar", "yes",
        "--reason", "x",
    )  # fmt: skip

    assert status == 1
    assert capsys.readouterr().err == (
        "attendwise contact: gov (Read-only (trust or governor): figures only) "
        "may not see or change a pupil's contacts. Nothing was recorded\n"
    )
    assert not Contact.objects.get().court_order_bar


def test_staff_of_another_school_are_refused(contact, capsys):
    staff(make_school("oak-lane"), Role.OFFICER, "elsewhere")

    assert contact_command("--user", "elsewhere") == 1

    assert "is a member of staff at" in capsys.readouterr().err


def test_an_unknown_priority_is_refused(contact, capsys):
    staff(contact.pupil.school, Role.OFFICER, "officer")

    status = contact_command(
        "--user", "officer", "--contact", "3", "--court-order-bar", "yes",
        "--reason", "Court order seen",
    )  # fmt: skip

    assert status == 1
    assert capsys.readouterr().err == (
        "attendwise contact: pupil 4001 has no contact 3 (priorities: 1). "
        "Nothing was recorded\n"
    )
