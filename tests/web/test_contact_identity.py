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
