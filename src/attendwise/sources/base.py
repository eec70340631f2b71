"""What every import format shares: the error model and the CSV reader.

An import is strict and all-or-nothing: every row is validated, every
problem is collected with its file, line and field, and a file with any
error is rejected whole. Warnings never stop a file; they say what was
stored but deserves a look (a folded duplicate, a blank mark).

Files are read as bytes and must be UTF-8 (a byte-order mark is allowed).
Other encodings are refused, never guessed.
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
    NO_CONTACT = "pupil without contacts"
    CONTACT_REMOVED = "contact removed"


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something stored that a person should look at; it does not stop the file."""

    kind: WarningKind
    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str

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
    ) -> None:
        self.warning_counts[kind] += 1
        if len(self.warnings) < self.limit:
            self.warnings.append(
                ImportWarning(kind, self.file, line, field, value, reason)
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
    """A documented CSV layout: its name and its columns, in order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def known(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)


# -- reading ---------------------------------------------------------------


def _decoded_lines(
    data: bytes, report: ReportBuilder, bad_lines: list[int]
) -> Iterator[str]:
    """Yield the physical lines of `data` as text, reporting bytes not UTF-8.

    A line that does not decode is reported, appended to `bad_lines`, and
    yielded with replacement characters so that the rows after it can
    still be checked.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    elif data.startswith(_UTF16_BOMS):
        report.error(
            1,
            None,
            None,
            "the file is UTF-16 text; Attendwise reads UTF-8 only: save it "
            "as 'CSV UTF-8' and import it again",
        )
        bad_lines.append(1)
        return
    for number, raw in enumerate(io.BytesIO(data), start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as problem:
            column = len(raw[: problem.start].decode("utf-8", "replace")) + 1
            byte = raw[problem.start]
            report.error(
                number,
                None,
                f"0x{byte:02X}",
                f"byte 0x{byte:02X} (character {column} of the line) is not UTF-8: "
                "the file was saved in another encoding (such as Windows-1252); "
                "save it as 'CSV UTF-8' and import it again",
            )
            bad_lines.append(number)
            yield raw.decode("utf-8", "replace")


class Table:
    """The data rows of a CSV file whose header has been checked.

    `index` maps each column name to its position in a row.
    """

    def __init__(
        self,
        header: Sequence[str],
        reader: _reader,
        bad_lines: list[int],
        report: ReportBuilder,
        progress: Progress | None,
    ) -> None:
        self.index = {name: position for position, name in enumerate(header)}
        self._width = len(header)
        self._reader = reader
        self._bad_lines = bad_lines
        self._report = report
        self._progress = progress

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line, values) for each data row, values stripped of spaces.

        `line` is the row's first line in the file. Blank rows are skipped;
        rows that cannot be read (bad bytes, bad quoting, a wrong number of
        fields) are reported and skipped. A file with a header and no data
        rows is reported once the rows are exhausted.
        """
        report, reader, bad_lines = self._report, self._reader, self._bad_lines
        read = pending = 0
        last_line = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as problem:
                report.error(reader.line_num, None, None, _csv_reason(problem))
                last_line = reader.line_num
                continue
            first_line, last_line = last_line + 1, reader.line_num
            values = [value.strip() for value in values]
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
) -> Table | None:
    """Return the rows of `data` after checking its header against `layout`.

    Returns None, with the errors reported, when the file is empty (no
    bytes, or blank lines only) or its header lacks a required column, has
    a column the layout does not know, or repeats one. A file with a
    header and no rows is reported when its rows are read.
    """
    bad_lines: list[int] = []
    reader = csv.reader(_decoded_lines(data, report, bad_lines), strict=True)
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
    return Table(header, reader, bad_lines, report, progress)


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
    repeated = sorted(name for name, n in Counter(header).items() if n > 1)
    missing = [name for name in layout.required if name not in header]
    unknown = [name for name in header if name not in layout.known]
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

_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class ValueProblem(ValueError):
    """A value that cannot be read; its message is the reason for the report."""


@lru_cache(maxsize=8192)
def parse_uk_date(text: str) -> dt.date:
    """Return the date written DD/MM/YYYY (day first, as in the UK).

    One-digit days and months are accepted; two-digit years, ISO dates
    and times are not. Raises ValueProblem: a date is never guessed.
    """
    match = _UK_DATE.fullmatch(text)
    if match is None:
        raise ValueProblem(f"{text!r} is not a date in the form DD/MM/YYYY")
    day, month, year = (int(part) for part in match.groups())
    return _real_date(text, year, month, day)


@lru_cache(maxsize=8192)
def parse_iso_date(text: str) -> dt.date:
    """Return the date written YYYY-MM-DD. Raises ValueProblem otherwise."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise ValueProblem(f"{text!r} is not a date in the form YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    return _real_date(text, year, month, day)


def _real_date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as problem:
        raise ValueProblem(f"{text!r} is not a real date ({problem})") from None


def parse_yes_no(text: str) -> bool:
    """Return True for Y and False for N. Raises ValueProblem otherwise."""
    if text == "Y":
        return True
    if text == "N":
        return False
    raise ValueProblem(f"{text!r} is not Y or N")


def check_length(text: str, limit: int) -> str:
    """Return `text` when it fits in `limit` characters; raise ValueProblem."""
    if len(text) > limit:
        raise ValueProblem(
            f"{text[:20]!r}... is {len(text)} characters long; at most {limit} fit"
        )
    return text


def describe_day(day: dt.date) -> str:
    """Return a date as a school reads it: 'Tue 10/09/2024'."""
    return f"{day:%a %d/%m/%Y}"
