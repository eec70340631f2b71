"""Staff, the audit of pupils' records, sign-in throttling, letter wording.

The audit is a business record the administrator reads: who opened or
changed which pupil's record, when. It is kept apart from the technical
log, which never names a person.
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
