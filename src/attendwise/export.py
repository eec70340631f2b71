"""Tables out to CSV and Excel, safe to open in a spreadsheet.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by spreadsheet programs as a formula, which can run
commands or send data away (CSV or formula injection). Every text cell
such as a pupil's or parent's name, a reason typed by staff or a value
from an MIS file is neutralised: a leading apostrophe makes the program
show it as text. Numbers are written as numbers and are never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, BinaryIO

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

#: The characters that make a spreadsheet read a cell as a formula. The
#: full-width forms are there because some spreadsheet programs fold them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class Table:
    """A named table: its column headings and rows of cells."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def neutralise(text: str) -> str:
    """Return `text` safe to open in a spreadsheet (see FORMULA_STARTS).

    Text that could be read as a formula gains a leading apostrophe;
    anything else comes back unchanged, so a plain `-` mark or a negative
    looking reference keeps its meaning to a reader.
    """
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, str):
        return neutralise(cell)
    return str(cell)


def write_csv(table: Table, out: IO[str]) -> None:
    """Write `table` as CSV (every cell quoted as needed, text neutralised)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(heading) for heading in table.header])
    writer.writerows([_text(cell) for cell in row] for row in table.rows)


def write_xlsx(tables: Iterable[Table], out: BinaryIO | str) -> None:
    """Write each table as a sheet of an .xlsx workbook.

    Text is written as text (never as a formula, and neutralised as in
    CSV, so a copy pasted into another sheet stays safe); numbers as
    numbers; dates as date cells shown DD/MM/YYYY.
    """
    workbook = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    date_cell = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for table in tables:
        sheet = workbook.add_worksheet(_sheet_name(table.name))
        for column, heading in enumerate(table.header):
            sheet.write_string(0, column, neutralise(heading), bold)
        for number, row in enumerate(table.rows, start=1):
            _write_row(sheet, number, row, date_cell)
        sheet.freeze_panes(1, 0)
    workbook.close()


def _write_row(
    sheet: Worksheet, number: int, row: Sequence[Cell], date_cell: Format
) -> None:
    for column, cell in enumerate(row):
        if cell is None:
            continue
        if isinstance(cell, bool):
            sheet.write_string(number, column, "Y" if cell else "N")
        elif isinstance(cell, int | float | Decimal):
            sheet.write_number(number, column, float(cell))
        elif isinstance(cell, dt.date):
            sheet.write_datetime(
                number, column, dt.datetime.combine(cell, dt.time()), date_cell
            )
        else:
            sheet.write_string(number, column, neutralise(cell))


def _sheet_name(name: str) -> str:
    """Return a name Excel accepts for a sheet (31 characters, no []:*?/\\)."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")
    return (cleaned or "Sheet")[:31]
