"""Completing worklist items and case actions through the web forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from attendwise.web.cases.models import Case, Event, Letter, Task
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import Role
from tests.factories import both, make_school
from tests.ui.factories import (
    TODAY,
    D,
    open_task,
    pupil_with_case,
    run_through,
    school_with_case,
    signed_in,
    staff,
)
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db


def post_item(client, task, **fields):  # type: ignore[no-untyped-def]
    return client.post(f"/items/{task.pk}/", {"version": task.version} | fields)


def test_confirming_letter_1_approves_its_letter_and_records_who():
    school, pupil = school_with_case()
    officer = staff(school, Role.OFFICER)
    task = open_task(pupil, "Letter 1")

    response = post_item(signed_in(officer), task, decision="confirm")

    assert response.status_code == 302
    assert response["Location"] == f"/pupils/{pupil.pk}/"
    task.refresh_from_db()
    assert (task.status, task.decided_by) == (Task.Status.CONFIRMED, officer)
    assert [letter.status for letter in task.letters.all()] == ["approved"]
    assert Event.objects.filter(pupil=pupil, kind="confirmed", actor=officer).exists()
    assert AuditEntry.objects.filter(
        pupil=pupil, user=officer, action="task.completed"
    ).exists()


def test_the_timeline_shows_the_confirmation_after_it():
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))
    post_item(client, open_task(pupil, "Letter 1"), decision="confirm")

    page = client.get(f"/pupils/{pupil.pk}/").content.decode()

    assert "Letter 1: confirmed." in page
    assert "approved by officer-forest-view" in page
    assert '<h3 class="moj-timeline__title">Letter approved</h3>' in page
    assert "Letter.approved" not in page
    assert "sessions since 3 September 2025" in page


def test_an_item_past_its_due_day_is_marked_overdue(settings):
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    client = signed_in(staff(school, Role.OFFICER))
    overdue = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'

    assert overdue not in client.get(f"/items/{task.pk}/").content.decode()
    settings.TODAY = "2025-09-17"
    assert overdue in client.get(f"/items/{task.pk}/").content.decode()
    pupil_page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "<strong>overdue</strong>: due 16 September 2025" in pupil_page


def test_the_item_page_gives_its_figures_dates_in_words():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")

    response = signed_in(staff(school, Role.OFFICER)).get(f"/items/{task.pk}/")

    text = response.content.decode()
    assert "unauthorised (3 September 2025 to 16 September 2025)" in text
    assert "2025-09-03" not in text


def test_dismissing_without_a_reason_is_refused_with_the_error_on_the_form():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")

    response = post_item(signed_in(staff(school, Role.HEAD)), task, decision="dismiss")

    assert response.status_code == 400
    check_page(response)
    assert "Say why you are dismissing this item" in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.PROPOSED


def test_a_second_person_with_the_same_form_is_told_it_is_done():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    first = signed_in(staff(school, Role.OFFICER))
    second = signed_in(staff(school, Role.HEAD))

    assert post_item(first, task, decision="confirm").status_code == 302
    response = post_item(second, task, decision="confirm")

    assert response.status_code == 409
    check_page(response)
    assert Event.objects.filter(pupil=pupil, kind="confirmed").count() == 1
    assert Letter.objects.filter(task=task, status="approved").count() == 1


def test_sending_your_own_confirmation_again_says_you_already_did_it():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    officer = signed_in(staff(school, Role.OFFICER))
    assert post_item(officer, task, decision="confirm").status_code == 302
    done_at = timezone.localtime(Task.objects.get(pk=task.pk).decided_at)

    again = post_item(officer, task, decision="confirm")

    assert again.status_code == 200
    check_page(again)
    text = again.content.decode()
    assert (
        f"You already completed this item (confirmed) at {done_at:%H:%M}. "
        "Nothing was changed this time."
    ) in text
    assert f'href="/pupils/{pupil.pk}/">See it on Sam Example' in text
    assert "someone else" not in text
    assert Event.objects.filter(pupil=pupil, kind="confirmed").count() == 1


def test_a_confirmation_sent_again_on_a_later_day_gives_the_day(settings):
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    officer = signed_in(staff(school, Role.OFFICER))
    post_item(officer, task, decision="confirm")
    Task.objects.filter(pk=task.pk).update(
        decided_at=dt.datetime(2025, 9, 3, 15, 4, tzinfo=dt.UTC)
    )

    again = post_item(officer, task, decision="dismiss", reason="r")

    assert "(confirmed) at 16:04 on 3 September 2025." in again.content.decode()


def test_an_officer_cannot_complete_an_item_for_the_head():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    Task.objects.filter(pk=task.pk).update(role="head")

    response = post_item(
        signed_in(staff(school, Role.OFFICER)), task, decision="confirm"
    )

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.PROPOSED


def test_a_first_day_call_is_recorded_with_its_outcome():
    school = make_school()
    pupil = pupil_with_case(school, absences=both(TODAY, "N"))
    run_through(school)
    call = Task.objects.get(pupil=pupil, kind="first-day call")
    client = signed_in(staff(school, Role.OFFICER))

    refused = post_item(client, call, option="reached: reason given")
    assert refused.status_code == 400
    assert "Write the reason the parent gave" in refused.content.decode()

    done = post_item(client, call, option="reached: reason given", reason="ill")
    assert done.status_code == 302
    call.refresh_from_db()
    assert call.outcome == {"result": "reason given"}
    assert Event.objects.get(pupil=pupil, kind="call").summary == (
        "First-day call: reached: reason given (ill)"
    )


def test_a_safeguarding_concern_puts_the_case_on_hold_for_everyone_else():
    school, pupil = school_with_case()
    dsl = signed_in(staff(school, Role.SAFEGUARDING))
    case = Case.objects.get(pupil=pupil)

    response = dsl.post(
        f"/pupils/{pupil.pk}/action/",
        {"action": "record concern", "version": case.version, "reason": "disclosure"},
    )

    assert response.status_code == 302
    assert Task.objects.get(pupil=pupil, title="Letter 1").status == "superseded"
    page = signed_in(staff(school, Role.OFFICER)).get(f"/pupils/{pupil.pk}/")
    text = page.content.decode()
    assert "On hold: speak to the safeguarding lead." in text
    assert "disclosure" not in text
    assert "Stage 4" not in text
    assert "disclosure" in dsl.get(f"/pupils/{pupil.pk}/").content.decode()


def test_only_the_safeguarding_lead_records_a_concern():
    school, pupil = school_with_case()
    case = Case.objects.get(pupil=pupil)
    response = signed_in(staff(school, Role.HEAD)).post(
        f"/pupils/{pupil.pk}/action/",
        {"action": "record concern", "version": case.version, "reason": "x"},
    )
    assert response.status_code == 403
    assert Case.objects.get(pupil=pupil).stage == 1


def test_escalating_by_hand_needs_a_stage_and_a_reason():
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.HEAD))
    case = Case.objects.get(pupil=pupil)
    url = f"/pupils/{pupil.pk}/action/"

    refused = client.post(url, {"action": "escalate", "version": case.version})
    assert refused.status_code == 400
    check_page(refused)

    done = client.post(
        url,
        {"action": "escalate", "version": case.version, "stage": "2", "reason": "r"},
    )
    assert done.status_code == 302
    assert Case.objects.get(pupil=pupil).stage == 2
    assert Event.objects.filter(pupil=pupil, kind="escalated").exists()


def test_the_medical_question_is_answered_from_its_form(settings):
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))
    post_item(client, open_task(pupil, "Letter 1"), decision="confirm")
    run_through(school, D(2025, 10, 7))
    settings.TODAY = "2025-10-07"
    question = open_task(pupil, "Is the absence due to illness or medical reasons?")

    page = client.get(f"/items/{question.pk}/")
    check_page(page)
    response = post_item(client, question, option="no")

    assert response.status_code == 302
    assert open_task(pupil, "Letter 2").proposed_on == D(2025, 10, 7)
