"""Staff set a contact's court-order bar and correspondence; letters follow."""

import pytest

from attendwise.letters.errors import LetterError
from attendwise.web.cases.letters import approve_letter
from attendwise.web.cases.models import Letter, Task
from attendwise.web.cases.services import complete_task
from attendwise.web.register.models import Contact, PupilChange
from attendwise.web.register.services import (
    ContactError,
    ContactSettings,
    change_contact_settings,
)
from attendwise.web.ui.roles import Role
from tests.factories import make_contact, make_school
from tests.ui.factories import (
    TODAY,
    open_task,
    pupil_with_case,
    run_through,
    staff,
)

pytestmark = pytest.mark.django_db

ALLOWED = ContactSettings(court_order_bar=False, receives_correspondence=True)
BARRED = ContactSettings(court_order_bar=True, receives_correspondence=True)


@pytest.fixture
def two_parents():
    """Return a pupil with Letter 1 drafted to a mother and a father apart."""
    school = make_school()
    pupil = pupil_with_case(school)
    make_contact(
        pupil,
        2,
        relationship="Father",
        title="Mr",
        forename="Sam",
        address_line_1="2 Other Road",
        postcode="EX2 2BB",
        lives_with_pupil=False,
    )
    run_through(school)
    return pupil


def test_setting_a_bar_records_who_when_and_why_in_the_pupils_history(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    father = two_parents.contacts.get(priority=2)

    changes = change_contact_settings(
        father, BARRED, seen=ALLOWED, user=officer, reason="Court order seen"
    )

    assert [
        (c.kind, c.subject, c.field, c.before, c.after, c.changed_by, c.reason)
        for c in changes
    ] == [
        (
            "contact changed",
            "contact 2",
            "court_order_bar",
            "N",
            "Y",
            officer,
            "Court order seen",
        )
    ]
    assert PupilChange.objects.get(pupil=two_parents).import_run is None
    assert (father.court_order_bar, father.receives_correspondence) == (True, True)


def test_a_change_on_settings_someone_else_has_changed_is_refused(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    father = two_parents.contacts.get(priority=2)
    Contact.objects.filter(pk=father.pk).update(receives_correspondence=False)

    with pytest.raises(ContactError, match="someone else has changed this contact"):
        change_contact_settings(
            father, BARRED, seen=ALLOWED, user=officer, reason="Court order seen"
        )

    father.refresh_from_db()
    assert (father.court_order_bar, father.receives_correspondence) == (False, False)
    assert not PupilChange.objects.filter(pupil=two_parents).exists()


def test_a_change_needs_a_reason(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    father = two_parents.contacts.get(priority=2)

    with pytest.raises(ContactError, match="say why"):
        change_contact_settings(father, BARRED, seen=ALLOWED, user=officer, reason=" ")

    assert not Contact.objects.get(pk=father.pk).court_order_bar


def test_settings_already_as_wanted_record_nothing(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    father = two_parents.contacts.get(priority=2)

    changes = change_contact_settings(
        father, ALLOWED, seen=ALLOWED, user=officer, reason="Checked"
    )

    assert changes == []
    assert Letter.objects.filter(pupil=two_parents).count() == 2


def test_a_bar_withdraws_the_open_drafts_and_confirmation_drafts_anew(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    father = two_parents.contacts.get(priority=2)
    task = open_task(two_parents, "Letter 1")
    drafted = sorted(
        letter.addressees["names"] for letter in Letter.objects.filter(task=task)
    )
    assert drafted == [["Mr Sam Example"], ["Ms Alex Example"]]

    change_contact_settings(
        father, BARRED, seen=ALLOWED, user=officer, reason="Court order seen"
    )
    assert not Letter.objects.filter(task=task).exists()
    complete_task(task, action="confirm", on=TODAY, user=officer)

    letters = Letter.objects.filter(task=task)
    assert [(ltr.addressees["names"], ltr.status) for ltr in letters] == [
        (["Ms Alex Example"], Letter.Status.APPROVED)
    ]
    task.refresh_from_db()
    assert task.status == Task.Status.CONFIRMED


def test_a_draft_to_a_contact_barred_since_is_never_approved(two_parents):
    officer = staff(two_parents.school, Role.OFFICER, "officer")
    task = open_task(two_parents, "Letter 1")
    to_father = next(
        letter
        for letter in Letter.objects.filter(task=task)
        if letter.addressees["names"] == ["Mr Sam Example"]
    )
    # Set outside the service (the admin site, a script): no draft withdrawn.
    Contact.objects.filter(pupil=two_parents, priority=2).update(court_order_bar=True)

    with pytest.raises(LetterError, match="now barred by a court order"):
        approve_letter(to_father, officer, to_father.created_at, on=TODAY)

    to_father.refresh_from_db()
    assert to_father.status == Letter.Status.DRAFT
