"""The contact settings page: who may change a contact's letters, and how."""

import pytest

from attendwise.web.register.models import Contact, PupilChange
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.factories import make_contact, make_pupil, make_school
from tests.ui.factories import signed_in, staff
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db

BAR = {
    "court_order_bar": "yes",
    "receives_correspondence": "yes",
    "reason": "Court order seen",
    "seen_bar": "no",
    "seen_correspondence": "yes",
}


@pytest.fixture
def contact():
    return make_contact(make_pupil(make_school()))


def url(contact):
    return f"/pupils/{contact.pupil_id}/contacts/{contact.pk}/"


def test_the_page_offers_both_settings_and_a_reason(contact):
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))

    response = client.get(url(contact))

    assert response.status_code == 200
    check_page(response)
    text = response.content.decode()
    assert "Barred by a court order from receiving information about the child" in text
    assert 'name="seen_bar" value="no"' in text


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.HEAD, Role.SAFEGUARDING, Role.ADMIN]
)
def test_staff_who_may_change_contacts_set_a_bar(contact, role):
    user = staff(contact.pupil.school, role)

    response = signed_in(user).post(url(contact), BAR)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.court_order_bar, contact.receives_correspondence) == (True, True)
    change = PupilChange.objects.get(pupil=contact.pupil)
    assert (change.field, change.changed_by, change.reason) == (
        "court_order_bar",
        user,
        "Court order seen",
    )
    entry = AuditEntry.objects.get(action="contact.changed")
    assert (entry.user, entry.pupil_id, entry.safeguarding) == (
        user,
        contact.pupil_id,
        False,
    )
    assert entry.summary == (
        "Contact 1 of Sam Example: barred by a court order; receives correspondence"
    )


def test_the_pupil_page_shows_the_bar_and_a_change_link(contact):
    Contact.objects.filter(pk=contact.pk).update(
        court_order_bar=True, receives_correspondence=False
    )
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))

    response = client.get(f"/pupils/{contact.pupil_id}/")

    check_page(response)
    text = response.content.decode()
    assert "Barred by a court order</strong>" in text
    assert "Receives no correspondence</strong>" in text
    assert f'href="{url(contact)}"' in text


def test_a_read_only_user_cannot_open_or_change_a_contact(contact):
    client = signed_in(staff(contact.pupil.school, Role.READ_ONLY))

    assert client.get(url(contact)).status_code == 403
    assert client.post(url(contact), BAR).status_code == 403
    assert not Contact.objects.get(pk=contact.pk).court_order_bar


def test_another_schools_contact_is_not_found(contact):
    other = make_school("oak-lane")
    client = signed_in(staff(other, Role.OFFICER))

    assert client.get(url(contact)).status_code == 404
    assert client.post(url(contact), BAR).status_code == 404
    assert not Contact.objects.get(pk=contact.pk).court_order_bar


def test_another_pupils_contact_id_is_not_found(contact):
    sibling = make_pupil(contact.pupil.school, "1002")
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))

    response = client.get(f"/pupils/{sibling.pk}/contacts/{contact.pk}/")

    assert response.status_code == 404


def test_the_page_answers_get_and_post_only(contact):
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))

    response = client.put(url(contact))

    assert response.status_code == 405


def test_a_change_without_a_reason_is_shown_on_the_form(contact):
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))

    response = client.post(url(contact), BAR | {"reason": ""})

    assert response.status_code == 400
    check_page(response)
    assert "Say why this changes" in response.content.decode()
    assert not Contact.objects.get(pk=contact.pk).court_order_bar


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(contact):
    client = signed_in(staff(contact.pupil.school, Role.OFFICER))
    Contact.objects.filter(pk=contact.pk).update(receives_correspondence=False)

    response = client.post(url(contact), BAR)

    assert response.status_code == 409
    check_page(response)
    assert "Someone else has changed this contact" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.court_order_bar, contact.receives_correspondence) == (False, False)
    assert not AuditEntry.objects.filter(action="contact.changed").exists()


def test_a_bar_set_on_the_page_drafts_the_open_letters_again_without_that_parent():
    from attendwise.web.cases.models import Letter
    from tests.ui.factories import open_task, pupil_with_case, run_through

    school = make_school()
    pupil = pupil_with_case(school)
    father = make_contact(
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
    task = open_task(pupil, "Letter 1")
    assert Letter.objects.filter(task=task).count() == 2

    response = signed_in(staff(school, Role.OFFICER)).post(url(father), BAR)

    assert response.status_code == 302
    [draft] = Letter.objects.filter(task=task)
    assert (draft.status, draft.addressees["names"]) == (
        Letter.Status.DRAFT,
        ["Ms Alex Example"],
    )
