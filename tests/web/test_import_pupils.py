"""Importing pupils and contacts."""

import datetime as dt

import pytest

from attendwise.sources import sims
from attendwise.sources.base import ImportRejected, WarningKind
from attendwise.web.register.models import Contact, ImportRun, Pupil
from attendwise.web.register.services import import_contacts, import_pupils
from tests.import_factories import contact_row, contacts_csv, pupil_row, pupils_csv
from tests.web.register_factories import make_school, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


def test_pupils_are_created_with_every_field(school):
    data = pupils_csv(
        pupil_row("4001", upn="A886412318001", fsm="Y", sen="E", leaving="20/10/2025")
    )

    result = import_pupils(school, data, "pupils.csv")

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
    import_pupils(school, data, "pupils.csv")
    before = snapshot()

    again = import_pupils(school, data, "pupils.csv")

    assert (again.created, again.changed, again.unchanged, again.run) == (0, 0, 2, None)
    assert snapshot() == before


def test_a_changed_pupil_is_updated_and_one_left_out_is_kept_and_reported(school):
    import_pupils(school, pupils_csv(pupil_row("4001"), pupil_row("4002")), "a.csv")

    result = import_pupils(
        school, pupils_csv(pupil_row("4001", leaving="19/12/2025")), "b.csv"
    )

    assert (result.created, result.changed, result.unchanged) == (0, 1, 0)
    assert Pupil.objects.get(mis_id="4001").leaving_date == dt.date(2025, 12, 19)
    assert Pupil.objects.filter(mis_id="4002").exists()
    assert result.report.warning_lines() == [
        "b.csv: pupil 4002 is stored but not in this file: kept as they were"
    ]


def test_a_pupils_file_in_windows_1252_is_rejected_and_changes_nothing(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv")
    before = snapshot()
    data = pupils_csv(
        pupil_row("4001", surname="Changed"), pupil_row("4002", forename="Ren\u00e9e")
    )

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(school, data.decode().encode("cp1252"), "pupils.csv")

    assert rejected.value.report.error_lines() == [
        "pupils.csv line 3: byte 0xE9 (character 18 of the line) is not UTF-8: the "
        "file was saved in another encoding (such as Windows-1252); save it as "
        "'CSV UTF-8' and import it again"
    ]
    assert snapshot() == before


def test_an_empty_pupils_file_is_rejected_and_changes_nothing(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv")
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_pupils(school, b"", "pupils.csv")

    assert rejected.value.report.error_lines() == ["pupils.csv: the file is empty"]
    assert snapshot() == before


def test_contacts_are_stored_for_their_pupils(school):
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv")

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
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv")
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
        school, pupils_csv(pupil_row("4001"), pupil_row("4002")), "pupils.csv"
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
