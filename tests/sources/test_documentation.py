"""Every column of every import layout is documented."""

from pathlib import Path

import pytest

from attendwise.sources import canonical, sims

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"

LAYOUTS = [
    canonical.LAYOUT,
    sims.SESSIONS_LAYOUT,
    sims.PUPILS_LAYOUT,
    sims.CONTACTS_LAYOUT,
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_every_column_has_a_row_in_docs_import_formats(layout):
    text = DOC.read_text(encoding="utf-8")

    undocumented = [
        column.name for column in layout.columns if f"| `{column.name}` |" not in text
    ]

    assert undocumented == []


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_every_column_has_help_text(layout):
    assert [column.name for column in layout.columns if not column.help.strip()] == []
