"""A later import that changes marks: the next daily run re-evaluates the case."""

import datetime as dt

import pytest

from attendwise.web.cases.models import Event, Task
from attendwise.web.cases.services import daily_run
from attendwise.web.register.models import Mark, MarkRevision
from attendwise.web.register.services import import_register
from tests.factories import (
    full_register,
    make_contact,
    make_pupil,
    make_school,
    reference_calendar,
    store_marks,
)
from tests.import_factories import canonical_csv

pytestmark = pytest.mark.django_db

D = dt.date


def test_a_corrected_mark_withdraws_the_proposal_that_rested_on_it():
    school = make_school()
    pupil = make_pupil(school, "1001")
    make_contact(pupil)
    late = {(D(2025, 9, day), "AM"): "U" for day in (8, 10, 15)}
    store_marks(
        pupil,
        full_register(
            reference_calendar(),
            first=D(2025, 9, 3),
            last=D(2025, 9, 15),
            absences=late,
        ),
    )
    for day in reference_calendar().school_days_between(D(2025, 9, 3), D(2025, 9, 15)):
        daily_run(school, day, draft=False)
    letter = Task.objects.get(pupil=pupil, title="Letter L")
    assert letter.status == Task.Status.PROPOSED

    # The MIS corrects Monday's U to an L; the school's next file says so.
    result = import_register(
        school,
        canonical_csv(
            ["1001", "2025-09-15", "AM", "L"],
            ["1001", "2025-09-16", "AM", "/"],
            ["1001", "2025-09-16", "PM", "\\"],
        ),
        "tuesday.csv",
    )
    daily_run(school, D(2025, 9, 16), draft=False)

    letter.refresh_from_db()
    assert result.changed == 1
    assert (letter.status, letter.reason) == (
        Task.Status.WITHDRAWN,
        "its reason has gone on 16/09/2025",
    )
    assert list(
        Event.objects.filter(pupil=pupil, kind="withdrawn").values_list(
            "school_day", "summary"
        )
    ) == [
        (
            D(2025, 9, 16),
            "Letter L withdrawn: the marks it rested on have changed.",
        )
    ]
    mark = Mark.objects.get(pupil=pupil, date=D(2025, 9, 15), session="AM")
    assert (mark.code, mark.import_run) == ("L", result.run)
    assert list(MarkRevision.objects.values_list("mark", "code")) == [(mark.pk, "U")]
