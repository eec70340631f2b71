"""The worklist's order, and the queries the busiest pages make.

The worklist orders every open item but builds only the ones it shows,
and the pupil page reads each kind of record once: neither page makes
more queries when a school has more items, events or letters.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from attendwise.web.cases.models import Case, Event, Task
from attendwise.web.cases.worklist import GROUPS, worklist, worklist_groups
from attendwise.web.register.models import Pupil, School
from attendwise.web.ui.roles import Role
from attendwise.web.ui.views.worklist import SHOWN
from tests.factories import make_contact, make_pupil, make_school
from tests.ui.factories import TODAY, school_with_case, signed_in, staff

pytestmark = pytest.mark.django_db

D = dt.date
#: TODAY is Tuesday 16 September 2025.
DUE = {
    "Overdue": D(2025, 9, 15),
    "Due today": TODAY,
    "Due this week": D(2025, 9, 19),
    "Later": D(2025, 9, 22),
}


def item(
    school: School,
    surname: str,
    *,
    group: str = "Due today",
    stage: int | None = None,
    attended: int | None = None,
    possible: int = 100,
    mis_id: str | None = None,
) -> Task:
    """Return an open item for a new pupil: at `stage` (no case if None)."""
    pupil = make_pupil(
        school, mis_id or f"9{Pupil.objects.count():04d}", legal_surname=surname
    )
    case = None
    if stage is not None:
        case = Case.objects.create(
            school=school,
            pupil=pupil,
            academic_year=2025,
            stage=stage,
            state={"stage": stage},
            opened_on=D(2025, 9, 8),
        )
    figures = {}
    if attended is not None:
        figures = {"ytd": {"i_attended": attended, "i_possible": possible}}
    return Task.objects.create(
        school=school,
        pupil=pupil,
        case=case,
        key=f"item/{pupil.mis_id}",
        kind="step",
        title=f"Letter for {surname}",
        role="attendance",
        proposed_on=D(2025, 9, 8),
        due_on=DUE[group],
        first_indicated_on=D(2025, 9, 8),
        figures=figures,
        payload={"letter": "letter_1"},
    )


def names(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.task.pupil.legal_surname for entry in items]


def test_items_are_grouped_by_when_due_then_stage_then_lowest_figure():
    school = make_school()
    item(school, "Later", group="Later", stage=3, attended=10)
    item(school, "Overdue", group="Overdue", stage=None)
    item(school, "Week", group="Due this week", stage=3)
    item(school, "NoCase", stage=None, attended=50)
    item(school, "StageOneLow", stage=1, attended=80)
    item(school, "StageTwoHigh", stage=2, attended=89)
    item(school, "StageTwoLow", stage=2, attended=85)
    item(school, "StageTwoNoFigure", stage=2)
    item(school, "StageThree", stage=3, attended=95)
    # The same figure once rounded (85.0%): the surname decides.
    item(school, "Alder", stage=2, attended=850, possible=1000)

    found = worklist(school, TODAY)

    assert names(found) == [
        "Overdue",
        "StageThree",
        "Alder",
        "StageTwoLow",
        "StageTwoHigh",
        "StageTwoNoFigure",
        "StageOneLow",
        "NoCase",
        "Week",
        "Later",
    ]
    assert [(entry.group, entry.stage, entry.figure) for entry in found[:3]] == [
        ("Overdue", 0, None),
        ("Due today", 3, 95),
        ("Due today", 2, 85),
    ]


def test_each_group_counts_every_item_and_holds_the_first_ones_shown():
    school = make_school()
    for number in range(5):
        item(school, f"Today{number}", stage=1, attended=90 - number)
    item(school, "Late", group="Overdue", stage=2)

    groups = worklist_groups(school, TODAY, shown=2)
    expanded = worklist_groups(school, TODAY, shown=2, expanded="Due today")

    assert [(g.name, g.count, names(g.items)) for g in groups] == [
        ("Overdue", 1, ["Late"]),
        ("Due today", 5, ["Today4", "Today3"]),
        ("Due this week", 0, []),
        ("Later", 0, []),
    ]
    assert names(expanded[1].items) == [f"Today{n}" for n in (4, 3, 2, 1, 0)]
    assert [g.name for g in groups] == list(GROUPS)


def test_the_worklist_filters_still_apply():
    school = make_school()
    item(school, "Letter", stage=1)
    call = item(school, "Call", stage=1)
    Task.objects.filter(pk=call.pk).update(kind="first-day call", role="office")
    hidden = item(school, "Hidden", stage=1)
    Task.objects.filter(pk=hidden.pk).update(safeguarding=True)

    assert names(worklist(school, TODAY, kind="letters")) == ["Letter"]
    assert names(worklist(school, TODAY, role="office")) == ["Call"]
    assert names(worklist(school, TODAY, year_group=7)) == []
    assert sorted(names(worklist(school, TODAY, safeguarding=True))) == [
        "Call",
        "Hidden",
        "Letter",
    ]


def _queries(client, path: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_worklist_makes_seven_queries_however_many_items_it_holds():
    school, _ = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))
    for number in range(3):
        item(school, f"Few{number}", group=GROUPS[number], stage=number + 1)
    few = _queries(client, "/worklist/")

    for number in range(4 * SHOWN + 20):
        item(
            school,
            f"Many{number}",
            group=GROUPS[number % 4],
            stage=number % 3 + 1,
            attended=number % 100,
        )
    built: list[Task] = []

    def count(sender, instance, **kwargs) -> None:  # type: ignore[no-untyped-def]
        built.append(instance)

    post_init.connect(count, sender=Task)
    try:
        many = client.get("/worklist/?type=letters")
    finally:
        post_init.disconnect(count, sender=Task)

    assert few == 7  # session, user, staff; order, items shown; queue; years
    assert _queries(client, "/worklist/") == 7
    assert _queries(client, "/worklist/?all=due-today&year=8") == 7
    assert many.content.decode().count('href="/items/') == 4 * SHOWN
    assert len(built) == 4 * SHOWN  # only the items shown are built


def test_the_pupil_page_makes_fourteen_queries_however_long_the_record():
    school, pupil = school_with_case()
    client = signed_in(staff(school, Role.OFFICER))
    path = f"/pupils/{pupil.pk}/"
    before = _queries(client, path)

    for number in range(2, 8):
        make_contact(pupil, number, forename=f"Contact{number}")
    for number in range(30):
        Event.objects.create(
            school=school,
            pupil=pupil,
            kind="note",
            school_day=D(2025, 9, 3) + dt.timedelta(days=number % 10),
            recorded_at=dt.datetime(2025, 9, 10, 9, number, tzinfo=dt.UTC),
            actor=staff(school, Role.HEAD),
            summary=f"Note {number}",
        )
        Task.objects.create(
            school=school,
            pupil=pupil,
            key=f"more/{number}",
            kind="register not taken",
            title=f"Extra {number}",
            role="attendance",
            proposed_on=D(2025, 9, 8),
            due_on=TODAY,
            first_indicated_on=D(2025, 9, 8),
        )

    assert before == 14
    assert _queries(client, path) == 14
