"""Importing pupils and contacts."""

import datetime as dt

import pytest

from attendwise.core.upn import upn_check_letter
from attendwise.sources import sims
from attendwise.sources.base import ImportRejected, WarningKind
from attendwise.web.register.models import Contact, ImportRun, Pupil
from attendwise.web.register.services import import_contacts, import_pupils
from tests.import_factories import (
    IMPORT_DAY,
    contact_row,
    contacts_csv,
    pupil_row,
    pupils_csv,
)
from tests.web.register_factories import make_school, snapshot

pytestmark = pytest.mark.django_db

ON = IMPORT_DAY


@pytest.fixture
def school():
    return make_school()


def test_pupils_are_created_with_every_field(school):
    data = pupils_csv(
        pupil_row("4001", upn="A886412318001", fsm="Y", sen="E", leaving="20/10/2025")
    )

    result = import_pupils(school, data, "pupils.csv", on=IMPORT_DAY)

    assert (result.created, result.changed, result.unchanged) == (1, 0, 0)
    pupil = Pupil.objects.get()
    assert (pupil.school, pupil.mis_id, pupil.upn) == (school, "4001", "A886412318001")
    assert (pupil.legal_forename, pupil.legal_surname) == ("Pat", "Example")
    assert (pupil.year_group, pupil.fsm, pupil.sen) == (7, True, "E")
    assert pupil.entry_date == dt.date(2025, 9, 3)
    assert pupil.leaving_date == dt.date(2025, 10, 20)
    assert result.run == ImportRun.objects.get(kind="pupils")


def test_reimporting_the_pupils_file_changes_nothing(school):
    data = pupils_csv(pupil_row("4001"), pupil_row("4002"))
    import_pupils(school, data, "pupils.csv", on=IMPORT_DAY)
    before = snapshot()

    again = import_pupils(school, data, "pupils.csv", on=IMPORT_DAY)

    assert (again.created, again.changed, again.unchanged, again.run) == (0, 0, 2, None)
    assert snapshot() == before


def test_a_changed_pupil_is_updated_and_one_left_out_is_kept_and_reported(school):
    import_pupils(
        school, pupils_csv(pupil_row("4001"), pupil_row("4002")), "a.csv", on=IMPORT_DAY
    )

    result = import_pupils(
        school,
        pupils_csv(pupil_row("4001", leaving="19/12/2025")),
        "b.csv",
        on=IMPORT_DAY,
    )

    assert (result.created, result.changed, result.unchanged) == (0, 1, 0)
    assert Pupil.objects.get(mis_id="4001").leaving_date == dt.date(2025, 12, 19)
    assert Pupil.objects.filter(mis_id="4002").exists()
    assert result.report.warning_lines() == [
        "b.csv: 1 pupil on the roll is not in this file: kept as they were (only "
        "a leaving date takes a pupil off roll); Student ID 4002"
    ]


def test_a_pupils_file_in_windows_1252_is_rejected_and_changes_nothing(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)
    before = snapshot()
    data = pupils_csv(
        pupil_row("4001", surname="Changed"), pupil_row("4002", forename="Ren\u00e9e")
    )

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(
            school, data.decode().encode("cp1252"), "pupils.csv", on=IMPORT_DAY
        )

    assert rejected.value.report.error_lines() == [
        "pupils.csv line 3: byte 0xE9 (character 18 of the line) is not UTF-8: the "
        "file was saved in another encoding (such as Windows-1252); save it as "
        "'CSV UTF-8' and import it again"
    ]
    assert snapshot() == before


def test_an_empty_pupils_file_is_rejected_and_changes_nothing(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(school, b"", "pupils.csv", on=IMPORT_DAY)

    assert rejected.value.report.error_lines() == ["pupils.csv: the file is empty"]
    assert snapshot() == before


def test_contacts_are_stored_for_their_pupils(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)

    result = import_contacts(
        school,
        contacts_csv(
            contact_row("4001", "1"), contact_row("4001", "2", forename="Dennis")
        ),
        "contacts.csv",
    )

    assert result.created == 2
    first, second = Contact.objects.filter(pupil__mis_id="4001")
    assert (first.priority, first.forename, first.parental_responsibility) == (
        1,
        "Clare",
        True,
    )
    assert (second.priority, second.forename) == (2, "Dennis")


def test_a_contact_of_a_pupil_not_on_the_roll_rejects_the_file(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_contacts(
            school,
            contacts_csv(contact_row("4001"), contact_row("4999")),
            "contacts.csv",
        )

    assert rejected.value.report.error_lines() == [
        "contacts.csv line 3, field Student ID: pupil '4999' is not on the roll of "
        "Oakfield Academy (1 row); import the pupils file first"
    ]
    assert snapshot() == before


def test_a_contact_gone_from_the_file_is_removed_and_school_settings_are_kept(school):
    import_pupils(
        school,
        pupils_csv(pupil_row("4001"), pupil_row("4002")),
        "pupils.csv",
        on=IMPORT_DAY,
    )
    import_contacts(
        school,
        contacts_csv(
            contact_row("4001", "1"), contact_row("4001", "2", forename="Dennis")
        ),
        "a.csv",
    )
    Contact.objects.filter(priority=1).update(court_order_bar=True)

    result = import_contacts(
        school, contacts_csv(contact_row("4001", "1", mobile="07700900999")), "b.csv"
    )

    assert (result.created, result.changed, result.unchanged) == (0, 1, 0)
    assert result.report.counts["removed"] == 1
    contact = Contact.objects.get()
    assert (contact.mobile, contact.court_order_bar) == ("07700900999", True)
    assert result.report.warning_lines() == [
        "b.csv: pupil 4001's contact 2 is no longer in the file: removed",
        "b.csv: pupil 4002 has no contact: no letter can be addressed",
    ]
    assert result.report.warning_counts[WarningKind.NO_CONTACT] == 1


@pytest.mark.parametrize(
    ("model", "lengths"),
    [
        (Pupil, ["mis_id", "upn", "legal_surname", "legal_forename", "reg_group"]),
        (
            Contact,
            [
                "relationship",
                "title",
                "forename",
                "surname",
                "address_line_1",
                "town",
                "postcode",
                "mobile",
                "email",
            ],
        ),
    ],
)
def test_the_readers_check_the_lengths_the_database_holds(model, lengths):
    assert {name: sims.LENGTHS[name] for name in lengths} == {
        name: model._meta.get_field(name).max_length for name in lengths
    }


# -- one UPN, one child (per school) ------------------------------------------

UPN_1 = "A886412318001"
UPN_2 = upn_check_letter("886412318002") + "886412318002"


def test_a_new_pupil_with_a_stored_pupils_upn_is_rejected_and_changes_nothing(school):
    import_pupils(school, pupils_csv(pupil_row("4001", upn=UPN_1)), "a.csv", on=ON)
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(school, pupils_csv(pupil_row("4002", upn=UPN_1)), "b.csv", on=ON)

    assert rejected.value.report.error_lines() == [
        "b.csv line 2, field UPN: the UPN is pupil 4001's, stored for Oakfield "
        "Academy and not in this file: a UPN belongs to one child. If this is "
        "pupil 4001 back again, the MIS should export them under that Student "
        "ID; otherwise one of the two UPNs is wrong: correct it in the MIS"
    ]
    assert UPN_1 not in repr(rejected.value.report)
    assert snapshot() == before


def test_a_pupil_back_under_a_new_student_id_is_rejected_naming_the_leaver(school):
    import_pupils(
        school,
        pupils_csv(pupil_row("4001", upn=UPN_1, leaving="17/10/2025")),
        "a.csv",
        on=ON,
    )

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(
            school,
            pupils_csv(pupil_row("5001", upn=UPN_1, entry="03/11/2025")),
            "b.csv",
            on=ON,
        )

    (line,) = rejected.value.report.error_lines()
    assert line.startswith(
        "b.csv line 2, field UPN: the UPN is pupil 4001's, who left on 17/10/2025, "
    )


def test_a_pupil_who_left_and_returned_under_their_student_id_is_no_duplicate(school):
    import_pupils(
        school,
        pupils_csv(pupil_row("4001", upn=UPN_1, leaving="17/10/2025")),
        "a.csv",
        on=ON,
    )

    result = import_pupils(
        school, pupils_csv(pupil_row("4001", upn=UPN_1)), "b.csv", on=ON
    )

    assert (result.created, result.changed) == (0, 1)
    assert Pupil.objects.get().leaving_date is None


def test_the_same_pupils_reimported_with_their_upns_change_nothing(school):
    data = pupils_csv(pupil_row("4001", upn=UPN_1), pupil_row("4002", upn=UPN_2))
    import_pupils(school, data, "pupils.csv", on=ON)
    before = snapshot()

    again = import_pupils(school, data, "pupils.csv", on=ON)

    assert (again.created, again.changed, again.unchanged, again.run) == (0, 0, 2, None)
    assert snapshot() == before


def test_upns_put_right_between_two_pupils_in_one_file_are_accepted(school):
    import_pupils(
        school,
        pupils_csv(pupil_row("4001", upn=UPN_1), pupil_row("4002", upn=UPN_2)),
        "a.csv",
        on=ON,
    )

    result = import_pupils(
        school,
        pupils_csv(pupil_row("4001", upn=UPN_2), pupil_row("4002", upn=UPN_1)),
        "swapped.csv",
        on=ON,
    )

    assert result.changed == 2
    assert dict(Pupil.objects.values_list("mis_id", "upn")) == {
        "4001": UPN_2,
        "4002": UPN_1,
    }


def test_a_upn_moved_to_a_new_pupil_from_one_in_the_file_is_accepted(school):
    import_pupils(school, pupils_csv(pupil_row("4001", upn=UPN_1)), "a.csv", on=ON)

    import_pupils(
        school,
        pupils_csv(pupil_row("4001", upn=UPN_2), pupil_row("4002", upn=UPN_1)),
        "b.csv",
        on=ON,
    )

    assert dict(Pupil.objects.values_list("mis_id", "upn")) == {
        "4001": UPN_2,
        "4002": UPN_1,
    }


def test_the_same_upn_at_another_school_is_accepted(school):
    # Dual registration, or a move: each school keeps its own roll.
    elm = make_school("elm", name="Elm School")
    import_pupils(elm, pupils_csv(pupil_row("E17", upn=UPN_1)), "elm.csv", on=ON)

    result = import_pupils(
        school, pupils_csv(pupil_row("4001", upn=UPN_1)), "oak.csv", on=ON
    )

    assert result.created == 1
    assert Pupil.objects.filter(upn=UPN_1).count() == 2


# -- a partial pupils file -----------------------------------------------------


def test_a_partial_pupils_file_sums_up_the_pupils_it_leaves_out_in_one_warning(
    school,
):
    on_roll = [pupil_row(str(4000 + n)) for n in range(1, 26)]
    leavers = [
        pupil_row(
            str(5000 + n), leaving="18/07/2025", entry="01/09/2020", born="01/09/2008"
        )
        for n in range(1, 4)
    ]
    import_pupils(school, pupils_csv(*on_roll, *leavers), "all.csv", on=ON)

    result = import_pupils(
        school,
        pupils_csv(pupil_row("4001", reg_group="7B"), *on_roll[1:3]),
        "7A only.csv",
        on=ON,
    )

    (warning,) = result.report.warnings
    assert warning.kind is WarningKind.NOT_IN_FILE
    assert str(warning) == (
        "7A only.csv: 22 pupils on the roll and 3 who left are not in this file: "
        "kept as they were (only a leaving date takes a pupil off roll); on the "
        "roll: Student IDs 4004, 4005, 4006, 4007, 4008, 4009, 4010, 4011, 4012, "
        "4013 and 12 more"
    )
    assert warning.items == (
        *(str(4000 + n) for n in range(4, 26)),
        "5001",
        "5002",
        "5003",
    )
    assert result.report.counts["not in file"] == 25
    assert Pupil.objects.filter(school=school).count() == 28
    (stored,) = result.run.warnings
    assert stored["items"] == list(warning.items)


def test_the_summary_of_pupils_left_out_is_listed_after_many_other_warnings(school):
    import_pupils(school, pupils_csv(pupil_row("9999")), "a.csv", on=ON)
    toddlers = [
        pupil_row(str(4000 + n), born="01/01/2025", year="") for n in range(250)
    ]

    result = import_pupils(school, pupils_csv(*toddlers), "b.csv", on=ON)

    assert result.report.warning_counts == {
        WarningKind.UNUSUAL_AGE: 250,
        WarningKind.NOT_IN_FILE: 1,
    }
    assert result.report.warnings[-1].kind is WarningKind.NOT_IN_FILE
