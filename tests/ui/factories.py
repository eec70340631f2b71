"""Factories for the web application's tests: schools, staff, a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from attendwise.web.cases.models import Task
from attendwise.web.cases.services import daily_run
from attendwise.web.register.models import Pupil, School
from attendwise.web.ui.cli import add_user
from attendwise.web.ui.roles import Role
from tests.factories import (
    both,
    full_register,
    make_contact,
    make_pupil,
    make_school,
    reference_calendar,
    store_marks,
)

D = dt.date
START = D(2025, 9, 3)
#: The day the tests treat as today (settings.TODAY).
TODAY = D(2025, 9, 16)
PASSWORD = "correct horse battery staple"


def staff(school: School, role: Role, username: str | None = None) -> User:
    user, _ = add_user(
        username or f"{role.value}-{school.slug}", school, role, PASSWORD
    )
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def e23_absences() -> dict[tuple[dt.date, str], str]:
    """Return O on every Monday and Tuesday from 8 September to 14 October."""
    absences: dict[tuple[dt.date, str], str] = {}
    calendar = reference_calendar()
    for day in calendar.school_days_between(D(2025, 9, 8), D(2025, 10, 14)):
        if day.weekday() in (0, 1):
            absences |= both(day, "O")
    return absences


def pupil_with_case(
    school: School,
    mis_id: str = "1001",
    *,
    through: dt.date = TODAY,
    absences: dict[tuple[dt.date, str], str] | None = None,
    **fields: Any,
) -> Pupil:
    """Return a pupil whose marks put them at Stage 1 with Letter 1 proposed."""
    pupil = make_pupil(school, mis_id, **fields)
    make_contact(pupil)
    store_marks(
        pupil,
        full_register(
            reference_calendar(),
            first=START,
            last=D(2025, 12, 19),
            absences=e23_absences() if absences is None else absences,
        ),
    )
    return pupil


def run_through(school: School, last: dt.date = TODAY) -> None:
    """Run the daily run for each school day after the school's last run."""
    school.refresh_from_db()
    first = START
    if school.last_run_on is not None:
        first = school.last_run_on + dt.timedelta(days=1)
    for day in reference_calendar().school_days_between(first, last):
        daily_run(school, day)


def open_task(pupil: Pupil, title: str) -> Task:
    return Task.objects.get(pupil=pupil, title=title, status=Task.Status.PROPOSED)


def school_with_case(slug: str = "forest-view") -> tuple[School, Pupil]:
    school = make_school(slug)
    pupil = pupil_with_case(school)
    run_through(school)
    return school, pupil
