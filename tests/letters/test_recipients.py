import pytest

from attendwise.letters.errors import LetterError
from attendwise.letters.recipients import addressees, named_parents
from tests.letters.examples import contact, father_elsewhere, stepfather_at_home


def test_parents_at_one_address_share_one_letter_that_names_both():
    mother = contact()
    father = contact(title="Mr", forename="Dennis", relationship="Father", priority=2)

    (letter,) = addressees([mother, father])

    assert letter.names == ("Mrs June Allen", "Mr Dennis Allen")
    assert letter.salutation == "Dear Mrs Allen and Mr Allen"
    assert letter.address_lines == ("23 Patricia Cliff", "Saraville", "LA90 8SP")


def test_separated_parents_get_a_letter_each_the_pupils_home_first():
    father = father_elsewhere(priority=1)
    mother = contact(priority=2)

    home, other = addressees([father, mother])

    assert home.names == ("Mrs June Allen",)
    assert home.is_home
    assert other.names == ("Mr Richard Price",)
    assert other.address_lines == ("38 Ashley Views", "South Billy", "BA4A 1ZF")
    assert not other.is_home


def test_no_letter_shows_another_households_address():
    letters = addressees([contact(), father_elsewhere()])

    for letter in letters:
        others = [
            c for c in (contact(), father_elsewhere()) if c not in letter.contacts
        ]
        shown = " ".join(letter.address_lines + letter.names)
        for other in others:
            assert other.postcode not in shown
            assert other.address_lines[0] not in shown


def test_a_step_parent_without_responsibility_who_lives_with_the_pupil_is_included():
    (letter,) = addressees([contact(), stepfather_at_home()])

    assert letter.names == ("Mrs June Allen", "Mr Philip Carey")


def test_a_relative_without_responsibility_elsewhere_gets_no_letter():
    grandmother = contact(
        forename="Clare",
        surname="Webb",
        relationship="Grandmother",
        parental_responsibility=False,
        lives_with_pupil=False,
        address_lines=("00 Jackson Lock",),
        postcode="N5S 3SX",
        priority=2,
    )

    (letter,) = addressees([contact(), grandmother])

    assert letter.names == ("Mrs June Allen",)


def test_a_parent_barred_by_a_court_order_gets_no_letter():
    barred = father_elsewhere(court_order_bar=True)

    assert [a.names for a in addressees([contact(), barred])] == [("Mrs June Allen",)]


def test_a_parent_marked_as_not_receiving_correspondence_gets_no_letter():
    quiet = father_elsewhere(receives_correspondence=False)

    assert [a.names for a in addressees([contact(), quiet])] == [("Mrs June Allen",)]


def test_addresses_match_whatever_their_case_and_spacing():
    mother = contact()
    father = contact(
        title="Mr",
        forename="Dennis",
        address_lines=("23  PATRICIA cliff ",),
        postcode="la908sp",
        priority=2,
    )

    (letter,) = addressees([mother, father])

    assert letter.names == ("Mrs June Allen", "Mr Dennis Allen")
    assert letter.address_lines == ("23 Patricia Cliff", "Saraville", "LA90 8SP")


def test_contacts_without_an_address_never_share_a_letter():
    first = contact(address_lines=(), town="", postcode="", lives_with_pupil=False)
    second = father_elsewhere(address_lines=(), town="", postcode="")

    letters = addressees([first, second])

    assert [letter.names for letter in letters] == [
        ("Mrs June Allen",),
        ("Mr Richard Price",),
    ]
    assert [letter.address_lines for letter in letters] == [(), ()]


def test_nobody_to_write_to_gives_no_letters():
    assert addressees([father_elsewhere(court_order_bar=True)]) == ()


def test_the_staffs_choice_replaces_the_default_recipients():
    mother = contact(contact_id=11)
    quiet = father_elsewhere(contact_id=12, receives_correspondence=False)

    letters = addressees([mother, quiet], chosen=[12])

    assert [letter.names for letter in letters] == [("Mr Richard Price",)]


def test_the_staff_cannot_choose_a_parent_barred_by_a_court_order():
    barred = father_elsewhere(contact_id=12, court_order_bar=True)

    with pytest.raises(LetterError, match="Richard Price may not receive letters"):
        addressees([contact(contact_id=11), barred], chosen=[11, 12])


def test_the_staff_cannot_choose_someone_who_is_not_a_contact():
    with pytest.raises(LetterError, match=r"contacts \[99\]"):
        addressees([contact(contact_id=11)], chosen=[99])


def test_a_referral_names_every_parent_in_law_whatever_their_correspondence():
    people = [
        contact(contact_id=1),
        stepfather_at_home(contact_id=2, priority=3),
        father_elsewhere(contact_id=3, court_order_bar=True),
    ]

    named = named_parents(people)

    assert [c.contact_id for c in named] == [1, 3, 2]


def test_a_penalty_referral_names_by_default_only_those_living_with_the_pupil():
    people = [contact(contact_id=1), father_elsewhere(contact_id=3)]

    assert [c.contact_id for c in named_parents(people, living_with_only=True)] == [1]
    assert [c.contact_id for c in named_parents(people, chosen=[1, 3])] == [1, 3]
