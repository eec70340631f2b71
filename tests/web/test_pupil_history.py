"""Pupils and contacts over time: joiners, leavers, dual registration, siblings."""

import pytest

from attendwise.web.register.models import Pupil, PupilChange
from attendwise.web.register.people import history, sibling_groups, siblings
from attendwise.web.register.services import import_contacts, import_pupils
from tests.import_factories import (
    IMPORT_DAY,
    contact_row,
    contacts_csv,
    pupil_row,
    pupils_csv,
)
from tests.web.register_factories import make_school

pytestmark = pytest.mark.django_db


def changes(mis_id: str) -> list[tuple[str, str, str, str, str]]:
    return [
        (c.kind, c.subject, c.field, c.before, c.after)
        for c in history(Pupil.objects.get(mis_id=mis_id))
    ]


def test_a_joiner_and_a_leaver_are_recorded_with_their_dates():
    school = make_school()
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)

    import_pupils(
        school,
        pupils_csv(
            pupil_row("4001", leaving="17/10/2025"),
            pupil_row("4002", entry="03/11/2025"),
        ),
        "pupils.csv",
        on=IMPORT_DAY,
    )

    assert changes("4001") == [
        ("joined", "pupil", "entry_date", "", "2025-09-03"),
        ("left", "pupil", "leaving_date", "", "2025-10-17"),
    ]
    assert changes("4002") == [("joined", "pupil", "entry_date", "", "2025-11-03")]


def test_a_pupil_who_returns_after_leaving_is_recorded_as_returned():
    school = make_school()
    import_pupils(
        school, pupils_csv(pupil_row("4001", leaving="17/10/2025")), "p", on=IMPORT_DAY
    )

    import_pupils(school, pupils_csv(pupil_row("4001")), "p", on=IMPORT_DAY)

    assert changes("4001")[-1] == (
        "returned",
        "pupil",
        "leaving_date",
        "2025-10-17",
        "",
    )


def test_dual_registration_is_read_and_its_change_kept():
    school = make_school()
    import_pupils(
        school,
        pupils_csv([*pupil_row("4001"), "C"], enrolment=True),
        "pupils.csv",
        on=IMPORT_DAY,
    )

    import_pupils(
        school,
        pupils_csv([*pupil_row("4001"), "M"], enrolment=True),
        "pupils.csv",
        on=IMPORT_DAY,
    )
    import_pupils(
        school, pupils_csv(pupil_row("4001")), "without the column.csv", on=IMPORT_DAY
    )

    assert Pupil.objects.get().enrolment_status == "M"
    assert changes("4001")[-1] == ("changed", "pupil", "enrolment_status", "C", "M")


def test_an_unknown_enrolment_status_is_an_error():
    from attendwise.sources.base import ImportRejected

    with pytest.raises(ImportRejected, match="'D' is not C, M, S or G"):
        import_pupils(
            make_school(),
            pupils_csv([*pupil_row("4001"), "D"], enrolment=True),
            "p",
            on=IMPORT_DAY,
        )


def test_changes_of_address_and_parental_responsibility_are_kept():
    school = make_school()
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)
    import_contacts(
        school,
        contacts_csv(
            contact_row("4001", "1"),
            contact_row(
                "4001",
                "2",
                relationship="Stepfather",
                responsibility="N",
                forename="Dan",
                title="Mr",
            ),
        ),
        "contacts.csv",
    )

    import_contacts(
        school,
        contacts_csv(
            contact_row("4001", "1", address="9 New Road", postcode="OK2 2BB"),
            contact_row(
                "4001",
                "2",
                relationship="Stepfather",
                responsibility="Y",
                forename="Dan",
                title="Mr",
            ),
        ),
        "contacts.csv",
    )

    assert changes("4001")[-3:] == [
        (
            "contact changed",
            "contact 1",
            "address_line_1",
            "1 High Street",
            "9 New Road",
        ),
        ("contact changed", "contact 1", "postcode", "OK1 1AA", "OK2 2BB"),
        ("contact changed", "contact 2", "parental_responsibility", "N", "Y"),
    ]


def test_a_contact_added_and_one_removed_are_kept_with_who_they_were():
    school = make_school()
    import_pupils(school, pupils_csv(pupil_row("4001")), "pupils.csv", on=IMPORT_DAY)
    import_contacts(school, contacts_csv(contact_row("4001", "1")), "contacts.csv")

    import_contacts(
        school,
        contacts_csv(contact_row("4001", "2", forename="Ann", relationship="Aunt")),
        "contacts.csv",
    )

    kinds = [(kind, subject) for kind, subject, *_ in changes("4001")]
    assert kinds[-3:] == [
        ("contact added", "contact 1"),
        ("contact added", "contact 2"),
        ("contact removed", "contact 1"),
    ]
    removed = PupilChange.objects.get(kind="contact removed")
    assert "forename: Clare" in removed.before


def test_siblings_share_a_parent_with_parental_responsibility():
    school = make_school()
    import_pupils(
        school,
        pupils_csv(*(pupil_row(mis_id) for mis_id in ("4001", "4002", "4003", "4004"))),
        "pupils.csv",
        on=IMPORT_DAY,
    )
    import_contacts(
        school,
        contacts_csv(
            contact_row("4001", "1", email="clare@example.org"),
            contact_row("4002", "1", email="CLARE@example.org ", mobile=""),
            # Same mobile number written another way.
            contact_row(
                "4003", "1", email="", mobile="+44 7700 900001", postcode="ZZ1 1ZZ"
            ),
            # A step-parent without parental responsibility links nobody.
            contact_row("4004", "1", responsibility="N"),
        ),
        "contacts.csv",
    )

    groups = [[p.mis_id for p in group] for group in sibling_groups(school)]

    assert groups == [["4001", "4002", "4003"]]
    assert [p.mis_id for p in siblings(Pupil.objects.get(mis_id="4002"))] == [
        "4001",
        "4003",
    ]
    assert siblings(Pupil.objects.get(mis_id="4004")) == []
