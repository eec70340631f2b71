"""Shared test set-up.

Tests that touch the database are marked `database` automatically, so that
`make test` can run them a second time against PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("django_db") or "db" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def _letters_in_a_temporary_folder(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Keep every PDF a test drafts out of the working tree."""
    settings.LETTERS_DIR = tmp_path / "letters"
