"""What staff record about a contact stays with that person across imports."""

import pytest

from attendwise.web.register import services
from attendwise.web.register.models import Contact
from tests.factories import make_pupil, make_school

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


def test_a_barred_contact_leaving_the_file_is_a_warning_that_says_so():
    school = make_school()
    make_pupil(school, mis_id="4001")
    first = f"{HEADER}4001,1,{MOTHER}\n4001,2,{FATHER}\n"
    services.import_contacts(school, first.encode(), "contacts.csv")
    Contact.objects.filter(forename="Dennis").update(court_order_bar=True)

    result = services.import_contacts(
        school, f"{HEADER}4001,1,{MOTHER}\n".encode(), "contacts.csv"
    )

    assert [w.reason for w in result.report.warnings] == [
        "pupil 4001's contact 2 is no longer in the file: removed (it was recorded "
        "as barred by a court order: check whether that applies to one of the "
        "pupil's contacts in the file)"
    ]
