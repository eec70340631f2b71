"""Factories for the register's database tests: schools, pupils, snapshots."""

from __future__ import annotations

from importlib import resources

from attendwise.web.register import services
from attendwise.web.register.models import (
    Contact,
    ImportRun,
    Mark,
    MarkRevision,
    Pupil,
    School,
)
from tests.import_factories import IMPORT_DAY, pupils_csv

REFERENCE_CALENDAR = (
    resources.files("attendwise.calendars")
    .joinpath("reference-2025-26.toml")
    .read_text(encoding="utf-8")
)


def make_school(
    slug: str = "oakfield",
    *,
    name: str = "Oakfield Academy",
    calendar_text: str = REFERENCE_CALENDAR,
) -> School:
    return services.create_school(slug, name, calendar_text)


def enrol(school: School, *rows: list[str]) -> None:
    """Import pupils (rows from import_factories.pupil_row) for `school`."""
    services.import_pupils(school, pupils_csv(*rows), "pupils.csv", on=IMPORT_DAY)


def snapshot() -> dict[str, list[dict[str, object]]]:
    """Return every row of every register table, to compare before and after."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (School, Pupil, Contact, ImportRun, Mark, MarkRevision)
    }
