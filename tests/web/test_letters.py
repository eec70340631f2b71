import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from attendwise.letters.errors import LetterError
from attendwise.letters.merge import Letterhead
from attendwise.web.cases.letters import approve_letter, draft_letters
from attendwise.web.cases.models import Case, Event, Letter, Task
from attendwise.web.register.models import Contact, Pupil, School

pytestmark = pytest.mark.django_db

D = dt.date
AT = dt.datetime(2025, 9, 30, 9, 15, tzinfo=dt.UTC)

# E20 as of Mon 29 Sep 2025: 36 of 38 sessions.
E20_FIGURES = {
    "period_first": "2025-09-03",
    "period_last": "2025-09-29",
    "possible": 38,
    "attended": 36,
    "unauthorised": 0,
    "i_possible": 38,
    "i_attended": 36,
}


@pytest.fixture(autouse=True)
def letters_dir(settings, tmp_path: Path) -> Path:
    settings.LETTERS_DIR = tmp_path
    return tmp_path


def make_pupil(**overrides: Any) -> Pupil:
    school, _ = School.objects.get_or_create(
        slug="oakfield",
        defaults={"name": "Oakfield Academy", "calendar_text": "", "policy_text": ""},
    )
    fields: dict[str, Any] = {
        "school": school,
        "mis_id": "4004",
        "legal_surname": "Allen",
        "legal_forename": "Pat",
        "year_group": 7,
        "reg_group": "7AB",
        "date_of_birth": D(2013, 3, 14),
        "entry_date": D(2025, 9, 3),
    }
    fields.update(overrides)
    return Pupil.objects.create(**fields)


def add_contact(pupil: Pupil, **overrides: Any) -> Contact:
    fields: dict[str, Any] = {
        "pupil": pupil,
        "priority": 1,
        "relationship": "Mother",
        "parental_responsibility": True,
        "title": "Mrs",
        "forename": "June",
        "surname": "Allen",
        "lives_with_pupil": True,
        "address_line_1": "23 Patricia Cliff",
        "town": "Saraville",
        "postcode": "LA90 8SP",
        "mobile": "01632 960123",
    }
    fields.update(overrides)
    return Contact.objects.create(**fields)


def add_father_elsewhere(pupil: Pupil, **overrides: Any) -> Contact:
    fields: dict[str, Any] = {
        "priority": 2,
        "relationship": "Father",
        "title": "Mr",
        "forename": "Richard",
        "surname": "Price",
        "lives_with_pupil": False,
        "address_line_1": "38 Ashley Views",
        "town": "South Billy",
        "postcode": "BA4A 1ZF",
    }
    fields.update(overrides)
    return add_contact(pupil, **fields)


def make_task(pupil: Pupil, letter: str = "letter_1", **overrides: Any) -> Task:
    fields: dict[str, Any] = {
        "school": pupil.school,
        "pupil": pupil,
        "key": f"{letter}-2025",
        "kind": "letter",
        "node": "L1",
        "title": "Letter 1",
        "role": "C&FSW",
        "status": Task.Status.CONFIRMED,
        "proposed_on": D(2025, 9, 29),
        "due_on": D(2025, 9, 29),
        "first_indicated_on": D(2025, 9, 29),
        "figures": dict(E20_FIGURES),
        "payload": {"letter": letter, "target_percent": 96},
    }
    fields.update(overrides)
    return Task.objects.create(**fields)


def draft(task: Task, **overrides: Any) -> list[Letter]:
    fields: dict[str, Any] = {
        "sender_name": "Sam Patel",
        "sender_role": "Child and Family Support Worker",
        "on_day": D(2025, 9, 30),
    }
    fields.update(overrides)
    return draft_letters(task, **fields)


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def make_user(name: str = "sam.patel") -> User:
    return User.objects.create(username=name)


def test_a_letter_to_one_household_is_one_pdf_with_the_figures(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)
    task = make_task(pupil)

    (letter,) = draft(task)

    path = letters_dir / letter.pdf_path
    assert letter.pdf_path == f"oakfield/2025/{pupil.pk}-{task.pk}-1.pdf"
    assert letter.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (letter.kind, letter.status) == ("letter_1", Letter.Status.DRAFT)
    assert letter.merge["attendance_percent"] == "94.7%"
    assert letter.merge["reference"] == f"4004/{task.pk}"
    text = pdf_text(path)
    for expected in (
        "Mrs June Allen",
        "23 Patricia Cliff",
        "30 September 2025",
        "36",
        "94.7%",
        "at least 96% of the time",
        "Sam Patel",
    ):
        assert expected in text, expected


def test_separated_parents_get_a_pdf_each_with_only_their_own_address(letters_dir):
    pupil = make_pupil()
    mother = add_contact(pupil)
    father = add_father_elsewhere(pupil)
    stepfather = add_contact(
        pupil,
        priority=3,
        relationship="Stepfather",
        parental_responsibility=False,
        title="Mr",
        forename="Philip",
        surname="Carey",
    )

    home, other = draft(make_task(pupil))

    assert home.addressees == {
        "key": "23patriciacliff|la908sp",
        "names": ["Mrs June Allen", "Mr Philip Carey"],
        "address_lines": ["23 Patricia Cliff", "Saraville", "LA90 8SP"],
        "contact_ids": [mother.pk, stepfather.pk],
    }
    assert other.addressees["names"] == ["Mr Richard Price"]
    assert other.addressees["contact_ids"] == [father.pk]
    assert "LA90 8SP" not in pdf_text(letters_dir / other.pdf_path)
    assert "BA4A 1ZF" not in pdf_text(letters_dir / home.pdf_path)
    assert other.pdf_path.endswith("-2.pdf")


def test_a_parent_barred_by_a_court_order_gets_no_copy():
    pupil = make_pupil()
    add_contact(pupil)
    add_father_elsewhere(pupil, court_order_bar=True)

    letters = draft(make_task(pupil))

    assert [letter.addressees["names"] for letter in letters] == [["Mrs June Allen"]]


def test_file_names_carry_no_names(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)

    draft(make_task(pupil))

    names = [p.name for p in letters_dir.rglob("*") if p.is_file()]
    assert len(names) == 1
    assert not any(word in names[0] for word in ("Allen", "Pat", "June"))


def test_drafting_again_replaces_the_drafts_and_their_files(
    letters_dir, django_capture_on_commit_callbacks
):
    pupil = make_pupil()
    add_contact(pupil)
    father = add_father_elsewhere(pupil)
    task = make_task(pupil)
    draft(task)
    father.delete()

    with django_capture_on_commit_callbacks(execute=True):
        (again,) = draft(task)

    assert list(Letter.objects.filter(task=task)) == [again]
    files = sorted(p.name for p in (letters_dir / "oakfield" / "2025").iterdir())
    assert files == [f"{pupil.pk}-{task.pk}-1.pdf"]


def test_drafting_again_never_replaces_an_approved_letter(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)
    add_father_elsewhere(pupil)
    task = make_task(pupil)
    home, _other = draft(task)
    approve_letter(home, make_user(), AT, on=AT.date())
    approved_bytes = (letters_dir / home.pdf_path).read_bytes()

    (redrafted,) = draft(task, sender_name="Alex Morgan")

    home.refresh_from_db()
    assert home.status == Letter.Status.APPROVED
    assert (letters_dir / home.pdf_path).read_bytes() == approved_bytes
    assert redrafted.addressees["names"] == ["Mr Richard Price"]
    assert redrafted.merge["sender_name"] == "Alex Morgan"
    assert redrafted.pdf_path != home.pdf_path
    assert Letter.objects.filter(task=task).count() == 2


def test_a_letter_is_approved_once_and_the_approval_recorded():
    pupil = make_pupil()
    add_contact(pupil)
    (letter,) = draft(make_task(pupil))
    user = make_user()

    approved = approve_letter(letter, user, AT, on=AT.date())

    assert (approved.status, approved.approved_at, approved.approved_by) == (
        Letter.Status.APPROVED,
        AT,
        user,
    )
    event = Event.objects.get(kind="letter.approved")
    assert event.summary == "Letter 1 to Mrs June Allen approved by sam.patel."
    assert (event.school_day, event.recorded_at, event.actor) == (
        D(2025, 9, 30),
        AT,
        user,
    )


def test_the_approval_is_dated_by_the_school_day_it_was_made_on_not_the_clock():
    # Confirmed on the evening of Friday 3 October from home, after midnight
    # in London (the CLI's --on, or a replay of the term run months later).
    pupil = make_pupil()
    add_contact(pupil)
    (letter,) = draft(make_task(pupil))
    user = make_user()
    late = dt.datetime(2025, 10, 3, 23, 30, tzinfo=dt.UTC)

    approved = approve_letter(letter, user, late, on=D(2025, 10, 3))

    assert approved.approved_at == late
    event = Event.objects.get(kind="letter.approved")
    assert (event.school_day, event.recorded_at) == (D(2025, 10, 3), late)


def test_a_second_approval_of_the_same_letter_is_refused():
    pupil = make_pupil()
    add_contact(pupil)
    (letter,) = draft(make_task(pupil))
    stale = Letter.objects.get(pk=letter.pk)
    approve_letter(letter, make_user(), AT, on=AT.date())

    with pytest.raises(LetterError, match="already been approved"):
        approve_letter(stale, make_user("alex.morgan"), AT, on=AT.date())

    assert Event.objects.filter(kind="letter.approved").count() == 1


def test_a_replaced_draft_cannot_be_approved():
    pupil = make_pupil()
    add_contact(pupil)
    task = make_task(pupil)
    (first,) = draft(task)
    draft(task)

    with pytest.raises(LetterError, match="has been replaced"):
        approve_letter(first, make_user(), AT, on=AT.date())


def test_a_pdf_changed_on_disk_cannot_be_approved(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)
    (letter,) = draft(make_task(pupil))
    (letters_dir / letter.pdf_path).write_bytes(b"%PDF-1.7 something else")

    with pytest.raises(LetterError, match="changed since it was drafted"):
        approve_letter(letter, make_user(), AT, on=AT.date())


def test_a_schools_edited_template_is_used_with_the_figures_merged_in(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)
    edited = (
        '{% extends "base.html" %}{% block body %}<p>Our own words: '
        "{{ pupil_forename }} attended {{ attended }} of {{ possible }} sessions "
        "({{ attendance_percent }}).</p>{% endblock %}"
    )

    (letter,) = draft(make_task(pupil), template_source=edited)

    assert "Our own words: Pat attended 36 of 38 sessions (94.7%)." in pdf_text(
        letters_dir / letter.pdf_path
    )


def test_a_letterhead_and_a_meeting_are_merged_in(letters_dir):
    pupil = make_pupil()
    add_contact(pupil)
    task = make_task(
        pupil,
        letter="letter_3",
        payload={
            "letter": "letter_3",
            "meeting": {"date": "2025-10-20", "time": "15:30", "place": "Room 4"},
        },
    )

    (letter,) = draft(
        task,
        letterhead=Letterhead("Oakfield Academy", ("Oakfield Road",), "01632 960000"),
    )

    text = pdf_text(letters_dir / letter.pdf_path)
    assert "Monday 20 October 2025 at 3.30pm, in Room 4" in text
    assert "Telephone 01632 960000" in text


def test_the_second_figures_line_shows_the_codes_left_out():
    pupil = make_pupil()
    add_contact(pupil)
    figures = E20_FIGURES | {
        "possible": 40,
        "attended": 32,
        "unauthorised": 2,
        "i_possible": 36,
        "i_attended": 32,
        "not_possible_codes": ["C2"],
    }

    (letter,) = draft(make_task(pupil, figures=figures))

    assert (letter.merge["attendance_percent"], letter.merge["intervention_line"]) == (
        "80.0%",
        "leaving out sessions coded C2: 88.9%",
    )
    assert (letter.merge["authorised"], letter.merge["unauthorised"]) == (6, 2)


def test_a_referral_goes_to_the_agency_naming_the_parents_and_the_history(
    letters_dir,
):
    pupil = make_pupil(upn="A801200001001")
    add_contact(pupil)
    add_father_elsewhere(pupil)
    case = Case.objects.create(
        school=pupil.school,
        pupil=pupil,
        academic_year=2025,
        stage=3,
        opened_on=D(2025, 9, 3),
    )
    for day, summary, safeguarding in (
        (D(2025, 9, 16), "Letter 1 sent.", False),
        (D(2025, 10, 1), "Concern recorded.", True),
    ):
        Event.objects.create(
            school=pupil.school,
            pupil=pupil,
            case=case,
            kind="note",
            school_day=day,
            recorded_at=AT,
            summary=summary,
            safeguarding=safeguarding,
        )
    task = make_task(pupil, letter="la_referral", case=case)

    (letter,) = draft(task, sender_role="Attendance Lead")

    assert letter.addressees["names"] == ["Local Authority attendance service"]
    assert [p["name"] for p in letter.merge["parents_named"]] == [
        "Mrs June Allen",
        "Mr Richard Price",
    ]
    assert letter.merge["pupil_address_lines"] == [
        "23 Patricia Cliff",
        "Saraville",
        "LA90 8SP",
    ]
    assert letter.merge["history"] == [
        {"date": "16 September 2025", "text": "Letter 1 sent."}
    ]
    text = pdf_text(letters_dir / letter.pdf_path)
    assert "A801200001001" in text
    assert "38 Ashley Views, South Billy, BA4A 1ZF" in text


def test_a_penalty_referral_names_by_default_the_parents_living_with_the_pupil():
    pupil = make_pupil()
    add_contact(pupil)
    add_father_elsewhere(pupil)
    task = make_task(
        pupil,
        letter="fpn_referral",
        payload={
            "letter": "fpn_referral",
            "penalty_window": {
                "first": "2025-07-14",
                "last": "2025-09-26",
                "unauthorised": 10,
            },
        },
    )

    (letter,) = draft(task)

    assert [p["name"] for p in letter.merge["parents_named"]] == ["Mrs June Allen"]
    assert letter.merge["threshold_unauthorised"] == 10


def test_a_dismissed_item_has_no_letters_drafted():
    pupil = make_pupil()
    add_contact(pupil)

    with pytest.raises(LetterError, match="dismissed"):
        draft(make_task(pupil, status=Task.Status.DISMISSED))


def test_an_item_without_figures_is_refused_with_the_missing_key():
    pupil = make_pupil()
    add_contact(pupil)
    figures = {k: v for k, v in E20_FIGURES.items() if k != "possible"}

    with pytest.raises(LetterError, match="lack 'possible'"):
        draft(make_task(pupil, figures=figures))


def test_a_pupil_with_nobody_to_write_to_is_refused():
    pupil = make_pupil()
    add_contact(pupil, court_order_bar=True)

    with pytest.raises(LetterError, match="Nobody can receive this letter"):
        draft(make_task(pupil))
