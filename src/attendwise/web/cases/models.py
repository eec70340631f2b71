"""Cases on the intervention pathway, their history, tasks and letters.

A case's history is append-only: every change is an Event carrying who,
when and the figures it rested on. The case row keeps the derived current
position (`state`) and a `version` for compare-and-set updates, so two
people can never complete the same step twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attendwise.web.register.models import Pupil, School


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="cases")
    academic_year = models.SmallIntegerField(help_text="2025 means 2025/26.")
    stage = models.SmallIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN
    )
    state = models.JSONField(default=dict, help_text="The pathway engine's case state.")
    version = models.IntegerField(default=0)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "academic_year"], name="one_case_per_pupil_per_year"
            ),
        ]


#: What staff read for each kind of event on a pupil's timeline (the kinds
#: the pathway engine and the services record; a test checks each has one).
EVENT_LABELS: dict[str, str] = {
    "call": "First-day call",
    "call missing": "First-day call not recorded",
    "carried over": "Carried over into the new school year",
    "case opened": "Case opened",
    "check": "Review check",
    "check deferred": "Check put back",
    "closed": "Case closed",
    "confirmed": "Confirmed",
    "de-escalated": "Back to Stage 1",
    "decision": "Decision recorded",
    "dismissed": "Dismissed",
    "escalated": "Escalated",
    "letter not drafted": "Letter could not be drafted",
    "letter.approved": "Letter approved",
    "letter.printed": "Letter printed",
    "limit reached": "Step used its limit for the year",
    "local authority": "Local Authority took the case over",
    "meeting": "Meeting recorded",
    "meeting not held": "Meeting not held in time",
    "monitoring": "Monitoring",
    "monitoring check": "Monitoring check",
    "proposal withdrawn": "Proposal withdrawn",
    "question": "Question answered",
    "queued": "Queued by the daily limit",
    "re-entered": "Back on the pathway",
    "released from the queue": "Released from the queue",
    "stage 4": "Safeguarding concern recorded",
    "stage 4 ended": "Stage 4 ended",
    "withdrawn": "Item withdrawn",
    "year end": "End of the school year",
}


class Event(models.Model):
    """Something that happened to a pupil's case or ongoing procedures."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="events")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="events")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=60)
    school_day = models.DateField()
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    summary = models.TextField()
    figures = models.JSONField(default=dict)
    data = models.JSONField(default=dict)
    safeguarding = models.BooleanField(
        default=False, help_text="Visible to the safeguarding lead only."
    )

    class Meta:
        ordering = ["school_day", "recorded_at", "id"]
        indexes = [models.Index(fields=["pupil", "school_day"])]

    @property
    def label(self) -> str:
        """Return the event's kind in plain words (EVENT_LABELS).

        A kind no longer recorded, kept in an old history, reads as its
        name with the first letter capital.
        """
        found = EVENT_LABELS.get(self.kind)
        return found or self.kind.replace(".", " ").capitalize()


class Task(models.Model):
    """A proposal or question on the worklist, waiting for a person.

    A new pathway proposal held back by the policy's daily limit waits as
    QUEUED: off the worklist, its letter not drafted, until a later daily
    run releases it (attendwise.core.daily_limit).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a decision"
        QUEUED = "queued", "Queued by the daily limit"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"
        WITHDRAWN = "withdrawn", "Withdrawn: its reason has gone"
        SUPERSEDED = "superseded", "Superseded"
        CLOSED = "closed", "Closed at the end of the year"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="tasks")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    key = models.CharField(
        max_length=120,
        help_text="Identifies the item so a run never proposes it twice.",
    )
    kind = models.CharField(max_length=40)
    node = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=200)
    role = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_on = models.DateField()
    due_on = models.DateField()
    first_indicated_on = models.DateField()
    released_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the daily run put this new pathway proposal on the "
        "worklist: the daily limit counts these per role and day (empty while "
        "queued, and for items the limit does not apply to).",
    )
    figures = models.JSONField(default=dict)
    payload = models.JSONField(default=dict)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    safeguarding = models.BooleanField(default=False)
    version = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "key"], name="task_key_unique"),
        ]
        indexes = [models.Index(fields=["school", "status", "due_on"])]


#: The statuses of an item still waiting: on the worklist, or queued for it.
WAITING = (Task.Status.PROPOSED, Task.Status.QUEUED)


class Letter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PRINTED = "printed", "Printed"

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="letters")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=40)
    addressees = models.JSONField(
        help_text="Names and the one address this copy goes to."
    )
    merge = models.JSONField(help_text="The merged figures and fields.")
    pdf_path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    @property
    def status_text(self) -> str:
        """Return the status as staff read it.

        A draft whose item is no longer open (superseded, withdrawn,
        dismissed, closed) will never be sent, and says so.
        """
        if self.status == self.Status.DRAFT and self.task.status not in WAITING:
            return f"Not sent: the item was {self.task.get_status_display().lower()}"
        return self.get_status_display()


class PenaltyNotice(models.Model):
    """A penalty-notice referral, per parent per child (kept across years).

    The national limit (2 notices to the same parent for the same child in
    3 years; a withdrawn notice does not count) is checked against these.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="notices")
    parent_name = models.CharField(max_length=200)
    issued_on = models.DateField()
    withdrawn = models.BooleanField(default=False)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT)
