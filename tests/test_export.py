"""Exports to CSV and Excel: formulas neutralised, numbers and dates kept."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from attendwise.export import Table, neutralise, write_csv, write_xlsx

HOSTILE = [
    '=HYPERLINK("http://example.invalid","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "＝1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada", "/", "\\", "#", "|", "O'Neil", "", "7A"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def table():
    return Table(
        "Figures",
        ("MIS id", "Surname", "Possible", "Attendance %", "Since"),
        (
            ("4001", "=cmd|' /C calc'!A0", 80, Decimal("96.3"), dt.date(2025, 9, 3)),
            ("4002", "Lewis", 0, None, None),
        ),
    )


def test_csv_export_neutralises_text_and_keeps_numbers():
    out = io.StringIO()

    write_csv(table(), out)

    assert out.getvalue().splitlines() == [
        "MIS id,Surname,Possible,Attendance %,Since",
        "4001,'=cmd|' /C calc'!A0,80,96.3,2025-09-03",
        "4002,Lewis,0,,",
    ]


def test_excel_export_writes_text_as_text_and_numbers_and_dates_as_cells():
    out = io.BytesIO()

    write_xlsx([table()], out)

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    assert sheet.sheet_names == ["Figures"]
    rows = sheet.get_sheet_by_index(0).to_python()
    assert rows[1] == ["4001", "'=cmd|' /C calc'!A0", 80.0, 96.3, dt.date(2025, 9, 3)]
    assert rows[2] == ["4002", "Lewis", 0.0, "", ""]


def test_an_excel_workbook_holds_no_formula():
    out = io.BytesIO()

    write_xlsx([table()], out)

    import zipfile

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
