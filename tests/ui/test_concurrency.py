"""Two people confirming the same item at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from attendwise.web.cases.models import Event, Letter, Task
from attendwise.web.ui.roles import Role
from tests.ui.factories import open_task, school_with_case, signed_in, staff


def _confirm_together(clients, task) -> list[int]:  # type: ignore[no-untyped-def]
    """Return the status of each client's confirmation, posted at once.

    On PostgreSQL each posts from its own thread and connection, released
    together by a barrier. SQLite lets one writer in at a time, so there
    the two forms (both read before either posts) are posted in turn.
    """
    data = {"version": task.version, "decision": "confirm"}
    url = f"/items/{task.pk}/"
    if connection.vendor != "postgresql":
        return [client.post(url, data).status_code for client in clients]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def post(client) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_sessions_confirming_the_same_step_only_one_succeeds():
    school, pupil = school_with_case()
    task = open_task(pupil, "Letter 1")
    clients = [
        signed_in(staff(school, Role.OFFICER)),
        signed_in(staff(school, Role.HEAD)),
    ]
    for client in clients:  # both have the form open
        assert client.get(f"/items/{task.pk}/").status_code == 200

    statuses = _confirm_together(clients, task)

    assert sorted(statuses) == [302, 409]
    assert Task.objects.get(pk=task.pk).status == Task.Status.CONFIRMED
    assert Event.objects.filter(pupil=pupil, kind="confirmed").count() == 1
    assert Letter.objects.filter(task=task, status="approved").count() == 1
