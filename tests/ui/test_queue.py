"""The items the daily limit queues, as staff see them in the browser's pages."""

from __future__ import annotations

import pytest

from attendwise.web.cases.models import Task
from attendwise.web.register.models import School
from attendwise.web.ui.roles import Role
from tests.ui.factories import TODAY, run_through, signed_in, staff
from tests.ui.html import check_page
from tests.web.test_daily_limit import five_pupils, limited_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> School:
    """Return a school with a limit of 2 a day: 2 of 5 Letters 1 on the worklist."""
    school = limited_school(2)
    five_pupils(school)
    run_through(school, TODAY)
    return school


def queued_task(school: School) -> Task:
    return Task.objects.get(
        school=school, status=Task.Status.QUEUED, pupil__legal_surname="Seventy"
    )


def test_the_worklist_counts_the_queue_and_lists_it_apart(school):
    response = signed_in(staff(school, Role.OFFICER)).get("/worklist/")

    check_page(response)
    page = response.content.decode()
    assert (
        'Worklist <span class="govuk-caption-m">Tuesday 16 September 2025 · 2 items'
        in page
    )
    assert "Queued by the daily limit: 3, oldest first indicated Tue 16 Sep." in page
    assert "Queued by the daily limit (3)</h2>" in page
    queue = page[page.index('id="group-queued"') :]
    assert queue.index("Seventy") < queue.index("Eighty") < queue.index("Ninety")
    assert queue.count("Tue 16 Sep</td>") == 3


def test_the_worklist_filters_apply_to_the_queue(school):
    client = signed_in(staff(school, Role.OFFICER))

    response = client.get("/worklist/?for=head")

    check_page(response)
    assert "Queued by the daily limit" not in response.content.decode()


def test_the_pupil_page_shows_a_queued_item_with_the_day_first_indicated(school):
    task = queued_task(school)

    response = signed_in(staff(school, Role.OFFICER)).get(f"/pupils/{task.pupil_id}/")

    check_page(response)
    page = response.content.decode()
    assert (
        'Queued</strong><br><span class="govuk-body-s">queued by the daily '
        "limit; first indicated 16 September 2025"
    ) in page
    assert "Letter 1 queued by the daily limit (2 new pathway proposals" in page


def test_a_queued_item_opens_but_offers_nothing_to_do_yet(school):
    task = queued_task(school)

    response = signed_in(staff(school, Role.HEAD)).get(f"/items/{task.pk}/")

    check_page(response)
    page = response.content.decode()
    assert "Queued by the daily limit" in page
    assert "Not yet: the policy's daily limit on new proposals" in page
    assert f'action="/items/{task.pk}/"' not in page
