"""What the school's MIS tells us: pupils, contacts and register marks.

Marks are never deleted or overwritten silently: a changed mark replaces
the current value and the old one is kept as a MarkRevision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class School(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    urn = models.CharField("URN", max_length=8, blank=True)
    calendar_text = models.TextField(help_text="The calendar file (TOML).")
    policy_text = models.TextField(help_text="The policy file (TOML).")
    address = models.TextField(blank=True, help_text="Postal address, one line each.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=200, blank=True)
    last_run_on = models.DateField(
        null=True, blank=True, help_text="The school day of the latest daily run."
    )
    signatories = models.JSONField(
        default=dict,
        blank=True,
        help_text="Who signs letters for each role of the policy: {role: name}.",
    )

    def __str__(self) -> str:
        return self.name


class Pupil(models.Model):
    class Sen(models.TextChoices):
        NONE = "N", "No special educational needs"
        SUPPORT = "K", "SEN support"
        EHC_PLAN = "E", "Education, health and care plan"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    mis_id = models.CharField("MIS id", max_length=40)
    upn = models.CharField("UPN", max_length=13, blank=True)
    legal_surname = models.CharField(max_length=100)
    legal_forename = models.CharField(max_length=100)
    gender = models.CharField(max_length=1, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    year_group = models.SmallIntegerField(null=True, blank=True)
    reg_group = models.CharField(max_length=20, blank=True)
    fsm = models.BooleanField("free school meals", default=False)
    sen = models.CharField(max_length=1, choices=Sen.choices, default=Sen.NONE)
    entry_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    enrolment_status = models.CharField(
        max_length=1,
        blank=True,
        choices=[
            ("C", "Single registration"),
            ("M", "Dual registration, main school"),
            ("S", "Dual registration, subsidiary school"),
            ("G", "Guest"),
        ],
        help_text="The census enrolment status; blank when the MIS does not say.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "mis_id"], name="pupil_mis_id_unique"
            ),
        ]
        ordering = ["legal_surname", "legal_forename"]

    def __str__(self) -> str:
        return f"{self.legal_forename} {self.legal_surname}"


class Contact(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    priority = models.SmallIntegerField()
    relationship = models.CharField(max_length=40)
    parental_responsibility = models.BooleanField()
    title = models.CharField(max_length=20, blank=True)
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    lives_with_pupil = models.BooleanField()
    address_line_1 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=200, blank=True)
    receives_correspondence = models.BooleanField(default=True)
    court_order_bar = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "priority"], name="contact_priority_unique"
            ),
        ]
        ordering = ["pupil", "priority"]

    def __str__(self) -> str:
        return f"{self.title} {self.forename} {self.surname}".strip()


class Source(models.Model):
    """A school's register export, mapped once and saved by name.

    Read through attendwise.sources.mapped.SourceSpec (see spec()); the
    choices below are that module's, kept in step by a test.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sources")
    name = models.CharField(max_length=100)
    preset = models.CharField(
        max_length=40, blank=True, help_text="The preset it started from."
    )
    columns = models.JSONField(help_text="Role (pupil, date, ...) -> column heading.")
    date_format = models.CharField(max_length=40)
    encoding = models.CharField(max_length=10, default="utf-8")
    file_format = models.CharField(max_length=10, default="csv")
    sheet = models.CharField(max_length=100, blank=True)
    code_table = models.JSONField(
        default=dict, blank=True, help_text="Local code -> statutory code."
    )
    session_names = models.JSONField(default=dict, blank=True)
    several_registers = models.BooleanField(default=False)
    pupil_key = models.CharField(max_length=10, default="mis_id")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"], name="source_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One file applied to the database (rejected files leave no row)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="imports")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    applied_at = models.DateTimeField()
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    rows = models.IntegerField()
    created = models.IntegerField(default=0)
    changed = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    warnings = models.JSONField(default=list)


class Mark(models.Model):
    class Session(models.TextChoices):
        AM = "AM", "Morning"
        PM = "PM", "Afternoon"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="marks")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=2, help_text="The statutory code.")
    source_code = models.CharField(
        max_length=10, help_text="The mark as the MIS gave it."
    )
    minutes_late = models.SmallIntegerField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "date", "session"], name="mark_one_per_session"
            ),
        ]
        indexes = [models.Index(fields=["date"])]


class MarkRevision(models.Model):
    """A value a mark held before it was changed (kept six years)."""

    mark = models.ForeignKey(Mark, on_delete=models.PROTECT, related_name="revisions")
    code = models.CharField(max_length=2)
    source_code = models.CharField(max_length=10)
    minutes_late = models.SmallIntegerField(null=True, blank=True)
    valid_until = models.DateTimeField()
    replaced_by_import = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT
    )
    replaced_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.CharField(max_length=200, blank=True)


class PupilChange(models.Model):
    """What an import or a person changed about a pupil or their contacts.

    Append-only. `kind` is one of KINDS; `subject` is "pupil" or "contact
    N" (its priority); `before` and `after` are the values as text. A
    change an import made has its `import_run`; one a member of staff made
    (a contact's court-order bar or correspondence) has `changed_by` and
    their `reason` instead.
    """

    KINDS = (
        "joined",
        "left",
        "returned",
        "changed",
        "contact added",
        "contact removed",
        "contact changed",
    )

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="changes")
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=20)
    subject = models.CharField(max_length=20)
    field = models.CharField(max_length=40, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["pupil", "recorded_at"])]
