"""The daily run and completing items, through the database (E21, E23)."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from attendwise.web.cases.models import Case, Event, Letter, Task
from attendwise.web.cases.services import (
    LetterRenderer,
    SchoolRules,
    TaskError,
    complete_task,
    daily_run,
    draft_many,
)
from attendwise.web.register.models import Mark, MarkRevision
from attendwise.web.ui.models import LetterTemplate
from tests.factories import (
    both,
    full_register,
    make_contact,
    make_pupil,
    make_school,
    reference_calendar,
    store_marks,
)

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2025, 9, 3), D(2025, 12, 19)
AT = dt.datetime(2025, 9, 30, 8, 0, tzinfo=dt.UTC)


def officer():
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="officer")
    return user


def school_with(absences, **pupil_fields):
    school = make_school()
    pupil = make_pupil(school, **pupil_fields)
    make_contact(pupil)
    calendar = reference_calendar()
    store_marks(
        pupil, full_register(calendar, first=START, last=END, absences=absences)
    )
    return school, pupil


def run_days(school, first, last):
    for day in reference_calendar().school_days_between(first, last):
        daily_run(school, day)


def open_task(pupil, title):
    return Task.objects.get(pupil=pupil, title=title, status=Task.Status.PROPOSED)


def e23_absences():
    absences = {}
    for day in reference_calendar().school_days_between(D(2025, 9, 8), D(2025, 10, 14)):
        if day.weekday() in (0, 1):
            absences |= both(day, "O")
    return absences


def test_e23_through_the_database_with_staff_confirming():
    school, pupil = school_with(e23_absences())
    run_days(school, START, D(2025, 9, 16))
    letter = open_task(pupil, "Letter 1")
    assert letter.proposed_on == D(2025, 9, 16)
    assert letter.payload["reasons"] == [
        "attendance this year is 60.0% (12 of 20 sessions), below the school target "
        "of 96%"
    ]

    drafts = list(letter.letters.all())
    assert [d.status for d in drafts] == [Letter.Status.DRAFT]
    assert drafts[0].merge["attendance_percent"] == "60.0%"

    complete_task(letter, action="confirm", on=D(2025, 9, 16), user=officer())
    assert [d.status for d in letter.letters.all()] == [Letter.Status.APPROVED]
    run_days(school, D(2025, 9, 17), D(2025, 9, 22))
    assert open_task(pupil, "Penalty notice to be considered").proposed_on == D(
        2025, 9, 22
    )

    run_days(school, D(2025, 9, 23), D(2025, 10, 7))
    question = open_task(pupil, "Is the absence due to illness or medical reasons?")
    complete_task(
        question, action="answer", option="no", on=D(2025, 10, 7), user=officer()
    )
    letter2 = open_task(pupil, "Letter 2")
    assert letter2.proposed_on == D(2025, 10, 7)

    run_days(school, D(2025, 10, 8), D(2025, 10, 14))
    escalation = open_task(pupil, "Escalate to Stage 3")
    complete_task(escalation, action="confirm", on=D(2025, 10, 14), user=officer())

    letter2.refresh_from_db()
    assert letter2.status == Task.Status.SUPERSEDED
    # The ongoing procedures go on whatever the stage.
    assert open_task(pupil, "Penalty notice to be considered")
    case = Case.objects.get(pupil=pupil)
    assert (case.stage, case.state["node"]) == (3, "C0")
    choice = open_task(pupil, "Enforcement or support?")
    assert choice.payload["recommendation"].startswith("enforcement")
    assert open_task(pupil, "Referral to the Local Authority for specialist assessment")
    kinds = list(Event.objects.filter(pupil=pupil).values_list("kind", flat=True))
    assert kinds.count("case opened") == 1
    assert "escalated" in kinds


def test_two_people_confirming_the_same_item_only_one_succeeds():
    school, pupil = school_with(e23_absences())
    run_days(school, START, D(2025, 9, 16))
    first = open_task(pupil, "Letter 1")
    second = Task.objects.get(pk=first.pk)

    complete_task(first, action="confirm", on=D(2025, 9, 16), user=officer())
    with pytest.raises(TaskError, match="already been completed"):
        complete_task(second, action="confirm", on=D(2025, 9, 16), user=officer())
    assert Event.objects.filter(pupil=pupil, kind="confirmed").count() == 1


def test_e21_n_to_o_confirmed_keeps_the_old_mark_in_history():
    school, pupil = school_with(both(D(2025, 10, 2), "N"))
    run_days(school, START, D(2025, 10, 9))
    item = open_task(pupil, "Change N to O: Thu 02 Oct (AM, PM)")
    assert item.proposed_on == D(2025, 10, 9)

    complete_task(item, action="confirm", on=D(2025, 10, 9), user=officer())

    marks = Mark.objects.filter(pupil=pupil, date=D(2025, 10, 2))
    assert sorted(marks.values_list("code", flat=True)) == ["O", "O"]
    assert sorted(MarkRevision.objects.values_list("code", flat=True)) == ["N", "N"]


def test_a_proposal_whose_marks_change_is_withdrawn_with_its_reason():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    school, pupil = school_with(absences)
    run_days(school, START, D(2025, 9, 15))
    letter_l = open_task(pupil, "Letter L")

    Mark.objects.filter(pupil=pupil, date=D(2025, 9, 15), session="AM").update(code="L")
    daily_run(school, D(2025, 9, 16))

    letter_l.refresh_from_db()
    assert letter_l.status == Task.Status.WITHDRAWN
    assert Event.objects.filter(pupil=pupil, kind="withdrawn").exists()


def test_the_daily_run_refuses_a_day_the_school_is_closed():
    school, _ = school_with({})
    with pytest.raises(TaskError, match="not a school day"):
        daily_run(school, D(2025, 10, 28))


def test_confirming_letter_l_approves_its_letter_with_the_lates_counted():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    school, pupil = school_with(absences)
    run_days(school, START, D(2025, 9, 15))
    letter_l = open_task(pupil, "Letter L")
    assert [d.status for d in letter_l.letters.all()] == [Letter.Status.DRAFT]

    complete_task(letter_l, action="confirm", on=D(2025, 9, 15), user=officer())

    [letter] = letter_l.letters.all()
    assert letter.status == Letter.Status.APPROVED
    assert letter.merge["attendance_percent"] == "83.3%"


def test_a_letter_approved_by_confirming_is_dated_by_the_school_day_given():
    # `attendwise confirm ITEM --on 2025-09-15` (or the demo's replay) runs
    # on a later day by the clock: the approval belongs to the day given.
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    school, pupil = school_with(absences)
    run_days(school, START, D(2025, 9, 15))
    letter_l = open_task(pupil, "Letter L")

    complete_task(letter_l, action="confirm", on=D(2025, 9, 16), user=officer())

    [letter] = letter_l.letters.all()
    event = Event.objects.get(pupil=pupil, kind="letter.approved")
    assert event.school_day == D(2025, 9, 16)
    assert (event.recorded_at, event.actor) == (letter.approved_at, officer())


def test_a_letter_that_cannot_be_drafted_cannot_be_confirmed():
    absences = {
        (D(2025, 9, 8), "AM"): "U",
        (D(2025, 9, 10), "AM"): "U",
        (D(2025, 9, 15), "AM"): "U",
    }
    school, pupil = school_with(absences)
    pupil.contacts.all().delete()
    run_days(school, START, D(2025, 9, 15))
    letter_l = open_task(pupil, "Letter L")

    with pytest.raises(TaskError, match="could not be drafted"):
        complete_task(letter_l, action="confirm", on=D(2025, 9, 15), user=officer())

    letter_l.refresh_from_db()
    assert letter_l.status == Task.Status.PROPOSED


def test_an_item_nobody_completes_keeps_its_due_day_and_becomes_overdue():
    from attendwise.web.cases.worklist import worklist

    school, pupil = school_with(e23_absences())
    run_days(school, START, D(2025, 9, 22))
    notice = open_task(pupil, "Penalty notice to be considered")
    assert notice.due_on == D(2025, 9, 22)

    run_days(school, D(2025, 9, 23), D(2025, 9, 24))

    notice.refresh_from_db()
    assert notice.due_on == D(2025, 9, 22)
    groups = {i.task.pk: i.group for i in worklist(school, D(2025, 9, 24))}
    assert groups[notice.pk] == "Overdue"


def test_a_letter_waiting_to_be_confirmed_keeps_the_figures_its_draft_shows():
    school, pupil = school_with(e23_absences())
    run_days(school, START, D(2025, 9, 16))
    letter = open_task(pupil, "Letter 1")
    drafted = dict(letter.figures)
    assert letter.letters.get().merge["attendance_percent"] == "60.0%"

    # Mon 22 Sep and Tue 23 Sep are further absences (E23's pattern).
    run_days(school, D(2025, 9, 17), D(2025, 9, 23))

    letter.refresh_from_db()
    assert letter.figures == drafted
    assert letter.payload["reasons"] == [
        "attendance this year is 60.0% (12 of 20 sessions), below the school target "
        "of 96%"
    ]
    complete_task(letter, action="confirm", on=D(2025, 9, 23), user=officer())
    confirmed = Event.objects.filter(pupil=pupil, kind="letter.approved").get()
    assert confirmed.figures == drafted


# Many letters at once: rendered by the workers, each stored with its own PDF

FORENAMES = [
    "Ayla",
    "Bryn",
    "Cerys",
    "Dilys",
    "Eira",
    "Ffion",
    "Gethin",
    "Heledd",
    "Iolo",
]


def letter_tasks(school, kinds):
    tasks = []
    for number, (forename, kind) in enumerate(zip(FORENAMES, kinds, strict=False)):
        pupil = make_pupil(
            school, mis_id=f"20{number}", legal_forename=forename, legal_surname="Test"
        )
        make_contact(pupil, surname=f"{forename}s")
        tasks.append(
            Task.objects.create(
                school=school,
                pupil=pupil,
                key=f"{kind}-2025",
                kind="letter",
                node="L1",
                title="Letter 1",
                role="C&FSW",
                status=Task.Status.PROPOSED,
                proposed_on=D(2025, 9, 29),
                due_on=D(2025, 9, 29),
                first_indicated_on=D(2025, 9, 29),
                figures={
                    "period_first": "2025-09-03",
                    "period_last": "2025-09-29",
                    "possible": 38,
                    "attended": 20 + number,
                    "unauthorised": 1,
                },
                payload={"letter": kind, "target_percent": 96},
            )
        )
    return tasks


def letter_text(letter):
    from django.conf import settings

    reader = PdfReader(Path(settings.LETTERS_DIR) / letter.pdf_path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_letters_rendered_by_the_workers_each_hold_their_own_pupil_only():
    school = make_school()
    tasks = letter_tasks(school, ["letter_1"] * len(FORENAMES))

    with LetterRenderer(workers=2) as renderer:
        letters = draft_many(
            SchoolRules.of(school), tasks, D(2025, 9, 30), renderer=renderer
        )

    assert [letter.task for letter in letters] == tasks
    for number, (letter, forename) in enumerate(zip(letters, FORENAMES, strict=True)):
        text = letter_text(letter)
        assert f"Dear Ms {forename}s" in text
        assert (
            f"{forename}'s attendance from 3 September 2025 to 29 September 2025"
            in text
        )
        assert f"Sessions attended {20 + number}" in text
        others = [name for name in FORENAMES if name != forename]
        assert [name for name in others if name in text] == []
        assert (
            letter.sha256
            == hashlib.sha256(
                (Path(settings.LETTERS_DIR) / letter.pdf_path).read_bytes()
            ).hexdigest()
        )


def test_a_letter_that_fails_to_render_does_not_stop_the_others():
    school = make_school()
    LetterTemplate.objects.create(
        school=school,
        updated_at=AT,
        updated_by=officer(),
        kind="letter_2",
        source='{% extends "base.html" %}{% block body %}'
        '<img src="http://127.0.0.1:9/logo.png">{% endblock %}',
    )
    kinds = ["letter_1", "letter_1", "letter_2", *["letter_1"] * 6]
    tasks = letter_tasks(school, kinds)

    letters = draft_many(SchoolRules.of(school), tasks, D(2025, 9, 30))

    assert [letter.task for letter in letters] == tasks[:2] + tasks[3:]
    [event] = Event.objects.filter(pupil=tasks[2].pupil, kind="letter not drafted")
    assert "letters may only use files packaged with Attendwise" in event.summary


def test_a_letter_withdrawn_then_proposed_again_is_drafted_on_the_new_figures():
    lates = {(D(2025, 9, day), "AM"): "U" for day in (8, 10, 15)}
    school, pupil = school_with(lates)
    run_days(school, START, D(2025, 9, 15))
    letter_l = open_task(pupil, "Letter L")
    assert letter_l.letters.get().merge["attendance_percent"] == "83.3%"  # 15 of 18
    last_late = Mark.objects.filter(pupil=pupil, date=D(2025, 9, 15), session="AM")
    last_late.update(code="L")
    daily_run(school, D(2025, 9, 16))
    letter_l.refresh_from_db()
    assert letter_l.status == Task.Status.WITHDRAWN

    last_late.update(code="U")
    daily_run(school, D(2025, 9, 17))

    letter_l.refresh_from_db()
    assert letter_l.status == Task.Status.PROPOSED
    [draft] = letter_l.letters.filter(status=Letter.Status.DRAFT)
    assert draft.merge["attendance_percent"] == "86.4%"  # 19 of 22 sessions
