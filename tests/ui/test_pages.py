"""Every page: who may open it, with which method, and that it is valid HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from attendwise.web.register.models import Pupil
from attendwise.web.ui.roles import (
    AUDIT_READERS,
    CASEWORK,
    EVERYONE,
    PUPIL_READERS,
    Role,
)
from tests.factories import make_school
from tests.ui.factories import (
    open_task,
    pupil_with_case,
    run_through,
    school_with_case,
    signed_in,
    staff,
)
from tests.ui.html import check_page

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Pupil], str]
    roles: frozenset[Role]
    wrong_method: str = "put"


def _task(pupil: Pupil) -> str:
    return f"/items/{open_task(pupil, 'Letter 1').pk}/"


PAGES = [
    Page("worklist", lambda p: "/worklist/", CASEWORK),
    Page("worklist of letters", lambda p: "/worklist/?type=letters", CASEWORK),
    Page("pupil list", lambda p: "/pupils/", PUPIL_READERS),
    Page("pupil search", lambda p: "/pupils/?q=Example", PUPIL_READERS),
    Page("pupil", lambda p: f"/pupils/{p.pk}/", PUPIL_READERS),
    Page("item", _task, CASEWORK),
    Page(
        "contact settings",
        lambda p: f"/pupils/{p.pk}/contacts/{p.contacts.get(priority=1).pk}/",
        PUPIL_READERS,
    ),
    Page(
        "case action",
        lambda p: f"/pupils/{p.pk}/action/?action=escalate",
        CASEWORK,
    ),
    Page("letters", lambda p: "/letters/", CASEWORK | {Role.ADMIN}),
    Page(
        "letter wording",
        lambda p: "/letters/wording/letter_1/",
        frozenset({Role.HEAD, Role.ADMIN}),
    ),
    Page("import", lambda p: "/import/", frozenset({Role.OFFICER, Role.ADMIN})),
    Page("dashboard", lambda p: "/dashboard/", EVERYONE),
    Page("policy", lambda p: "/policy/", EVERYONE),
    Page("audit", lambda p: "/audit/", AUDIT_READERS),
    Page("audit of a pupil", lambda p: f"/audit/?pupil={p.pk}", AUDIT_READERS),
]


@pytest.fixture
def school_and_pupil():  # type: ignore[no-untyped-def]
    return school_with_case()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_page_opens_for_its_roles_as_valid_html(page, school_and_pupil):
    school, pupil = school_and_pupil
    for role in sorted(page.roles):
        response = signed_in(staff(school, role)).get(page.url(pupil))
        assert response.status_code == 200, role
        check_page(response)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_page_refuses_the_other_roles(page, school_and_pupil):
    school, pupil = school_and_pupil
    for role in sorted(EVERYONE - page.roles):
        response = signed_in(staff(school, role)).get(page.url(pupil))
        assert response.status_code == 403, role
        check_page(response)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_page_answers_a_wrong_method_with_405(page, school_and_pupil):
    school, pupil = school_and_pupil
    role = sorted(page.roles)[0]
    client = signed_in(staff(school, role))
    response = getattr(client, page.wrong_method)(page.url(pupil))
    assert response.status_code == 405


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_page_sends_a_stranger_to_sign_in(page, school_and_pupil):
    _, pupil = school_and_pupil
    response = Client().get(page.url(pupil))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize(
    "url",
    [
        lambda p: f"/pupils/{p.pk}/",
        _task,
        lambda p: f"/pupils/{p.pk}/action/?action=escalate",
        lambda p: f"/audit/?pupil={p.pk}",
    ],
    ids=["pupil", "item", "case action", "audit"],
)
def test_another_schools_pupil_is_not_found(url, school_and_pupil):
    _, pupil = school_and_pupil
    other = make_school("elsewhere", name="Elsewhere Academy")
    for role in (Role.SAFEGUARDING, Role.ADMIN):
        response = signed_in(staff(other, role)).get(url(pupil))
        assert response.status_code in (403, 404), role
        if role is Role.SAFEGUARDING:
            assert response.status_code == 404


def test_another_schools_letters_and_items_are_not_found(school_and_pupil):
    _, pupil = school_and_pupil
    letter = open_task(pupil, "Letter 1").letters.get()
    other = make_school("elsewhere", name="Elsewhere Academy")
    client = signed_in(staff(other, Role.SAFEGUARDING))
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404
    assert client.post(_task(pupil), {"decision": "confirm"}).status_code == 404


def test_the_sign_in_page_is_valid_html_and_refuses_put():
    client = Client()
    response = client.get("/sign-in/")
    assert response.status_code == 200
    check_page(response)
    assert client.put("/sign-in/").status_code == 405
    assert client.get("/sign-out/").status_code == 405


def test_a_user_with_no_role_is_refused_everywhere(school_and_pupil):
    from django.contrib.auth.models import User

    user = User.objects.create_user("nobody", password="x")
    response = signed_in(user).get("/dashboard/")
    assert response.status_code == 403
    assert b"no role at a school" in response.content


def test_the_worklist_shows_no_pupil_of_another_school(school_and_pupil):
    school, _ = school_and_pupil
    other = make_school("elsewhere", name="Elsewhere Academy")
    pupil_with_case(other, "2002", legal_forename="Robin", legal_surname="Other")
    run_through(other)
    response = signed_in(staff(school, Role.OFFICER)).get("/worklist/")
    assert b"Sam Example" in response.content
    assert b"Robin Other" not in response.content


def test_a_long_worklist_group_lists_fifty_and_offers_the_rest(school_and_pupil):
    from attendwise.web.cases.models import Task
    from attendwise.web.ui.views.worklist import SHOWN

    school, pupil = school_and_pupil
    task = open_task(pupil, "Letter 1")
    for number in range(SHOWN + 1):
        Task.objects.create(
            school=school,
            pupil=pupil,
            key=f"extra/{number}",
            kind="register not taken",
            title=f"Extra {number}",
            role="attendance",
            proposed_on=task.proposed_on,
            due_on=task.due_on,
            first_indicated_on=task.due_on,
        )
    client = signed_in(staff(school, Role.OFFICER))

    short = client.get("/worklist/")
    assert short.content.decode().count('href="/items/') == SHOWN
    assert "Show all 52 items due today" in short.content.decode()
    check_page(short)
    whole = client.get("/worklist/?all=due-today")
    assert whole.content.decode().count('href="/items/') == SHOWN + 2


def test_a_draft_whose_item_was_superseded_says_it_will_not_be_sent():
    from attendwise.web.cases.models import Task

    school, pupil = school_with_case()
    task = Task.objects.get(pupil=pupil, title="Letter 1", status=Task.Status.PROPOSED)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.SUPERSEDED)
    client = signed_in(staff(school, Role.OFFICER))

    pupil_page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    item_page = client.get(f"/items/{task.pk}/").content.decode()

    assert "Not sent: the item was superseded" in pupil_page
    assert "Not sent: the item was superseded" in item_page
