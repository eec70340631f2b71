"""`attendwise confirm` and `case-action` follow the web application's rules.

The user must be staff of the item's school with a role that may complete
it; anyone else is refused with a plain message and nothing is recorded.
"""

import pytest
from django.contrib.auth.models import User

from attendwise.cli import main
from attendwise.web.cases.models import Event, Task
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.ui.factories import TODAY, open_task, school_with_case, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter_1():
    _, pupil = school_with_case()
    return open_task(pupil, "Letter 1")


def confirm(task, username):
    return main(
        ["confirm", str(task.pk), "--on", TODAY.isoformat(), "--user", username]
    )


def nothing_recorded(task):
    task.refresh_from_db()
    return (
        task.status == Task.Status.PROPOSED
        and not Event.objects.filter(pupil=task.pupil, kind="confirmed").exists()
    )


def test_an_officer_confirms_an_item_for_the_attendance_officer(letter_1, capsys):
    officer = staff(letter_1.school, Role.OFFICER, "officer")

    assert confirm(letter_1, "officer") == 0

    assert capsys.readouterr().out == f"#{letter_1.pk} Letter 1: confirmed.\n"
    letter_1.refresh_from_db()
    assert (letter_1.status, letter_1.decided_by) == (Task.Status.CONFIRMED, officer)
    entry = AuditEntry.objects.get(action="task.completed")
    assert (entry.user, entry.pupil_id, entry.summary, entry.path) == (
        officer,
        letter_1.pupil_id,
        "Letter 1: confirmed",
        "attendwise confirm",
    )


def test_a_read_only_user_cannot_confirm_an_item(letter_1, capsys):
    staff(letter_1.school, Role.READ_ONLY, "gov")

    assert confirm(letter_1, "gov") == 1

    assert capsys.readouterr().err == (
        f"attendwise confirm: gov (Read-only (trust or governor): figures only) "
        f"may not complete #{letter_1.pk}: it is for the Child and Family "
        "Support Worker. Nothing was recorded\n"
    )
    assert nothing_recorded(letter_1)


def test_staff_of_another_school_cannot_confirm_an_item_of_this_school(
    letter_1, capsys
):
    other, _ = school_with_case("elm")
    staff(other, Role.HEAD, "elm-head")

    assert confirm(letter_1, "elm-head") == 1

    assert capsys.readouterr().err == (
        f"attendwise confirm: elm-head is a member of staff at {other.name}, not "
        f"at {letter_1.school.name}. Nothing was recorded\n"
    )
    assert nothing_recorded(letter_1)


def test_an_officer_cannot_confirm_an_item_for_the_head(letter_1, capsys):
    Task.objects.filter(pk=letter_1.pk).update(role="head")
    staff(letter_1.school, Role.OFFICER, "officer")

    assert confirm(letter_1, "officer") == 1

    assert capsys.readouterr().err == (
        "attendwise confirm: officer (Attendance officer or Child and Family "
        f"Support Worker) may not complete #{letter_1.pk}: it is for the Head of "
        "Academy. Nothing was recorded\n"
    )
    assert nothing_recorded(letter_1)


def test_only_the_safeguarding_lead_confirms_a_safeguarding_item(letter_1, capsys):
    Task.objects.filter(pk=letter_1.pk).update(safeguarding=True)
    staff(letter_1.school, Role.HEAD, "head")
    staff(letter_1.school, Role.SAFEGUARDING, "dsl")

    assert confirm(letter_1, "head") == 1
    assert "it is for the designated safeguarding lead." in capsys.readouterr().err
    assert nothing_recorded(letter_1)

    assert confirm(letter_1, "dsl") == 0


def test_a_user_who_is_staff_of_no_school_is_told_to_use_add_user(letter_1, capsys):
    User.objects.create_superuser("root", password="x")

    assert confirm(letter_1, "root") == 1

    assert capsys.readouterr().err == (
        "attendwise confirm: root is not a member of staff at any school; give "
        "them a role with 'attendwise add-user root --school SLUG --role ROLE'. "
        "Nothing was recorded\n"
    )
    assert nothing_recorded(letter_1)


def case_action(task, username, action):
    return main(
        [
            "case-action",
            task.pupil.mis_id,
            "--school",
            task.school.slug,
            "--action",
            action,
            "--on",
            TODAY.isoformat(),
            "--user",
            username,
            "--reason",
            "a reason",
        ]
    )


def test_an_officer_cannot_record_a_safeguarding_concern(letter_1, capsys):
    staff(letter_1.school, Role.OFFICER, "officer")

    assert case_action(letter_1, "officer", "record concern") == 1

    assert capsys.readouterr().err == (
        "attendwise case-action: officer (Attendance officer or Child and Family "
        "Support Worker) may not take the action 'record concern' on this case: "
        "that is for the designated safeguarding lead. Nothing was recorded\n"
    )
    assert not Event.objects.filter(pupil=letter_1.pupil, safeguarding=True).exists()


def test_a_read_only_user_cannot_escalate_a_case(letter_1, capsys):
    staff(letter_1.school, Role.READ_ONLY, "gov")
    stage = letter_1.case.stage

    assert case_action(letter_1, "gov", "escalate") == 1

    assert capsys.readouterr().err.endswith(
        "may not take the action 'escalate' on this case: only casework roles "
        "act on cases. Nothing was recorded\n"
    )
    letter_1.case.refresh_from_db()
    assert letter_1.case.stage == stage


def test_staff_of_another_school_cannot_act_on_a_case_here(letter_1, capsys):
    other, _ = school_with_case("elm")
    staff(other, Role.SAFEGUARDING, "elm-dsl")

    assert case_action(letter_1, "elm-dsl", "record concern") == 1

    assert "is a member of staff at" in capsys.readouterr().err
    assert not Event.objects.filter(pupil=letter_1.pupil, safeguarding=True).exists()
