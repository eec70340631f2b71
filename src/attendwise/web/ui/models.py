"""Staff, the audit of pupils' records, sign-in throttling, letter wording.

The audit is a business record the administrator reads: who opened or
changed which pupil's record, when. An entry about a safeguarding (Stage
4) record is marked so when it is written; only the safeguarding lead
reads what it was. The audit is kept apart from the technical log, which
never names a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attendwise.web.register.models import Pupil, School
from attendwise.web.ui.roles import Role


class StaffMember(models.Model):
    """A user's role at one school (a user works for one school)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(
        max_length=20, choices=[(role.value, role.label) for role in Role]
    )

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role} at {self.school.slug})"


class AuditEntry(models.Model):
    """One person viewing or changing one pupil's record (or a school setting)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(
        max_length=60, help_text="Namespaced: pupil.viewed, task.completed ..."
    )
    summary = models.CharField(max_length=300)
    path = models.CharField(max_length=300)
    safeguarding = models.BooleanField(
        default=False,
        help_text="About a Stage 4 record: its summary is for the safeguarding "
        "lead only.",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["pupil", "at"]),
            models.Index(fields=["school", "at"]),
        ]


class SignInFailure(models.Model):
    """A failed sign-in, kept for throttling (the name is stored as a digest)."""

    at = models.DateTimeField(db_index=True)
    username_digest = models.CharField(max_length=64, db_index=True)
    address = models.CharField(max_length=45, blank=True)


class LetterTemplate(models.Model):
    """A school's own wording of one letter (else the packaged template)."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="letter_templates"
    )
    kind = models.CharField(max_length=40)
    source = models.TextField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind"], name="one_template_per_letter"
            )
        ]


class PrintRun(models.Model):
    """Approved letters printed together as one PDF; each is printed once."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    letter_ids = models.JSONField(default=list)
    pdf_path = models.CharField(max_length=300)


def school_template(school: School, kind: str) -> str | None:
    """Return the school's own wording of letter `kind`, or None (packaged)."""
    found = LetterTemplate.objects.filter(school=school, kind=kind).first()
    return found.source if found is not None else None


class ImportJob(models.Model):
    """One uploaded file being checked, then applied, by a worker thread.

    The check reads the whole file and works out what applying it would
    do, writing nothing; applying does it again inside one transaction.
    The job page follows `status` and the counts. A running job's worker
    writes `heartbeat_at` every few seconds: one whose heartbeat stops (its
    process died) is failed by the next page that reads it, and nothing of
    it was applied (the import's transaction never committed).

    `report` holds what the report page shows, no more: the counts, each
    listed error's line, field and reason, and the warning lines.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        CHECKED = "checked", "Checked: ready to apply"
        REJECTED = "rejected", "Rejected: nothing was applied"
        APPLYING = "applying", "Applying the file"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed: nothing was applied"

    #: The statuses of a job whose worker is (or should be) running.
    RUNNING = (Status.CHECKING, Status.APPLYING)

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    layout = models.CharField(max_length=20, blank=True)
    file_name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    token = models.CharField(max_length=40, unique=True)
    sha256 = models.CharField(max_length=64)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)
    #: About how many data rows the file holds (its non-blank lines).
    rows_expected = models.IntegerField(default=0)
    rows_read = models.IntegerField(default=0)
    #: Rows compared with the register (a check) or applied (an apply).
    rows_done = models.IntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: The process running the job: host, process id and a random tag.
    runner = models.CharField(max_length=200, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    apply_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Why a job failed, in words for staff (never a pupil's details).
    message = models.TextField(blank=True)
    report = models.JSONField(default=dict)
    run = models.ForeignKey(
        "register.ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(status__in=["checking", "applying"]),
                name="one_running_import_per_school",
            )
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"import job {self.pk} ({self.kind}, {self.status})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING
