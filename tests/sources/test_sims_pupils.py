"""Reading the SIMS pupils and contacts files."""

import datetime as dt

import pytest

from attendwise.core.upn import upn_check_letter
from attendwise.sources.base import ReportBuilder, ValueProblem, WarningKind
from attendwise.sources.sims import (
    check_upn,
    parse_year,
    read_contacts,
    read_pupils,
)
from tests.conftest import SHARED
from tests.import_factories import (
    IMPORT_DAY,
    contact_row,
    contacts_csv,
    pupil_row,
    pupils_csv,
)


def pupils(*rows):
    report = ReportBuilder("pupils.csv")
    found = read_pupils(pupils_csv(*rows), report, on=IMPORT_DAY)
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
    with pytest.raises(ValueProblem, match="the check letter should be A, not B"):
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


def test_a_row_with_other_mistakes_still_has_its_dates_checked():
    _, report = pupils(
        pupil_row(
            fsm="yes", born="09/06/2030", entry="03/09/2025", leaving="01/09/2025"
        )
    )

    assert report.error_lines() == [
        "pupils.csv line 2, field FSM: 'yes' is not Y or N",
        "pupils.csv line 2, field Leaving Date: the pupil leaves (01/09/2025) "
        "before they join (03/09/2025)",
        "pupils.csv line 2, field Date of Birth: the Date of Birth is in the future "
        "(after 11/12/2025, the day of this import): correct it in the MIS",
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

    found = read_pupils(
        (oakfield / "pupils.csv").read_bytes(), pupil_report, on=IMPORT_DAY
    )
    found_contacts = read_contacts(
        (oakfield / "contacts.csv").read_bytes(), contact_report
    )

    assert pupil_report.build().error_lines() == []
    assert contact_report.build().error_lines() == []
    assert len(found) == 600
    assert len(found_contacts) == 835
    assert sum(pupil.leaving_date is not None for pupil in found) == 5
    assert {pupil.year_group for pupil in found} == {7, 8, 9, 10, 11}


# -- one UPN, one child --------------------------------------------------------

UPN = "A886412318001"


def test_one_upn_for_two_student_ids_is_an_error_naming_both_lines():
    found, report = pupils(
        pupil_row("4001", upn=UPN),
        pupil_row("4002", upn=upn_check_letter("886412318002") + "886412318002"),
        pupil_row("4003", upn=UPN),
    )

    assert report.error_lines() == [
        "pupils.csv line 4, field UPN: the UPN is also pupil 4001's, on line 2: a "
        "UPN belongs to one child, so one of the two is wrong; correct it in the MIS"
    ]
    assert UPN not in repr(report)
    assert [pupil.mis_id for pupil in found] == ["4001", "4002"]


def test_one_pupil_twice_with_their_upn_is_read_once_not_a_duplicate_upn():
    found, report = pupils(pupil_row("4001", upn=UPN), pupil_row("4001", upn=UPN))

    assert report.ok
    assert len(found) == 1


def test_pupils_without_a_upn_are_not_duplicates_of_each_other():
    found, report = pupils(pupil_row("4001"), pupil_row("4002"), pupil_row("4003"))

    assert report.ok
    assert len(found) == 3


# -- dates of birth ------------------------------------------------------------


def read_on(on, *rows):
    report = ReportBuilder("pupils.csv")
    found = read_pupils(pupils_csv(*rows), report, on=on)
    return found, report.build()


def test_a_date_of_birth_after_the_day_of_the_import_is_an_error_without_the_date():
    _, report = read_on(
        dt.date(2025, 12, 11), pupil_row("4001", born="12/12/2025", entry="03/09/2025")
    )

    assert report.error_lines() == [
        "pupils.csv line 2, field Date of Birth: the Date of Birth is in the future "
        "(after 11/12/2025, the day of this import): correct it in the MIS"
    ]
    assert "12/12/2025" not in repr(report)


def test_the_day_of_the_import_is_the_one_passed_in_not_the_clock():
    row = pupil_row("4001", born="01/01/2026", entry="01/01/2026", year="")

    before, early = read_on(dt.date(2025, 12, 31), row)
    after, late = read_on(dt.date(2028, 1, 2), row)

    assert (early.error_count, before) == (1, ())
    assert late.error_lines() == []
    assert after[0].date_of_birth == dt.date(2026, 1, 1)


def test_a_date_of_birth_after_the_entry_date_is_an_error():
    _, report = read_on(
        dt.date(2025, 12, 11), pupil_row("4001", born="04/09/2025", entry="03/09/2025")
    )

    assert report.error_lines() == [
        "pupils.csv line 2, field Date of Birth: the Date of Birth is after the "
        "Entry Date (03/09/2025): a pupil cannot join before they are born; "
        "correct one of them in the MIS"
    ]


@pytest.mark.parametrize(
    ("born", "entry", "leaving"),
    [
        ("03/09/2023", "03/09/2025", ""),  # 2 on joining a nursery
        ("12/12/2000", "03/09/2019", ""),  # 24 in a special school's sixth form
        ("12/12/1999", "03/09/2019", ""),  # 25 until 12/12/2025
        ("01/01/1990", "03/09/2005", "20/07/2015"),  # 25 when they left
        ("", "03/09/2025", ""),  # not known
    ],
)
def test_ages_from_2_to_25_are_not_reported(born, entry, leaving):
    found, report = read_on(
        dt.date(2025, 12, 11),
        pupil_row("4001", born=born, entry=entry, leaving=leaving),
    )

    assert (len(found), report.error_lines(), report.warning_lines()) == (1, [], [])


@pytest.mark.parametrize(
    ("born", "entry", "leaving", "reason"),
    [
        (
            "04/09/2024",
            "03/09/2025",
            "",
            "pupil 4001 was under 2 when they joined on 03/09/2025, by their Date "
            "of Birth: stored as given; check it in the MIS",
        ),
        (
            "10/12/1985",
            "03/09/2025",
            "",
            "pupil 4001 is over 25 on 11/12/2025, by their Date of Birth: stored as "
            "given; check it in the MIS",
        ),
        (
            "01/01/1980",
            "03/09/2005",
            "20/07/2010",
            "pupil 4001 was over 25 on 20/07/2010, by their Date of Birth: stored "
            "as given; check it in the MIS",
        ),
    ],
)
def test_an_age_outside_2_to_25_is_stored_with_a_warning(born, entry, leaving, reason):
    found, report = read_on(
        dt.date(2025, 12, 11),
        pupil_row("4001", born=born, entry=entry, leaving=leaving),
    )

    assert len(found) == 1
    assert report.error_lines() == []
    assert report.warning_lines() == [
        f"pupils.csv line 2, field Date of Birth: {reason}"
    ]
    assert born not in repr(report)
    assert report.warning_counts == {WarningKind.UNUSUAL_AGE: 1}


# -- personal data in reports ---------------------------------------------------


def test_a_personal_value_is_not_repeated_in_its_error_but_a_code_is():
    _, report = pupils(
        pupil_row(
            "4001",
            surname="Featherstonehaugh-" + "Cholmondeley" * 8,
            born="31/02/2014",
            upn="886412318001",
            gender="Q",
        )
    )

    assert report.error_lines() == [
        "pupils.csv line 2, field UPN: the UPN has only digits and has lost its "
        "leading letter: the file went through a spreadsheet that read the UPN as "
        "a number: export it again straight from the MIS, or format the column as "
        "Text",
        "pupils.csv line 2, field Legal Surname: the Legal Surname is 114 "
        "characters long; at most 100 fit",
        "pupils.csv line 2, field Gender: 'Q' is not M, F, U or X (or blank)",
        "pupils.csv line 2, field Date of Birth: the Date of Birth is not a real "
        "date (day is out of range for month)",
    ]
    assert [error.value for error in report.errors] == [None, None, "Q", None]
    for personal in ("Featherstone", "31/02/2014", "886412318001"):
        assert personal not in repr(report)


def test_a_contacts_personal_values_are_not_repeated_in_their_errors():
    _, report = contacts(
        contact_row(
            forename="",
            postcode="OK1 1AA TOO LONG",
            email="clare." + "x" * 200 + "@example.org",
            mobile="07700 900001 " * 4,
        )
    )

    assert report.error_lines() == [
        "contacts.csv line 2, field Forename: the Forename is missing",
        "contacts.csv line 2, field Postcode: the Postcode is 16 characters long; "
        "at most 10 fit",
        "contacts.csv line 2, field Mobile: the Mobile is 51 characters long; at "
        "most 40 fit",
        "contacts.csv line 2, field Email: the Email is 218 characters long; at "
        "most 200 fit",
    ]
    for personal in ("OK1 1AA", "clare.", "07700"):
        assert personal not in repr(report)
