"""Factories for named-source tests: .xlsx workbooks built in the test."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter


def xlsx_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    before: Sequence[str] = (),
) -> bytes:
    """Return an .xlsx workbook with `rows` under `header` on `sheet`.

    Dates and datetimes are real date cells (as an MIS export writes
    them), numbers are number cells, None leaves a cell empty; `before`
    names empty sheets that come first.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name in before:
        workbook.add_worksheet(name)
    worksheet = workbook.add_worksheet(sheet)
    date_cell = workbook.add_format({"num_format": "dd/mm/yyyy"})
    time_cell = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for column, heading in enumerate(header):
        worksheet.write_string(0, column, heading)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                worksheet.write_datetime(number, column, value, time_cell)
            elif isinstance(value, dt.date):
                worksheet.write_datetime(number, column, value, date_cell)
            elif isinstance(value, int | float):
                worksheet.write_number(number, column, value)
            else:
                worksheet.write_string(number, column, str(value))
    workbook.close()
    return buffer.getvalue()
