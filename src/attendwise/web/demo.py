"""The demo: a generated secondary school, its autumn term replayed day by day.

Each school day the register is imported as the MIS showed it that evening
(recent unexplained absences still `N`, older ones corrected), the daily
run evaluates every pupil, and a scripted member of staff works through
the day's worklist as a careful attendance team would: calls recorded,
letters confirmed, meetings held (or missed), decisions taken. The demo
ends with cases at every stage, a worklist and the letters on disk.

The scripted staff decide deterministically from the pupil's id, so the
same seed gives the same demo.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import IO

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from attendwise.core.calendar import SchoolCalendar, load_calendar
from attendwise.core.pathway import PathwayError
from attendwise.core.policy import shipped_policy_text
from attendwise.core.pupilday import CallOutcome, PupilDay
from attendwise.demo import DEFAULT_SEED, DemoSchool, Profile, generate_school
from attendwise.demo.sims import contact_row, pupil_row
from attendwise.web.cases.models import Case, Letter, Task
from attendwise.web.cases.services import (
    LetterRenderer,
    TaskError,
    case_action,
    complete_task,
    daily_run,
    draft_pending,
)
from attendwise.web.register import services as register
from attendwise.web.register.models import School
from attendwise.web.ui.models import StaffMember
from attendwise.web.ui.roles import Role

log = logging.getLogger(__name__)

SLUG = "hollins-park"
#: The autumn term the demo replays (the reference calendar 2025/26).
FIRST_DAY = dt.date(2025, 9, 3)
LAST_DAY = dt.date(2025, 12, 19)

#: The demo's staff: username, role of the policy (who acts on its items),
#: role in the web application, display name.
STAFF = (
    ("officer", "attendance", Role.OFFICER, "Sam Okafor"),
    ("cfsw", "cfsw", Role.OFFICER, "Priya Shah"),
    ("head", "head", Role.HEAD, "Dr Helen Marsh"),
    ("dsl", "safeguarding", Role.SAFEGUARDING, "Tom Reid"),
    ("governor", "", Role.READ_ONLY, "Ann Governor"),
    ("admin", "", Role.ADMIN, "Office Manager"),
)
DEMO_PASSWORD = "attendwise-demo"

#: How many school days back each evening's register export reaches.
EXPORT_DAYS = 5


def reference_calendar_text() -> str:
    return (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )


@dataclass
class DemoSummary:
    school: School
    days: int = 0
    completed: int = 0
    letters: int = 0
    imports: int = 0
    stages: dict[int, int] = field(default_factory=dict)
    open_items: int = 0


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _pupils_csv(school: DemoSchool) -> bytes:
    header = [
        "Student ID", "UPN", "Legal Surname", "Legal Forename", "Gender",
        "Date of Birth", "Year", "Reg Group", "FSM", "SEN Status", "Entry Date",
        "Leaving Date",
    ]  # fmt: skip
    return _csv(header, [pupil_row(p) for p in school.pupils])


def _contacts_csv(school: DemoSchool) -> bytes:
    header = [
        "Student ID", "Priority", "Relationship", "Parental Responsibility",
        "Title", "Forename", "Surname", "Lives With Pupil", "Address Line 1",
        "Town", "Postcode", "Mobile", "Email",
    ]  # fmt: skip
    return _csv(header, [contact_row(c) for c in school.contacts])


def _register_as_known(
    school: DemoSchool, calendar: SchoolCalendar, day: dt.date
) -> bytes:
    """Return the canonical register of the last EXPORT_DAYS school days,
    as the MIS showed it on the evening of `day`."""
    days = calendar.last_school_days(day, EXPORT_DAYS)
    since = {d: len(days) - 1 - i for i, d in enumerate(days)}
    rows = [
        f"{m.student_id},{m.day.isoformat()},{m.session},{m.shown(since[m.day])}"
        for m in school.marks
        if m.day in since
    ]
    return ("pupil,date,session,mark\n" + "\n".join(rows) + "\n").encode("utf-8")


def _chance(*parts: object) -> float:
    """Return a number in [0, 1) fixed by `parts` (the scripted staff's dice)."""
    return zlib.crc32(":".join(map(str, parts)).encode()) / 2**32


class ScriptedStaff:
    """Works through the day's worklist as a careful attendance team would."""

    def __init__(self, users: dict[str, User], calendar: SchoolCalendar) -> None:
        self.users = users
        self.calendar = calendar

    def user_for(self, task: Task) -> User:
        """Return who completes `task`: the safeguarding lead for a
        safeguarding item, else the member of staff of its policy role."""
        if task.safeguarding:
            return self.users["safeguarding"]
        return self.users.get(task.role) or self.users["attendance"]

    def decide(self, task: Task, day: dt.date) -> dict[str, object] | None:
        """Return complete_task's arguments for `task` today, or None to wait."""
        dice = _chance(task.pupil_id, task.key)
        kind, node = task.kind, task.node
        if kind == "first-day call":
            option = (
                "reached: reason given"
                if dice < 0.55
                else "reached: no reason given"
                if dice < 0.75
                else "not reached"
            )
            return {"action": "confirm", "option": option}
        if kind == "register not taken":
            return {"action": "dismiss", "reason": "register completed late"}
        if kind == "meeting":
            held = self.calendar.add_school_days(task.proposed_on, 2)
            if day < max(held, task.due_on):
                return None
            attended = dice < 0.85
            return {
                "action": "record meeting",
                "held_on": day,
                "attended": attended,
                "reason_satisfactory": attended and dice < 0.4,
            }
        if kind == "decision":
            return {"action": "answer", "option": self._answer(task, dice)}
        if kind == "check":
            return {
                "action": "check decision",
                "option": "not improved",
                "reason": "no sessions to judge: keep the pupil on the pathway",
            }
        if kind == "illness":
            return {"action": "confirm", "option": "no"}
        if kind == "register":
            return {"action": "confirm", "option": "O"}
        if node == "FPN" and dice < 0.5:
            return {"action": "dismiss", "reason": "support offered instead"}
        return {"action": "confirm"}

    @staticmethod
    def _answer(task: Task, dice: float) -> str:
        options = list(task.payload.get("options", []))
        recommendation = str(task.payload.get("recommendation", ""))
        if task.node == "M0":
            share = recommendation.split("(", 1)[-1].split("%", 1)[0]
            try:
                return "yes" if float(share) >= 50 else "no"
            except ValueError:
                return "no"
        if task.node == "C0":
            return (
                "enforcement" if recommendation.startswith("enforcement") else "support"
            )
        preferred = {
            "M1Q": "no or insufficient",
            "L4X": "escalate to Stage 2",
            "C3D": "more support",
        }.get(task.node)
        if preferred is not None and preferred in options:
            return preferred
        return str(options[int(dice * len(options))])


def _setup(
    out: IO[str], pupils: int, seed: int
) -> tuple[School, DemoSchool, dict[str, User]]:
    calendar_text = reference_calendar_text()
    calendar = load_calendar(calendar_text, "reference-2025-26.toml")
    generated = generate_school(
        seed=seed, calendar=calendar, through=LAST_DAY, pupils=pupils
    )
    school = register.create_school(
        SLUG, generated.name, calendar_text, shipped_policy_text()
    )
    school.address = "Hollins Lane\nPark Vale\nZY1 4AA"
    school.phone = "01632 960100"
    school.email = "attendance@hollins-park.example.org"
    school.signatories = {role: name for _, role, _, name in STAFF if role}
    school.save()
    users: dict[str, User] = {}
    hashed = make_password(DEMO_PASSWORD)  # one slow argon2 hash serves them all
    for username, role, web_role, name in STAFF:
        forename, _, surname = name.rpartition(" ")
        user = User.objects.create(
            username=username, password=hashed, first_name=forename, last_name=surname
        )
        StaffMember.objects.create(user=user, school=school, role=web_role)
        if role:
            users[role] = user
    register.import_pupils(
        school,
        _pupils_csv(generated),
        "pupils.csv",
        on=calendar.first_school_day(2025),
    )
    register.import_contacts(school, _contacts_csv(generated), "contacts.csv")
    out.write(
        f"Generated {generated.name}: {len(generated.pupils)} pupils, "
        f"{len(generated.contacts)} contacts, {len(generated.marks):,} marks "
        f"(seed {seed}).\n"
    )
    return school, generated, users


def _safeguarding_story(
    school: School, generated: DemoSchool, users: dict[str, User], day: dt.date
) -> None:
    """On two fixed days the safeguarding lead records, then closes, a concern."""
    severe = generated.with_profile(Profile.SEVERE)
    if not severe:
        return
    case = Case.objects.filter(
        pupil__school=school, pupil__mis_id=str(severe[0].student_id)
    ).first()
    if case is None:
        return
    if day == dt.date(2025, 11, 12) and not case.state.get("stage4_since"):
        case_action(
            case,
            "record concern",
            day,
            users["safeguarding"],
            "Referral made to the MASH after a disclosure.",
        )


def run_demo(
    out: IO[str],
    *,
    seed: int = DEFAULT_SEED,
    pupils: int = 600,
    last_day: dt.date = LAST_DAY,
    progress: Callable[[list[dt.date]], Iterable[dt.date]] = lambda days: days,
) -> DemoSummary:
    """Return what the demo did, after building and replaying the demo school."""
    with transaction.atomic():
        school, generated, users = _setup(out, pupils, seed)
    calendar = load_calendar(school.calendar_text)
    staff = ScriptedStaff(users, calendar)
    summary = DemoSummary(school)
    days = list(calendar.school_days_between(calendar.first_school_day(2025), last_day))
    with LetterRenderer() as renderer:
        for day in progress(days):
            register.import_register(
                school,
                _register_as_known(generated, calendar, day),
                f"register-{day}.csv",
            )
            summary.imports += 1
            report = daily_run(school, day, renderer=renderer)
            summary.letters += report.letters
            summary.days += 1
            _safeguarding_story(school, generated, users, day)
            summary.completed += _work_the_list(
                school, staff, day, report.register, renderer
            )
    summary.letters = Letter.objects.filter(pupil__school=school).count()
    for case in Case.objects.filter(school=school):
        summary.stages[case.stage] = summary.stages.get(case.stage, 0) + 1
    summary.open_items = Task.objects.filter(
        school=school, status=Task.Status.PROPOSED
    ).count()
    return summary


def _keep_current(register: dict[int, PupilDay], task: Task) -> None:
    if task.key.startswith("NO/"):
        register.pop(task.pupil_id, None)
    elif task.kind == "first-day call" and task.pupil_id in register:
        day = register[task.pupil_id]
        outcome = CallOutcome(task.outcome["result"])
        register[task.pupil_id] = replace(
            day, calls={**day.calls, task.due_on: outcome}
        )


def _work_the_list(
    school: School,
    staff: ScriptedStaff,
    day: dt.date,
    register: dict[int, PupilDay],
    renderer: LetterRenderer,
) -> int:
    """Complete what the staff would complete today; return how many items.

    `register` holds each pupil's register as the daily run read it; it is
    kept current as calls are recorded, and dropped when marks change.
    """
    done = 0
    for _ in range(5):  # completing an item can put a new one on the list
        progressed = False
        for task in Task.objects.filter(
            school=school, status=Task.Status.PROPOSED, due_on__lte=day
        ).select_related("pupil", "school", "case"):
            arguments = staff.decide(task, day)
            if arguments is None:
                continue
            try:
                task = complete_task(
                    task,
                    on=day,
                    user=staff.user_for(task),
                    pupil_day=register.get(task.pupil_id),
                    draft=False,
                    **arguments,  # type: ignore[arg-type]
                )
            except (TaskError, PathwayError) as error:
                # Another completion today already moved the case on.
                log.info(
                    "demo item skipped", extra={"task": task.pk, "why": str(error)}
                )
                continue
            done += 1
            progressed = True
            _keep_current(register, task)
        if not progressed:
            break
        # Letters the decisions proposed, drafted together before the next pass.
        draft_pending(school, day, renderer=renderer)
    return done
