"""What staff record about a contact stays with that person across imports."""

import pytest

from attendwise.sources.base import ImportRejected
from attendwise.web.register import services
from attendwise.web.register.models import Contact
from tests.factories import make_pupil, make_school
from tests.web.register_factories import snapshot

pytestmark = pytest.mark.django_db

HEADER = (
    "Student ID,Priority,Relationship,Parental Responsibility,Title,Forename,"
    "Surname,Lives With Pupil,Address Line 1,Town,Postcode,Mobile,Email\n"
)
MOTHER = "Mother,Y,Mrs,Clare,Watkins,Y,1 Road,Town,ZY1 1AA,,"
FATHER = "Father,Y,Mr,Dennis,Watkins,N,2 Lane,Town,ZY2 2BB,,"


def test_a_court_order_bar_follows_the_person_when_priorities_swap():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(
        court_order_bar=True, receives_correspondence=False
    )

    swapped = f"{HEADER}4001,1,{FATHER}\n4001,2,{MOTHER}\n"
    services.import_contacts(school, swapped.encode(), "contacts.csv")

    father = Contact.objects.get(forename="Dennis")
    mother = Contact.objects.get(forename="Clare")
    assert (father.priority, father.court_order_bar) == (1, True)
    assert not father.receives_correspondence
    assert (mother.priority, mother.court_order_bar) == (2, False)
    assert mother.receives_correspondence


def test_a_name_corrected_in_the_mis_keeps_the_bar_staff_recorded():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(court_order_bar=True)

    corrected = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER.replace('Dennis', 'Denis')}\n"
    result = services.import_contacts(school, corrected.encode(), "contacts.csv")

    father = Contact.objects.get(pupil__mis_id="4001", priority=2)
    assert (father.forename, father.court_order_bar) == ("Denis", True)
    assert (result.report.counts["created"], result.report.counts["changed"]) == (0, 1)
    assert Contact.objects.filter(pupil__mis_id="4001").count() == 2


def test_a_file_that_would_remove_a_barred_contact_is_rejected_and_says_what_to_do():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(court_order_bar=True)
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        services.import_contacts(
            school, f"{HEADER}4001,1,{MOTHER}\n".encode(), "contacts.csv"
        )

    assert [error.reason for error in rejected.value.report.errors] == [
        "pupil 4001's contact 2 is recorded in Attendwise as barred by a court "
        "order and is no longer in the file, so importing it would remove the "
        "contact and the bar with it: if this is the same person under a "
        "corrected name or relationship, clear the bar in Attendwise, import, "
        "then set it on the contact again; if they are no longer a contact, "
        "clear the bar first"
    ]
    assert snapshot() == before


def test_the_bar_error_names_no_one_when_name_and_relationship_both_change():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(court_order_bar=True)
    renamed = FATHER.replace("Dennis", "Denis").replace("Father", "Stepfather")

    with pytest.raises(ImportRejected) as rejected:
        services.import_contacts(
            school,
            f"{HEADER}4001,1,{MOTHER}\n4001,2,{renamed}\n".encode(),
            "contacts.csv",
        )

    message = str(rejected.value)
    assert "contact 2" in message
    assert "Dennis" not in message
    assert "Denis" not in message
    assert Contact.objects.get(pupil__mis_id="4001", priority=2).forename == "Dennis"


def test_a_cleared_bar_lets_the_file_remove_the_contact():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")

    result = services.import_contacts(
        school, f"{HEADER}4001,1,{MOTHER}\n".encode(), "contacts.csv"
    )

    assert result.report.counts["removed"] == 1
    assert list(Contact.objects.values_list("forename", flat=True)) == ["Clare"]


def test_a_no_correspondence_contact_leaving_the_file_is_a_warning_that_says_so():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(receives_correspondence=False)

    result = services.import_contacts(
        school, f"{HEADER}4001,1,{MOTHER}\n".encode(), "contacts.csv"
    )

    assert [w.reason for w in result.report.warnings] == [
        "pupil 4001's contact 2 is no longer in the file: removed (it was recorded "
        "as not to receive correspondence: check whether that applies to one of "
        "the pupil's contacts in the file)"
    ]
