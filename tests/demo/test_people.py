"""The demo school's pupils and contacts: realistic, and plainly fictional."""

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from attendwise.core.upn import validate_upn
from tests.demo.counting import autumn_school

#: Each test here runs on a whole generated autumn term.
pytestmark = pytest.mark.slow

#: The shape of a UK postcode (BS 7666), as an importer would check it.
UK_POSTCODE = re.compile(
    r"^[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2}$"
)
#: Ofcom's numbers for drama: they are never given to anyone.
DRAMA_NUMBER = re.compile(r"^(07700 900|01632 960)[0-9]{3}$")
DOCUMENTATION_EMAIL = re.compile(r"^[a-z0-9._]+@example\.(org|com|net)$")


def contacts_of() -> dict[int, list]:
    found = defaultdict(list)
    for contact in autumn_school().contacts:
        found[contact.student_id].append(contact)
    return found


def test_every_upn_is_distinct_with_a_valid_check_letter():
    upns = [pupil.upn for pupil in autumn_school().pupils]
    assert len(set(upns)) == len(upns)
    assert [upn for upn in upns if validate_upn(upn)] == []


def test_every_upn_is_in_la_999_which_no_local_authority_has():
    assert {pupil.upn[1:4] for pupil in autumn_school().pupils} == {"999"}


def test_dates_of_birth_match_the_year_group():
    for pupil in autumn_school().pupils:
        born_from = dt.date(2025 - pupil.year - 5, 9, 1)
        assert born_from <= pupil.date_of_birth < born_from.replace(born_from.year + 1)


def test_a_quarter_of_pupils_have_free_school_meals():
    fsm = sum(pupil.fsm for pupil in autumn_school().pupils)
    # Whole families are eligible, so the last one may pass a quarter by one.
    assert 150 <= fsm <= 151


def test_special_educational_needs_include_support_and_ehc_plans():
    sen = Counter(pupil.sen for pupil in autumn_school().pupils)
    assert set(sen) == {"N", "K", "E"}
    assert sen["K"] == 78
    assert sen["E"] == 21


def test_every_pupil_has_contacts_in_priority_order_led_by_a_parent():
    contacts = contacts_of()
    assert set(contacts) == {pupil.student_id for pupil in autumn_school().pupils}
    for rows in contacts.values():
        assert [c.priority for c in rows] == list(range(1, len(rows) + 1))
        assert rows[0].parental_responsibility
        assert rows[0].lives_with_pupil


def test_most_pupils_have_two_parents_at_one_address():
    together = [
        rows
        for rows in contacts_of().values()
        if len(rows) == 2
        and all(c.parental_responsibility and c.lives_with_pupil for c in rows)
        and len({(c.address_line_1, c.postcode) for c in rows}) == 1
    ]
    assert len(together) > len(autumn_school().pupils) / 2


def test_some_separated_parents_live_at_two_addresses():
    separated = [
        rows
        for rows in contacts_of().values()
        if any(c.parental_responsibility and not c.lives_with_pupil for c in rows)
    ]
    assert len(separated) >= 30
    for rows in separated:
        assert len({(c.address_line_1, c.postcode) for c in rows}) == 2


def test_some_step_parents_live_with_the_pupil_without_parental_responsibility():
    steps = [c for c in autumn_school().contacts if c.relationship.startswith("Step")]
    assert len(steps) >= 30
    assert all(c.lives_with_pupil and not c.parental_responsibility for c in steps)


def test_some_pupils_have_a_single_contact():
    single = [rows for rows in contacts_of().values() if len(rows) == 1]
    assert len(single) >= 60


def test_contact_details_are_fictional_but_well_formed():
    for contact in autumn_school().contacts:
        assert UK_POSTCODE.match(contact.postcode), contact.postcode
        assert contact.postcode.startswith("ZY")
        assert DRAMA_NUMBER.match(contact.mobile), contact.mobile
        assert DOCUMENTATION_EMAIL.match(contact.email), contact.email


def test_siblings_share_their_contacts():
    school = autumn_school()
    contacts = contacts_of()
    families = defaultdict(list)
    for pupil in school.pupils:
        families[pupil.family_id].append(pupil.student_id)
    siblings = [ids for ids in families.values() if len(ids) > 1]
    assert len(siblings) >= 30
    for ids in siblings:
        details = {
            tuple((c.forename, c.surname, c.postcode) for c in contacts[sid])
            for sid in ids
        }
        assert len(details) == 1
