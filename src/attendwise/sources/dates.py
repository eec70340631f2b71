"""The date formats a source may declare; a date is never guessed.

Every source names one format, and a value in any other form is an error
for its row (`2025-09-03` in a DD/MM/YYYY file, `3/9/25`). A timestamp
with a UTC offset is converted to Europe/London before its date is taken:
`2025-10-06T23:30:00Z` is 00:30 on 7 October in London, so the session is
on the 7th (taking the date of the UTC value would say the 6th).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from attendwise.sources.base import ValueProblem, parse_iso_date, parse_uk_date

LONDON = ZoneInfo("Europe/London")

_DASHED = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})", re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)
_UK_TIME = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII
)
_MONTH_NAME = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{4})", re.ASCII)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?"
    r"(Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)


class DateFormat(StrEnum):
    """How a source writes the date of a session (values are what people read)."""

    UK = "DD/MM/YYYY"
    UK_DASHED = "DD-MM-YYYY"
    UK_DOTTED = "DD.MM.YYYY"
    ISO = "YYYY-MM-DD"
    UK_MONTH_NAME = "DD Mon YYYY"
    UK_DATE_TIME = "DD/MM/YYYY HH:MM"
    TIMESTAMP = "YYYY-MM-DDTHH:MM+HH:MM"

    @property
    def help(self) -> str:
        return _HELP[self]

    def parse(self, text: str) -> dt.date:
        """Return the UK calendar date `text` stands for; raise ValueProblem."""
        return _parse(self, text)

    def cell(self, value: object) -> str:
        """Return a spreadsheet cell as text this format reads.

        A date cell is written in the format; a datetime cell too (a format
        without a time drops it; a timestamp without an offset stays
        without one, and is then refused). Numbers lose a trailing '.0'.
        """
        if isinstance(value, dt.datetime):
            return _write_datetime(self, value)
        if isinstance(value, dt.date):
            return _write_date(self, value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


_HELP = {
    DateFormat.UK: "day first, as in the UK: 03/09/2025 (or 3/9/2025)",
    DateFormat.UK_DASHED: "day first with dashes: 03-09-2025",
    DateFormat.UK_DOTTED: "day first with dots: 03.09.2025",
    DateFormat.ISO: "year first: 2025-09-03",
    DateFormat.UK_MONTH_NAME: "day, month name, year: 03 Sep 2025 or 3-Sep-2025",
    DateFormat.UK_DATE_TIME: (
        "day first with a UK local time: 03/09/2025 08:45; the date is taken as written"
    ),
    DateFormat.TIMESTAMP: (
        "ISO 8601 with a UTC offset: 2025-09-03T08:45:00+01:00 or "
        "2025-09-03T07:45:00Z; converted to Europe/London before the date is "
        "taken; a time without an offset is refused"
    ),
}


@lru_cache(maxsize=16384)
def _parse(form: DateFormat, text: str) -> dt.date:
    if form is DateFormat.UK:
        return parse_uk_date(text)
    if form is DateFormat.ISO:
        return parse_iso_date(text)
    if form in (DateFormat.UK_DASHED, DateFormat.UK_DOTTED):
        pattern = _DASHED if form is DateFormat.UK_DASHED else _DOTTED
        match = pattern.fullmatch(text)
        if match is None:
            raise ValueProblem(f"{text!r} is not a date in the form {form.value}")
        day, month, year = (int(part) for part in match.groups())
        return _real(text, year, month, day)
    if form is DateFormat.UK_MONTH_NAME:
        return _month_name(text)
    if form is DateFormat.UK_DATE_TIME:
        match = _UK_TIME.fullmatch(text)
        if match is None:
            raise ValueProblem(
                f"{text!r} is not a date and time in the form DD/MM/YYYY HH:MM"
            )
        day, month, year, hour, minute = (int(part) for part in match.groups()[:5])
        if hour > 23 or minute > 59:
            raise ValueProblem(f"{text!r} has no such time of day")
        return _real(text, year, month, day)
    return _timestamp(text)


def _month_name(text: str) -> dt.date:
    match = _MONTH_NAME.fullmatch(text)
    if match is None or match.group(2).lower() not in _MONTHS:
        raise ValueProblem(f"{text!r} is not a date in the form DD Mon YYYY")
    month = _MONTHS.index(match.group(2).lower()) + 1
    return _real(text, int(match.group(3)), month, int(match.group(1)))


def _timestamp(text: str) -> dt.date:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueProblem(
            f"{text!r} is not a timestamp in the form 2025-09-03T08:45:00+01:00"
        )
    offset = match.group(7)
    if offset is None:
        raise ValueProblem(
            f"{text!r} has a time but no UTC offset, so its UK date is not "
            "known; export timestamps with their offset (+01:00 or Z)"
        )
    year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
    second = int(match.group(6) or 0)
    if offset == "Z":
        zone = dt.UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            raise ValueProblem(f"{text!r} has no such UTC offset")
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    _real(text, year, month, day)
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
        return moment.astimezone(LONDON).date()
    except (ValueError, OverflowError) as problem:
        raise ValueProblem(f"{text!r} is not a real time ({problem})") from None


def _real(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as problem:
        raise ValueProblem(f"{text!r} is not a real date ({problem})") from None


def _write_date(form: DateFormat, value: dt.date) -> str:
    if form is DateFormat.ISO:
        return value.isoformat()
    if form is DateFormat.UK_DASHED:
        return f"{value:%d-%m-%Y}"
    if form is DateFormat.UK_DOTTED:
        return f"{value:%d.%m.%Y}"
    if form is DateFormat.UK_MONTH_NAME:
        return f"{value.day:02d} {_MONTHS[value.month - 1].title()} {value.year}"
    if form is DateFormat.UK_DATE_TIME:
        return f"{value:%d/%m/%Y} 00:00"
    if form is DateFormat.TIMESTAMP:
        # A date cell has no time and no offset: refused when parsed.
        return f"{value.isoformat()}T00:00:00"
    return f"{value:%d/%m/%Y}"


def _write_datetime(form: DateFormat, value: dt.datetime) -> str:
    if form is DateFormat.UK_DATE_TIME:
        return f"{value:%d/%m/%Y %H:%M}"
    if form is DateFormat.TIMESTAMP:
        return value.isoformat(timespec="seconds")
    return _write_date(form, value.date())
