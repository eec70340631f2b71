"""The demo replay, on a small school and the first weeks of term."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings

from attendwise.web.cases.models import Case, Event, Letter, Task
from attendwise.web.demo import run_demo
from attendwise.web.ui.roles import Role, may_complete

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_replays_the_term_with_staff_working_the_list():
    summary = run_demo(io.StringIO(), pupils=60, last_day=dt.date(2025, 10, 14))

    school = summary.school
    assert summary.days == 30
    assert summary.imports == 30
    assert summary.completed > 0
    assert {1, 2, 3} <= set(summary.stages)
    assert sum(summary.stages.values()) == Case.objects.filter(school=school).count()
    approved = Letter.objects.filter(
        pupil__school=school, status=Letter.Status.APPROVED
    )
    assert approved.exists()
    for letter in approved:
        assert (Path(settings.LETTERS_DIR) / letter.pdf_path).read_bytes()[
            :4
        ] == b"%PDF"
        assert letter.approved_by is not None
    # Each approval belongs to the replayed day it was made on, not the clock's.
    approvals = Event.objects.filter(school=school, kind="letter.approved")
    assert approvals.count() == approved.count()
    assert {event.school_day for event in approvals} <= {
        task.decided_on for task in Task.objects.filter(letters__in=approved)
    }
    assert max(event.school_day for event in approvals) <= dt.date(2025, 10, 14)
    # Each item was completed by someone whose role may complete it.
    decided = Task.objects.filter(school=school, decided_by__isnull=False)
    assert decided.exists()
    for task in decided.select_related("decided_by__staff"):
        role = Role(task.decided_by.staff.role)
        assert may_complete(role, task.role, task.safeguarding), (task.pk, role)
    calls = Task.objects.filter(school=school, kind="first-day call")
    assert calls.exclude(status=Task.Status.PROPOSED).count() == calls.count()
    assert Event.objects.filter(school=school, kind="call").exists()
