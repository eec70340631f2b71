"""Small factories for tests: real objects with keyword defaults."""

from __future__ import annotations

from functools import cache
from importlib import resources

from attendwise.core.calendar import SchoolCalendar, load_calendar


@cache
def reference_calendar() -> SchoolCalendar:
    """Return the reference calendar 2025/26 of the handbook."""
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    return load_calendar(text, "reference-2025-26.toml")
