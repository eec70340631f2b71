"""Reading the SIMS pupils and contacts files."""

import datetime as dt

import pytest

from attendwise.sources.base import ReportBuilder, ValueProblem
from attendwise.sources.sims import (
    check_upn,
    parse_year,
    read_contacts,
    read_pupils,
)
from tests.conftest import SHARED
from tests.import_factories import contact_row, contacts_csv, pupil_row, pupils_csv


def pupils(*rows):
    report = ReportBuilder("pupils.csv")
    found = read_pupils(pupils_csv(*rows), report)
    return found, report.build()


def contacts(*rows):
    report = ReportBuilder("contacts.csv")
    found = read_contacts(contacts_csv(*rows), report)
    return found, report.build()


def test_a_pupil_row_becomes_typed_values():
    found, report = pupils(
        pupil_row(
            "4008",
            upn="A886412318001",
            year="Year 7",
            fsm="Y",
            sen="K",
            entry="03/09/2025",
            leaving="20/10/2025",
        )
    )

    assert report.ok
    (pupil,) = found
    assert (pupil.mis_id, pupil.upn, pupil.year_group, pupil.fsm, pupil.sen) == (
        "4008",
        "A886412318001",
        7,
        True,
        "K",
    )
    assert pupil.date_of_birth == dt.date(2014, 6, 9)
    assert (pupil.entry_date, pupil.leaving_date) == (
        dt.date(2025, 9, 3),
        dt.date(2025, 10, 20),
    )


def test_a_blank_leaving_date_means_still_on_roll():
    (pupil,), _ = pupils(pupil_row(leaving=""))

    assert pupil.leaving_date is None


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Year 7", 7),
        ("Year 11", 11),
        ("7", 7),
        ("Year R", 0),
        ("Reception", 0),
        ("", None),
    ],
)
def test_year_groups_are_numbers(text, year):
    assert parse_year(text) == year


@pytest.mark.parametrize("text", ["Year Seven", "Y7", "Year 15", "Nursery"])
def test_a_year_that_is_not_a_year_group_is_an_error(text):
    with pytest.raises(ValueProblem):
        parse_year(text)


def test_a_upn_with_the_wrong_check_letter_is_mistyped():
    assert check_upn("A886412318001") == "A886412318001"
    with pytest.raises(
        ValueProblem, match="has the check letter B, but its digits need A"
    ):
        check_upn("B886412318001")


def test_each_bad_field_of_a_pupil_is_reported_with_its_column():
    _, report = pupils(
        pupil_row(
            "4001",
            surname="",
            gender="Q",
            fsm="yes",
            sen="S",
            entry="2025-09-03",
            leaving="",
        )
    )

    assert report.error_lines() == [
        "pupils.csv line 2, field Legal Surname: the Legal Surname is missing",
        "pupils.csv line 2, field Gender: 'Q' is not M, F, U or X (or blank)",
        "pupils.csv line 2, field FSM: 'yes' is not Y or N",
        "pupils.csv line 2, field SEN Status: 'S' is not N, K or E",
        "pupils.csv line 2, field Entry Date: '2025-09-03' is not a date in the "
        "form DD/MM/YYYY",
    ]


def test_a_leaving_date_before_the_entry_date_is_an_error():
    _, report = pupils(pupil_row(entry="03/09/2025", leaving="01/09/2025"))

    assert report.error_lines() == [
        "pupils.csv line 2, field Leaving Date: the pupil leaves (01/09/2025) "
        "before they join (03/09/2025)"
    ]


def test_a_value_too_long_for_the_database_is_an_error():
    _, report = pupils(pupil_row(reg_group="R" * 21))

    assert report.error_lines() == [
        "pupils.csv line 2, field Reg Group: 'RRRRRRRRRRRRRRRRRRRR'... is 21 "
        "characters long; at most 20 fit"
    ]


def test_one_student_id_twice_with_different_values_is_an_error_naming_both_lines():
    _, report = pupils(
        pupil_row("4001", surname="Watkins"), pupil_row("4001", surname="Watkin")
    )

    assert report.error_lines() == [
        "pupils.csv line 3: pupil 4001 is on line 2 and again on line 3, with a "
        "different Legal Surname"
    ]


def test_one_pupil_twice_identically_is_read_once():
    found, report = pupils(pupil_row("4001"), pupil_row("4001"))

    assert len(found) == 1
    assert report.warning_lines() == [
        "pupils.csv line 3: repeats line 2 (pupil 4001); read once"
    ]


def test_a_contact_row_becomes_typed_values():
    (contact,), report = contacts(
        contact_row("4001", "2", relationship="Stepfather", responsibility="N")
    )

    assert report.ok
    assert (contact.pupil, contact.priority, contact.relationship) == (
        "4001",
        2,
        "Stepfather",
    )
    assert contact.parental_responsibility is False
    assert contact.lives_with_pupil is True


def test_a_contact_priority_must_be_a_positive_number():
    _, report = contacts(contact_row(priority="first"))

    assert report.error_lines() == [
        "contacts.csv line 2, field Priority: 'first' is not a priority from 1 to 99"
    ]


def test_two_different_contacts_at_one_priority_are_an_error():
    _, report = contacts(contact_row(forename="Clare"), contact_row(forename="Claire"))

    assert report.error_lines() == [
        "contacts.csv line 3: pupil 4001's contact 1 is on line 2 and again on "
        "line 3, with a different Forename"
    ]


def test_the_oakfield_pupils_and_contacts_read_without_a_problem():
    oakfield = SHARED / "samples/oakfield"
    pupil_report = ReportBuilder("pupils.csv")
    contact_report = ReportBuilder("contacts.csv")

    found = read_pupils((oakfield / "pupils.csv").read_bytes(), pupil_report)
    found_contacts = read_contacts(
        (oakfield / "contacts.csv").read_bytes(), contact_report
    )

    assert pupil_report.build().error_lines() == []
    assert contact_report.build().error_lines() == []
    assert len(found) == 600
    assert len(found_contacts) == 835
    assert sum(pupil.leaving_date is not None for pupil in found) == 5
    assert {pupil.year_group for pupil in found} == {7, 8, 9, 10, 11}
