"""The daily run with a daily limit on new pathway proposals per role."""

import datetime as dt

import pytest

from attendwise.cli import main
from attendwise.core.policy import shipped_policy_text
from attendwise.web.cases.models import Event, Letter, Task
from attendwise.web.cases.services import TaskError, complete_task, daily_run
from attendwise.web.cases.worklist import queued, worklist
from attendwise.web.register.models import Mark
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
#: The 20th possible session: every pupil below 96% is first indicated.
INDICATED, NEXT, AFTER = D(2025, 9, 16), D(2025, 9, 17), D(2025, 9, 18)
ABSENT_FROM = (D(2025, 9, 8), D(2025, 9, 9), D(2025, 9, 10), D(2025, 9, 11))


def limited_school(limit, slug="forest-view"):
    policy = shipped_policy_text().replace(
        "daily_new_proposals_per_role = 0", f"daily_new_proposals_per_role = {limit}"
    )
    return make_school(slug, policy_text=policy)


def pupil_absent(school, surname, days):
    """Return a pupil absent (O) all day on the first `days` of ABSENT_FROM."""
    pupil = make_pupil(school, surname, legal_surname=surname)
    make_contact(pupil)
    absences = {}
    for day in ABSENT_FROM[:days]:
        absences |= both(day, "O")
    calendar = reference_calendar()
    marks = full_register(
        calendar, first=D(2025, 9, 3), last=D(2025, 12, 19), absences=absences
    )
    store_marks(pupil, marks)
    return pupil


def run_until(school, last):
    school.refresh_from_db()
    first = school.last_run_on + dt.timedelta(days=1) if school.last_run_on else None
    for day in reference_calendar().school_days_between(first or D(2025, 9, 3), last):
        daily_run(school, day)


def letter_one(pupil):
    return Task.objects.get(pupil=pupil, title="Letter 1")


def five_pupils(school):
    """Return five pupils first indicated on INDICATED: 60% to 95% this year."""
    return {
        surname: pupil_absent(school, surname, days)
        for surname, days in (
            ("Ninety", 1),  # 18 of 20 sessions: 90%
            ("Sixty", 4),
            ("Eighty", 2),
            ("Seventy", 3),
            ("Sixty-five", 4),  # the same figure as Sixty: first in name order
        )
    }


def statuses(pupils):
    return {name: letter_one(p).status for name, p in pupils.items()}


def test_two_a_day_the_lowest_figures_first_and_three_queued_from_the_day():
    school = limited_school(2)
    pupils = five_pupils(school)

    run_until(school, INDICATED)

    assert statuses(pupils) == {
        "Ninety": Task.Status.QUEUED,
        "Sixty": Task.Status.PROPOSED,
        "Eighty": Task.Status.QUEUED,
        "Seventy": Task.Status.QUEUED,
        "Sixty-five": Task.Status.PROPOSED,
    }
    for name in ("Sixty", "Sixty-five"):
        task = letter_one(pupils[name])
        assert (task.proposed_on, task.due_on) == (INDICATED, INDICATED)
        assert task.released_on == INDICATED
        assert task.letters.count() == 1
    for name in ("Ninety", "Eighty", "Seventy"):
        task = letter_one(pupils[name])
        assert task.first_indicated_on == INDICATED
        assert task.released_on is None
        assert not task.letters.exists()  # a queued letter is not drafted
    queue = queued(school)
    assert [i.task.pupil.legal_surname for i in queue.items] == [
        "Seventy",
        "Eighty",
        "Ninety",
    ]
    assert queue.summary() == (
        "Queued by the daily limit: 3, oldest first indicated Tue 16 Sep"
    )
    assert [i.task.pupil.legal_surname for i in worklist(school, INDICATED)] == [
        "Sixty",
        "Sixty-five",
    ]


def test_the_queue_is_released_over_the_next_runs_in_the_same_order():
    school = limited_school(2)
    pupils = five_pupils(school)
    run_until(school, INDICATED)

    report = daily_run(school, NEXT)

    assert (report.proposed, report.released, report.queued) == (2, 2, 1)
    for name in ("Seventy", "Eighty"):
        task = letter_one(pupils[name])
        assert task.status == Task.Status.PROPOSED
        # Due the day it is released; still first indicated on the day it was.
        assert (task.proposed_on, task.due_on, task.released_on) == (NEXT,) * 3
        assert task.first_indicated_on == INDICATED
        assert task.letters.count() == 1
    assert letter_one(pupils["Ninety"]).status == Task.Status.QUEUED

    daily_run(school, AFTER)

    assert set(statuses(pupils).values()) == {Task.Status.PROPOSED}
    assert len(queued(school)) == 0
    released = Event.objects.filter(
        pupil=pupils["Ninety"], kind="released from the queue"
    ).get()
    assert released.summary == (
        "Letter 1 released from the daily limit's queue onto the worklist "
        "(first indicated Tue 16 Sep 2025)."
    )


def everything():
    return (
        list(Task.objects.order_by("pk").values()),
        Event.objects.count(),
        Letter.objects.count(),
    )


def test_a_rerun_of_the_same_day_changes_nothing():
    school = limited_school(2)
    five_pupils(school)
    run_until(school, INDICATED)
    before = everything()

    report = daily_run(school, INDICATED)

    assert everything() == before
    assert (report.proposed, report.released, report.queued) == (0, 0, 3)


def test_a_queued_proposal_whose_reason_goes_is_withdrawn():
    school = limited_school(1)
    pupils = {
        "Sixty": pupil_absent(school, "Sixty", 4),
        "Ninety": pupil_absent(school, "Ninety", 1),
    }
    run_until(school, INDICATED)
    assert letter_one(pupils["Ninety"]).status == Task.Status.QUEUED

    # The register is corrected: the absence was a mistake.
    Mark.objects.filter(pupil=pupils["Ninety"], date=ABSENT_FROM[0]).update(code="/")
    daily_run(school, NEXT)

    task = letter_one(pupils["Ninety"])
    assert task.status == Task.Status.WITHDRAWN
    assert not task.letters.exists()
    summaries = list(
        Event.objects.filter(pupil=pupils["Ninety"]).values_list("kind", "summary")
    )
    assert (
        "withdrawn",
        "Letter 1 withdrawn while queued by the daily limit: the marks it rested "
        "on have changed.",
    ) in summaries
    assert len(queued(school)) == 0


def test_the_ongoing_procedures_are_never_queued():
    school = limited_school(1)
    pupils = [pupil_absent(school, f"Late{n}", 4) for n in range(3)]
    for pupil in pupils:  # the third late after the register closed: Letter L
        for day in (D(2025, 9, 12), D(2025, 9, 15), INDICATED):
            Mark.objects.filter(pupil=pupil, date=day, session="AM").update(code="U")

    run_until(school, INDICATED)

    letters_l = Task.objects.filter(title="Letter L")
    assert (
        list(letters_l.values_list("status", "proposed_on"))
        == [(Task.Status.PROPOSED, INDICATED)] * 3
    )
    letters_1 = Task.objects.filter(title="Letter 1").order_by("status")
    assert list(letters_1.values_list("status", flat=True)) == [
        Task.Status.PROPOSED,
        Task.Status.QUEUED,
        Task.Status.QUEUED,
    ]


def test_a_queued_item_cannot_be_completed_until_it_is_released():
    from django.contrib.auth.models import User

    school = limited_school(1)
    pupil_absent(school, "Sixty", 4)
    waiting = pupil_absent(school, "Ninety", 1)
    run_until(school, INDICATED)

    with pytest.raises(TaskError, match="queued by the daily limit"):
        complete_task(
            letter_one(waiting),
            action="confirm",
            on=INDICATED,
            user=User.objects.create(username="officer"),
        )


def test_the_worklist_command_shows_the_queue_as_a_count_and_lists_it(capsys):
    school = limited_school(2, slug="oak")
    five_pupils(school)
    run_until(school, INDICATED)
    capsys.readouterr()

    assert main(["worklist", "--school", "oak", "--date", "2025-09-16"]) == 0
    out = capsys.readouterr().out
    assert (
        "Queued by the daily limit: 3, oldest first indicated Tue 16 Sep "
        "(Child and Family Support Worker 3; 'attendwise worklist --queued' "
        "lists them)\n"
    ) in out
    assert "Seventy" not in out

    assert (
        main(["worklist", "--school", "oak", "--date", "2025-09-16", "--queued"]) == 0
    )
    listing = capsys.readouterr().out
    assert listing.splitlines()[0] == "Queued by the daily limit (3)"
    # In release order, each with the day it was first indicated.
    assert listing.index("Seventy") < listing.index("Eighty") < listing.index("Ninety")
    assert listing.count(" 2025-09-16 S1 ") == 3


def test_a_queued_proposal_is_superseded_but_a_persons_next_step_is_not_held():
    from django.contrib.auth.models import User

    from attendwise.web.cases.services import case_action

    school = limited_school(1)
    pupil_absent(school, "Sixty", 4)
    waiting = pupil_absent(school, "Ninety", 1)
    run_until(school, INDICATED)

    case_action(
        waiting.cases.get(),
        "escalate",
        INDICATED,
        User.objects.create(username="head"),
        "known to the Local Authority already",
        stage=2,
    )

    task = letter_one(waiting)
    assert (task.status, task.reason) == (Task.Status.SUPERSEDED, "superseded")
    assert not task.letters.exists()
    # What follows a person's decision goes on the worklist at once.
    follow_up = Task.objects.get(pupil=waiting, title="Enforcement or support?")
    assert (follow_up.status, follow_up.released_on) == (Task.Status.PROPOSED, None)
