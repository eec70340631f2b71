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


def test_every_date_format_and_preset_is_documented():
    from attendwise.sources.dates import DateFormat
    from attendwise.sources.presets import PRESETS

    text = DOC.read_text(encoding="utf-8")

    assert [f.value for f in DateFormat if f"| `{f.value}` |" not in text] == []
    assert [name for name in PRESETS if f"| `{name}` |" not in text] == []


def test_the_register_order_is_documented_in_full():
    from attendwise.sources.register import REGISTER_ORDER

    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Several registers per session")[1]
    listed = section.split("handbook's code table.")[1].split("A blank")[0]

    written = listed.replace("`Y1`..`Y7`", " ".join(f"`Y{n}`" for n in range(1, 8)))
    codes = [part.strip("`") for part in written.split() if part.startswith("`")]
    assert [code for code in codes if len(code) <= 2] == list(REGISTER_ORDER)


def test_every_personal_column_is_named_where_the_doc_says_reports_withhold_it():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Personal data in reports")[1].split("\n## ")[0]

    assert [
        name for name in sorted(sims.PERSONAL_COLUMNS) if f"`{name}`" not in section
    ] == []


def test_the_ages_reported_as_unusual_are_the_documented_ones():
    text = DOC.read_text(encoding="utf-8")

    assert f"under {sims.YOUNGEST_AGE} on the entry date" in text
    assert f"over {sims.OLDEST_AGE} on the last day on roll" in text
