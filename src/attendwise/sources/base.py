"""What every import format shares: the error model and the CSV reader.

An import is strict and all-or-nothing: every row is validated, every
problem is collected with its file, line and field, and a file with any
error is rejected whole. Warnings never stop a file; they say what was
stored but deserves a look (a folded duplicate, a blank mark).

Files are read as bytes in the encoding their source declares: UTF-8 (a
byte-order mark is allowed) unless a named source says Windows-1252. Bytes
that are not valid in the declared encoding are refused, never guessed.
A named source may also declare an Excel workbook (.xlsx), read with
python-calamine; its rows go through the same checks as a CSV file's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import _reader

#: How many errors (and, separately, warnings) a report lists; all are counted.
MAX_LISTED = 200

#: How often (in rows) the reader reports progress.
PROGRESS_EVERY = 5000

#: Called with the number of rows done since the last call. An import does
#: each data row twice: once when it is read and checked, once when it is
#: applied (or found unchanged), so a whole file comes to twice its rows.
Progress = Callable[[int], object]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def quoted(text: str) -> str:
    r"""Return `text` in quotes as the user typed it (a backslash stays one).

    Python's repr() doubles a backslash, which makes a mark such as `\`
    read as two characters.
    """
    return f"'{text}'"


def _place(file: str, line: int | None, field: str | None) -> str:
    where = file
    if line is not None:
        where += f" line {line}"
    if field is not None:
        where += f", field {field}"
    return where


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem that stops the file: where it is, and what to do about it.

    `line` is None for a problem with the whole file (an empty file);
    `field` is None for a problem with the whole row.
    """

    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        return f"{_place(self.file, self.line, self.field)}: {self.reason}"


class WarningKind(StrEnum):
    """The kinds of warning an import reports (the keys of warning_counts)."""

    DUPLICATE = "duplicate row"
    BLANK = "blank mark"
    OUTSIDE_ROLL = "mark outside roll dates"
    CLOSED_DAY = "mark on a closed day"
    NOT_COVERED = "mark outside the calendar"
    CLOSURE_ON_OPEN_DAY = "closure code on an open day"
    MISSING = "missing marks"
    BLANK_KEPT = "blank mark over a stored mark"
    NOT_IN_FILE = "pupil not in the file"
    UNUSUAL_AGE = "unusual age"
    NO_CONTACT = "pupil without contacts"
    CONTACT_REMOVED = "contact removed"
    REGISTERS_RESOLVED = "several registers for one session"


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something stored that a person should look at; it does not stop the file.

    A warning that sums up many of one thing (the pupils not in a pupils
    file) names the first few in `reason` and holds them all in `items`,
    for the report to show on demand.
    """

    kind: WarningKind
    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str
    items: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{_place(self.file, self.line, self.field)}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    """Everything an import found in one file.

    `errors` and `warnings` list at most MAX_LISTED each; `error_count`
    and `warning_counts` count them all. `counts` holds the row figures
    (rows read, marks, blanks, created, changed, unchanged ...).
    """

    file: str
    errors: tuple[RowError, ...] = ()
    error_count: int = 0
    warnings: tuple[ImportWarning, ...] = ()
    warning_counts: Mapping[WarningKind, int] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def warning_count(self) -> int:
        return sum(self.warning_counts.values())

    def error_lines(self) -> list[str]:
        """Return one line per listed error, and a last line for any not listed."""
        lines = [str(error) for error in self.errors]
        hidden = self.error_count - len(self.errors)
        if hidden:
            lines.append(f"... and {hidden:,} more errors not listed")
        return lines

    def warning_lines(self) -> list[str]:
        """Return one line per listed warning, and a last line for any not listed."""
        lines = [str(warning) for warning in self.warnings]
        hidden = self.warning_count - len(self.warnings)
        if hidden:
            lines.append(f"... and {hidden:,} more warnings not listed")
        return lines


class ImportRejected(Exception):
    """A file with at least one error: nothing of it was applied."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        noun = "error" if report.error_count == 1 else "errors"
        first = f"; first: {report.errors[0]}" if report.errors else ""
        super().__init__(
            f"{report.file} was rejected with {report.error_count:,} {noun} "
            f"and nothing from it was imported{first}"
        )


class ReportBuilder:
    """Collects the errors, warnings and counts of one file as it is read."""

    def __init__(self, file: str, limit: int = MAX_LISTED) -> None:
        self.file = file
        self.limit = limit
        self.errors: list[RowError] = []
        self.error_count = 0
        self.warnings: list[ImportWarning] = []
        self.warning_counts: Counter[WarningKind] = Counter()
        self.counts: dict[str, int] = {}

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def error(
        self,
        line: int | None,
        field: str | None,
        value: str | None,
        reason: str,
    ) -> None:
        self.error_count += 1
        if len(self.errors) < self.limit:
            self.errors.append(RowError(self.file, line, field, value, reason))

    def warn(
        self,
        kind: WarningKind,
        line: int | None,
        field: str | None,
        value: str | None,
        reason: str,
        items: Sequence[str] = (),
    ) -> None:
        """Add a warning: all are counted, the first `limit` listed.

        One with `items` sums up many (see ImportWarning), so it is listed
        however many warnings came before it.
        """
        self.warning_counts[kind] += 1
        if len(self.warnings) < self.limit or items:
            self.warnings.append(
                ImportWarning(kind, self.file, line, field, value, reason, tuple(items))
            )

    def count(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def build(self) -> ImportReport:
        return ImportReport(
            file=self.file,
            errors=tuple(self.errors),
            error_count=self.error_count,
            warnings=tuple(self.warnings),
            warning_counts=dict(self.warning_counts),
            counts=dict(self.counts),
        )

    def reject_if_errors(self) -> None:
        """Raise ImportRejected when any error has been collected."""
        if self.has_errors:
            raise ImportRejected(self.build())


# -- columns ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a documented layout (docs/import-formats.md)."""

    name: str
    help: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Layout:
    """A documented CSV layout: its name and its columns, in order.

    With `others_allowed` (a school's mapped export), columns the layout
    does not name are ignored instead of reported.
    """

    name: str
    columns: tuple[Column, ...]
    others_allowed: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def known(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)


# -- reading ---------------------------------------------------------------


class Encoding(StrEnum):
    """The text encodings a source may declare (never guessed from the bytes)."""

    UTF8 = "utf-8"
    CP1252 = "cp1252"

    @property
    def label(self) -> str:
        return _ENCODING_LABELS[self]


_ENCODING_LABELS = {
    Encoding.UTF8: "UTF-8 (with or without a byte-order mark)",
    Encoding.CP1252: "Windows-1252 ('ANSI', as older Excel saves CSV)",
}


class FileFormat(StrEnum):
    """The kinds of file a source may declare."""

    CSV = "csv"
    XLSX = "xlsx"


def _plain_cell(value: object) -> str:
    """Return a spreadsheet cell as text: whole numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


@dataclass(frozen=True, slots=True)
class Reading:
    """How a file's bytes become rows: its format, encoding and sheet.

    `cell_text` turns an .xlsx cell (a number, a date, a datetime) into the
    text the layout's parsers read; a source passes one that writes dates
    in its declared date format. `sheet` is the sheet's name (None: the
    first sheet).
    """

    file_format: FileFormat = FileFormat.CSV
    encoding: Encoding = Encoding.UTF8
    sheet: str | None = None
    cell_text: Callable[[object], str] = _plain_cell


PLAIN = Reading()


def _decoded_lines(
    data: bytes,
    report: ReportBuilder,
    bad_lines: list[int],
    encoding: Encoding = Encoding.UTF8,
) -> Iterator[str]:
    """Yield the physical lines of `data` as text, reporting bytes not valid.

    A line that does not decode in `encoding` is reported, appended to
    `bad_lines`, and yielded with replacement characters so that the rows
    after it can still be checked. A UTF-16 file, and a UTF-8 byte-order
    mark in a file declared Windows-1252, are refused on line 1.
    """
    if data.startswith(_UTF16_BOMS):
        report.error(
            1,
            None,
            None,
            "the file is UTF-16 text; "
            + (
                "Attendwise reads UTF-8 only"
                if encoding is Encoding.UTF8
                else "this source reads Windows-1252"
            )
            + ": save it as 'CSV UTF-8' and import it again",
        )
        bad_lines.append(1)
        return
    if data.startswith(_UTF8_BOM):
        if encoding is Encoding.CP1252:
            report.error(
                1,
                None,
                None,
                "the file starts with a UTF-8 byte-order mark but its source "
                "declares Windows-1252: change the source's encoding to UTF-8, "
                "or save the file as 'CSV (Comma delimited)'",
            )
            bad_lines.append(1)
            return
        data = data[len(_UTF8_BOM) :]
    codec = encoding.value
    for number, raw in enumerate(io.BytesIO(data), start=1):
        if b"\x00" in raw:
            # No text file holds NUL; the database cannot store one either.
            report.error(
                number,
                None,
                "0x00",
                "the line holds a NUL byte: this is not a text file (or it is "
                "UTF-16); save it as 'CSV UTF-8' and import it again",
            )
            bad_lines.append(number)
            yield raw.replace(b"\x00", b"").decode(codec, "replace")
            continue
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError as problem:
            column = len(raw[: problem.start].decode(codec, "replace")) + 1
            byte = raw[problem.start]
            if encoding is Encoding.UTF8:
                reason = (
                    f"byte 0x{byte:02X} (character {column} of the line) is not "
                    "UTF-8: the file was saved in another encoding (such as "
                    "Windows-1252); save it as 'CSV UTF-8' and import it again"
                )
            else:
                reason = (
                    f"byte 0x{byte:02X} (character {column} of the line) has no "
                    "meaning in Windows-1252: the file was saved in another "
                    "encoding; check the source's declared encoding"
                )
            report.error(number, None, f"0x{byte:02X}", reason)
            bad_lines.append(number)
            yield raw.decode(codec, "replace")


#: A record of a file: (its first line, its values), or (a line, why it
#: could not be read).
Record = tuple[int, list[str] | str]


def _csv_records(reader: _reader) -> Iterator[Record]:
    last_line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            last_line = reader.line_num
            yield last_line, _csv_reason(problem)
            continue
        first_line, last_line = last_line + 1, reader.line_num
        yield first_line, values


class Table:
    """The data rows of a file whose header has been checked.

    `index` maps each column name to its position in a row.
    """

    def __init__(
        self,
        header: Sequence[str],
        records: Iterator[Record],
        bad_lines: list[int],
        report: ReportBuilder,
        progress: Progress | None,
    ) -> None:
        self.index = {name: position for position, name in enumerate(header)}
        self._width = len(header)
        self._records = records
        self._bad_lines = bad_lines
        self._report = report
        self._progress = progress

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line, values) for each data row, values stripped of spaces.

        `line` is the row's first line in the file (its row number in a
        workbook). Blank rows are skipped; rows that cannot be read (bad
        bytes, bad quoting, a wrong number of fields) are reported and
        skipped. A file with a header and no data rows is reported once
        the rows are exhausted.
        """
        report, bad_lines = self._report, self._bad_lines
        read = pending = 0
        for first_line, record in self._records:
            if isinstance(record, str):
                report.error(first_line, None, None, record)
                continue
            values = [value.strip() for value in record]
            if not any(values):
                continue
            read += 1
            pending += 1
            if pending == PROGRESS_EVERY and self._progress is not None:
                self._progress(pending)
                pending = 0
            # Bad lines are found in order as the reader reaches them, so
            # only the latest can fall inside this row.
            if bad_lines and bad_lines[-1] >= first_line:
                continue
            if len(values) != self._width:
                report.error(
                    first_line,
                    None,
                    None,
                    f"the row has {len(values)} fields but the header has "
                    f"{self._width}",
                )
                continue
            yield first_line, values
        if pending and self._progress is not None:
            self._progress(pending)
        report.count("rows", read)
        if read == 0 and not report.has_errors:
            report.error(None, None, None, "the file has a header but no data rows")


def read_table(
    data: bytes,
    layout: Layout,
    report: ReportBuilder,
    progress: Progress | None = None,
    reading: Reading = PLAIN,
) -> Table | None:
    """Return the rows of `data` after checking its header against `layout`.

    Returns None, with the errors reported, when the file is empty (no
    bytes, or blank lines only) or its header lacks a required column, has
    a column the layout does not know (unless it allows others), or
    repeats one. A file with a header and no rows is reported when its
    rows are read. `reading` says whether the file is CSV (and in which
    encoding) or an .xlsx workbook.
    """
    if reading.file_format is FileFormat.XLSX:
        return _read_sheet(data, layout, report, progress, reading)
    bad_lines: list[int] = []
    reader = csv.reader(
        _decoded_lines(data, report, bad_lines, reading.encoding), strict=True
    )
    header: list[str] | None = None
    try:
        for row in reader:
            if any(value.strip() for value in row):
                header = [value.strip() for value in row]
                break
    except csv.Error as problem:
        report.error(reader.line_num, None, None, _csv_reason(problem))
        return None
    if header is None:
        if not report.has_errors:
            report.error(None, None, None, "the file is empty")
        return None
    if bad_lines and bad_lines[-1] >= reader.line_num:
        return None
    if not _header_ok(header, reader.line_num, layout, report):
        return None
    return Table(header, _csv_records(reader), bad_lines, report, progress)


_ZIP_MAGIC = b"PK\x03\x04"


def _read_sheet(
    data: bytes,
    layout: Layout,
    report: ReportBuilder,
    progress: Progress | None,
    reading: Reading,
) -> Table | None:
    """Return the rows of an .xlsx workbook's sheet; see read_table."""
    from python_calamine import CalamineWorkbook

    if not data.startswith(_ZIP_MAGIC):
        report.error(
            None,
            None,
            None,
            "the file is not an Excel workbook (.xlsx); its source declares "
            "one: export the register as .xlsx, or change the source to CSV",
        )
        return None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if reading.sheet is not None and reading.sheet not in workbook.sheet_names:
            names = ", ".join(map(repr, workbook.sheet_names))
            report.error(
                None,
                None,
                reading.sheet,
                f"the workbook has no sheet {reading.sheet!r} (it has {names})",
            )
            return None
        sheet = (
            workbook.get_sheet_by_name(reading.sheet)
            if reading.sheet is not None
            else workbook.get_sheet_by_index(0)
        )
        # Row numbers as the spreadsheet shows them: the sheet may start
        # below row 1.
        top = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
    except Exception as problem:  # calamine raises several kinds; all mean this
        report.error(None, None, None, f"the workbook cannot be read ({problem})"[:300])
        return None
    records = _sheet_records(rows, top, reading.cell_text, report)
    header: list[str] | None = None
    line = 0
    for line, record in records:
        if isinstance(record, str):
            report.error(line, None, None, record)
            return None
        if any(value.strip() for value in record):
            header = [value.strip() for value in record]
            break
    if header is None:
        if not report.has_errors:
            report.error(None, None, None, "the file is empty")
        return None
    # A sheet's used range is as wide as its widest row: trailing empty
    # header cells are not columns.
    while header and not header[-1]:
        header.pop()
    if not _header_ok(header, line, layout, report):
        return None
    width = len(header)
    trimmed = (
        (number, _fit(record, width) if isinstance(record, list) else record)
        for number, record in records
    )
    return Table(header, trimmed, [], report, progress)


def _fit(values: list[str], width: int) -> list[str]:
    """Return a sheet row cut to `width` when only blank cells are cut."""
    if len(values) > width and not any(v.strip() for v in values[width:]):
        return values[:width]
    return values


def _sheet_records(
    rows: Iterator[Sequence[object]],
    top: int,
    cell_text: Callable[[object], str],
    report: ReportBuilder,
) -> Iterator[Record]:
    number = top
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as problem:  # a damaged sheet part: stop, and say so
            yield number, f"the workbook cannot be read from here on ({problem})"
            return
        values = [cell_text(value) for value in row]
        if any("\x00" in value for value in values):
            yield number, "the row holds a NUL character, which no register has"
            continue
        yield number, values


def _csv_reason(problem: csv.Error) -> str:
    """Return what a csv module error means for the person fixing the file."""
    text = str(problem)
    if "new-line character seen in unquoted field" in text:
        return (
            "the lines end in a bare carriage return (an old Mac line ending); "
            "save the file as 'CSV UTF-8' and import it again"
        )
    if "unexpected end of data" in text:
        return 'a value opened with a quote (") is never closed'
    if "expected after" in text:
        return 'a quoted value has more text after its closing quote (")'
    return f"not valid CSV: {text}"


def _header_ok(
    header: Sequence[str], line: int, layout: Layout, report: ReportBuilder
) -> bool:
    expected = ", ".join(c.name for c in layout.columns)
    named = [name for name in header if name] if layout.others_allowed else header
    repeated = sorted(name for name, n in Counter(named).items() if n > 1)
    if layout.others_allowed:
        repeated = [name for name in repeated if name in layout.known]
    missing = [name for name in layout.required if name not in header]
    unknown = [
        name
        for name in header
        if name not in layout.known and not layout.others_allowed
    ]
    for name in repeated:
        report.error(line, name, name, f"the column {name!r} appears twice")
    if missing:
        report.error(
            line,
            None,
            None,
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"the {layout.name} layout has the columns {expected}",
        )
    if unknown:
        report.error(
            line,
            None,
            None,
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the {layout.name} layout has the columns {expected}",
        )
    return not (repeated or missing or unknown)


# -- values ----------------------------------------------------------------

_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


class ValueProblem(ValueError):
    """A value that cannot be read; its message is the reason for the report.

    The message may quote the value, which helps staff find it when the
    value is a code, a session's date or a heading. A field whose value is
    personal data (a name, a date of birth, an address, a UPN) is reported
    with `without_value` instead: `predicate` is the reason said of the
    field ("is not a real date"), and `quoted` is False for a message that
    never repeats the value in the first place.
    """

    def __init__(
        self, reason: str, *, predicate: str | None = None, quoted: bool = True
    ) -> None:
        super().__init__(reason)
        self.predicate = predicate
        self.quoted = quoted

    @classmethod
    def about(cls, shown: str, predicate: str) -> ValueProblem:
        """Return the problem "SHOWN PREDICATE" ("'31/02/2025' is not a real date")."""
        return cls(f"{shown} {predicate}", predicate=predicate)

    def without_value(self, subject: str) -> str:
        """Return the reason with `subject` ("the Date of Birth") for the value."""
        if not self.quoted:
            return str(self)
        if self.predicate is not None:
            return f"{subject} {self.predicate}"
        return f"{subject} cannot be read: check it in the MIS"


@lru_cache(maxsize=8192)
def parse_uk_date(text: str) -> dt.date:
    """Return the date written DD/MM/YYYY (day first, as in the UK).

    One-digit days and months are accepted; two-digit years, ISO dates
    and times are not. Raises ValueProblem: a date is never guessed.
    """
    match = _UK_DATE.fullmatch(text)
    if match is None:
        raise ValueProblem.about(repr(text), "is not a date in the form DD/MM/YYYY")
    day, month, year = (int(part) for part in match.groups())
    return _real_date(text, year, month, day)


@lru_cache(maxsize=8192)
def parse_iso_date(text: str) -> dt.date:
    """Return the date written YYYY-MM-DD. Raises ValueProblem otherwise."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise ValueProblem.about(repr(text), "is not a date in the form YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    return _real_date(text, year, month, day)


def _real_date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as problem:
        raise ValueProblem.about(
            repr(text), f"is not a real date ({problem})"
        ) from None


def parse_yes_no(text: str) -> bool:
    """Return True for Y and False for N. Raises ValueProblem otherwise."""
    if text == "Y":
        return True
    if text == "N":
        return False
    raise ValueProblem.about(repr(text), "is not Y or N")


def check_length(text: str, limit: int) -> str:
    """Return `text` when it fits in `limit` characters; raise ValueProblem."""
    if len(text) > limit:
        raise ValueProblem.about(
            f"{text[:20]!r}...", f"is {len(text)} characters long; at most {limit} fit"
        )
    return text


def describe_day(day: dt.date) -> str:
    """Return a date as a school reads it: 'Tue 10/09/2024'."""
    return f"{day:%a %d/%m/%Y}"
