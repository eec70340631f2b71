"""Recipients over the Oakfield sample's real-looking contacts."""

import csv
from collections import defaultdict

import pytest

from attendwise.letters.recipients import ContactInfo, addressees
from tests.conftest import SHARED

CONTACTS = SHARED / "samples" / "oakfield" / "contacts.csv"


def oakfield_contacts() -> dict[str, list[ContactInfo]]:
    by_pupil: dict[str, list[ContactInfo]] = defaultdict(list)
    with CONTACTS.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            by_pupil[row["Student ID"]].append(
                ContactInfo(
                    title=row["Title"],
                    forename=row["Forename"],
                    surname=row["Surname"],
                    relationship=row["Relationship"],
                    parental_responsibility=row["Parental Responsibility"] == "Y",
                    lives_with_pupil=row["Lives With Pupil"] == "Y",
                    address_lines=(row["Address Line 1"],),
                    town=row["Town"],
                    postcode=row["Postcode"],
                    priority=int(row["Priority"]),
                )
            )
    return by_pupil


@pytest.fixture(scope="module")
def contacts() -> dict[str, list[ContactInfo]]:
    return oakfield_contacts()


def test_separated_parents_at_two_addresses_get_two_letters(contacts):
    letters = addressees(contacts["4004"])

    assert [(a.names, a.address_lines[-1]) for a in letters] == [
        (("Mrs June Allen",), "LA90 8SP"),
        (("Mr Richard Price",), "BA4A 1ZF"),
    ]


def test_a_stepfather_at_home_is_named_on_the_mothers_letter(contacts):
    (letter,) = addressees(contacts["4003"])

    assert letter.names == ("Mrs Helen Gibson", "Mr Graeme Gibson")


def test_no_oakfield_letter_mixes_two_households(contacts):
    copies = [a for people in contacts.values() for a in addressees(people)]

    # 600 homes, and 39 parents with responsibility who live elsewhere.
    assert len(copies) == 639
    for copy in copies:
        assert len({c.address_key for c in copy.contacts}) == 1
    assert sum(1 for copy in copies if not copy.is_home) == 39
