"""The one pass over the marks behind every measure (see measures.py).

Every mark becomes one integer made of small parts, then a single group-by
counts the marks per integer:

- the pupil's *slot* (1, 2, ... in the pupils frame; 0: not a pupil we know),
- the mark's *class*: codes that count the same way on a date share one
  (``/``, ``\\`` and ``L`` are all "present"; an N younger than the grace
  period is a class of its own; a code not valid on its date is invalid),
- the date's *band*: whether the date is a school day up to `as_of`, which
  stretch of school days between window boundaries it falls in, and whether
  it lies in the data-quality reporting period,
- whether the date is within the pupil's roll dates.

Each part comes from a lookup table indexed by an integer (the date, the
pupil id, the code), so the work per mark is a few gathers and additions.
What the counts mean is worked out afterwards on a frame of a few hundred
thousand rows at most.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from attendwise.core.calendar import SchoolCalendar
from attendwise.core.codes import Category, category_table
from attendwise.core.figures import WindowFigures

#: The counts of WindowFigures, in its field order.
COUNT_FIELDS: tuple[str, ...] = tuple(
    field.name
    for field in dataclasses.fields(WindowFigures)
    if field.name not in ("first", "last")
)

#: What a class adds to each count, per mark ("missing" is never a flag:
#: it is worked out from the sessions that have no mark).
FLAGS: tuple[str, ...] = (
    *(name for name in COUNT_FIELDS if name != "missing"),
    "marked",
)

# What a date is, for counting.
OUTSIDE_CALENDAR, CLOSED, COUNTED, LATER = range(4)

#: Bounds of school-day numbers are packed into one integer: lo * SPAN + hi.
SPAN = 1 << 24
EMPTY = 1 * SPAN + 0

#: From this many marks the pass runs on Polars' streaming engine, which is
#: faster on big frames; on small ones its start-up dominates.
STREAMING_FROM = 100_000


class MeasuresError(ValueError):
    """Input that cannot be counted (named in the message)."""


# -- classes of codes ----------------------------------------------------


@dataclass(frozen=True)
class Classes:
    """How each (code, code set, young N) counts, as numbered classes.

    `lookup[code_id * n_dates + date_class]` is the class of a code on a
    date of that date class (era * 2 + young); the code id `len(codes)`
    stands for a missing or unknown code.
    """

    codes: tuple[str, ...]
    valid_from: tuple[dt.date, ...]
    lookup: tuple[int, ...]
    flags: pl.DataFrame
    invalid: int

    @property
    def n_eras(self) -> int:
        # Era 0 is before the first code set: every code is invalid there.
        return len(self.valid_from) + 1

    @property
    def n_dates(self) -> int:
        return self.n_eras * 2

    @property
    def size(self) -> int:
        return self.flags.height


@cache
def classes(not_possible: frozenset[str]) -> Classes:
    """Return the classes of codes when `not_possible` codes are left out.

    Raises MeasuresError when `not_possible` names a code that does not exist.
    """
    table = category_table()
    codes = tuple(sorted({code for code, _, _ in table}))
    unknown = sorted(not_possible - set(codes))
    if unknown:
        raise MeasuresError(f"not_possible names unknown codes: {', '.join(unknown)}")
    valid_from = tuple(sorted({first for _, first, _ in table}))
    category = {(code, first): Category(name) for code, first, name in table}

    numbered: dict[tuple[tuple[str, int], ...], int] = {}
    invalid = _class_number(numbered, _flags(None, "", False, not_possible))
    lookup: list[int] = []
    for code in (*codes, None):
        for era in range(len(valid_from) + 1):
            for young in (False, True):
                found = (
                    category.get((code, valid_from[era - 1]))
                    if code is not None and era
                    else None
                )
                flags = _flags(found, code or "", young, not_possible)
                lookup.append(_class_number(numbered, flags))
    rows = [dict(flags, cls=number) for flags, number in numbered.items()]
    frame = pl.DataFrame(rows).select("cls", "valid", "hash", *FLAGS)
    return Classes(codes, valid_from, tuple(lookup), frame, invalid)


def _class_number(
    numbered: dict[tuple[tuple[str, int], ...], int], flags: dict[str, int]
) -> int:
    return numbered.setdefault(tuple(flags.items()), len(numbered))


def _flags(
    found: Category | None, code: str, young: bool, not_possible: Collection[str]
) -> dict[str, int]:
    """Return what one mark of `code` adds to each count."""
    flags = dict.fromkeys(("valid", "hash", *FLAGS), 0)
    if found is None:
        return flags
    counted = found.is_possible and code not in not_possible
    unauthorised = found is Category.UNAUTHORISED
    flags.update(
        valid=1,
        hash=int(code == "#"),
        marked=1,
        possible=int(found.is_possible),
        attended=int(found.is_attended),
        authorised=int(found is Category.AUTHORISED),
        unauthorised=int(unauthorised),
        not_counted=int(not found.is_possible),
        i_possible=int(counted),
        i_attended=int(counted and found.is_attended),
        illness=int(code == "I"),
        medical=int(code == "M"),
        lates_u=int(code == "U"),
        n_sessions=int(code == "N"),
        settled_unauthorised=int(unauthorised and not (code == "N" and young)),
    )
    return flags


# -- school days as numbers ------------------------------------------------


@dataclass(frozen=True)
class SchoolDays:
    """The calendar's school days numbered 0, 1, ... up to `as_of`."""

    calendar: SchoolCalendar
    as_of: dt.date

    @property
    def series(self) -> pl.Series:
        return pl.Series("day", self.calendar.school_days, dtype=pl.Date)

    @property
    def last_counted(self) -> int:
        """Return the number of the last school day on or before as_of (or -1)."""
        return bisect.bisect_right(self.calendar.school_days, self.as_of) - 1

    def first_on_or_after(self, day: pl.Expr) -> pl.Expr:
        return pl.lit(self.series).search_sorted(day, side="left").cast(pl.Int64)

    def last_on_or_before(self, day: pl.Expr) -> pl.Expr:
        position = pl.lit(self.series).search_sorted(day, side="right")
        return position.cast(pl.Int64) - 1

    def roll(self) -> tuple[pl.Expr, pl.Expr]:
        """Return the first and last school-day numbers of each pupil's roll."""
        leaving = pl.col("leaving_date")
        last = (
            pl.when(leaving.is_null())
            .then(pl.lit(SPAN - 1, pl.Int64))
            .otherwise(self.last_on_or_before(leaving))
        )
        return self.first_on_or_after(pl.col("entry_date")), last


# -- the pass ---------------------------------------------------------------


def tally(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    days: SchoolDays,
    boundaries: Sequence[int],
    code_classes: Classes,
    *,
    n_grace_days: int,
    report_from: dt.date | None,
) -> pl.DataFrame:
    """Return mark counts ``n`` per slot, class, band and roll flag.

    `pupils` has ``slot, pupil_id, entry_date, leaving_date``. `boundaries`
    are the school-day numbers where a window starts or ends (its last day
    + 1): bands are the stretches between them. The result has columns
    ``slot, cls, status, report, band, in_roll, n``: `status` is
    OUTSIDE_CALENDAR, CLOSED, COUNTED (a school day up to as_of) or LATER,
    and `report` says whether the date lies from `report_from` to as_of.
    """
    bounds = marks.select(
        dmin=pl.col("date").min(),
        dmax=pl.col("date").max(),
        pmin=pl.col("pupil_id").min(),
        pmax=pl.col("pupil_id").max(),
    ).row(0, named=True)
    if bounds["dmin"] is None:
        return _empty_tally()

    dates, bands = _date_lookup(
        days,
        bounds["dmin"],
        bounds["dmax"],
        boundaries,
        code_classes,
        n_grace_days=n_grace_days,
        report_from=report_from,
    )
    n_bands = bands.height
    n_keys = code_classes.size * n_bands
    per_code = code_classes.n_dates * n_bands
    # key_lookup[code * per_code + date key] = class * n_bands + band key
    key_lookup = pl.Series(
        [
            cls * n_bands + band
            for cls in code_classes.lookup
            for band in range(n_bands)
        ],
        dtype=pl.Int64,
    )
    roll = _roll_lookup(pupils, days)

    offset = pl.col("date").cast(pl.Int32) - _epoch_day(bounds["dmin"])
    date_key = pl.lit(dates["key"]).gather(offset)
    day_number = pl.lit(dates["number"]).gather(offset)
    code_id = (
        pl.col("code")
        .cast(pl.Enum(list(code_classes.codes)), strict=False)
        .to_physical()
        .cast(pl.Int64)
        .fill_null(len(code_classes.codes))
    )
    key = (
        pl.lit(key_lookup)
        .gather(code_id * per_code + date_key)
        .fill_null(code_classes.invalid * n_bands)
    )
    slot = _slot_of(pupils, bounds["pmin"], bounds["pmax"])
    packed_roll = pl.lit(roll).gather(pl.col("slot"))
    in_roll = (pl.col("number") >= packed_roll // SPAN) & (
        pl.col("number") <= packed_roll % SPAN
    )
    counted = (
        marks.lazy()
        .select(slot=slot, key=key, number=day_number)
        .select(
            g=(pl.col("slot") * n_keys + pl.col("key")) * 2
            + in_roll.fill_null(False).cast(pl.Int64)
        )
        .group_by("g")
        .agg(n=pl.len().cast(pl.Int64))
        .collect(engine="streaming" if marks.height >= STREAMING_FROM else "in-memory")
    )
    return (
        counted.select(
            slot=pl.col("g") // (2 * n_keys),
            cls=pl.col("g") // (2 * n_bands) % code_classes.size,
            bandkey=pl.col("g") // 2 % n_bands,
            in_roll=(pl.col("g") % 2) == 1,
            n="n",
        )
        .join(bands, on="bandkey")
        .select("slot", "cls", "status", "report", "band", "in_roll", "n")
    )


def _empty_tally() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "slot": pl.Int64,
            "cls": pl.Int64,
            "status": pl.Int64,
            "report": pl.Boolean,
            "band": pl.Int64,
            "in_roll": pl.Boolean,
            "n": pl.Int64,
        }
    )


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _date_lookup(
    days: SchoolDays,
    first: dt.date,
    last: dt.date,
    boundaries: Sequence[int],
    code_classes: Classes,
    *,
    n_grace_days: int,
    report_from: dt.date | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return a row per date from `first` to `last`, and the bands.

    Each date has its ``number`` (school-day number, -1 if not a school
    day) and its ``key``: date class * bands + band key. The bands frame
    maps ``bandkey`` to ``status``, ``report`` and ``band``.
    """
    calendar = days.calendar
    last_counted = days.last_counted
    # An N on school day d is young while fewer than n_grace_days school
    # days follow it up to as_of (add_school_days(d, n) > as_of).
    young_after = last_counted - n_grace_days
    school_days = days.series.to_frame("date").with_row_index("number")
    date = pl.col("date")
    number = pl.col("number")
    frame = (
        pl.date_range(first, last, eager=True)
        .to_frame("date")
        .join(school_days, on="date", how="left")
        .with_columns(number=number.cast(pl.Int64).fill_null(-1))
        .with_columns(
            status=pl.when(~date.is_between(calendar.first_day, calendar.last_day))
            .then(OUTSIDE_CALENDAR)
            .when(number < 0)
            .then(CLOSED)
            .when(number <= last_counted)
            .then(COUNTED)
            .otherwise(LATER),
            report=(
                date.is_between(report_from, days.as_of)
                if report_from is not None
                else pl.lit(False)
            ),
            era=pl.sum_horizontal(
                *((date >= start).cast(pl.Int64) for start in code_classes.valid_from)
            ),
            young=(number > young_after).cast(pl.Int64),
        )
        .with_columns(
            band=pl.when(pl.col("status") == COUNTED)
            .then(
                pl.lit(pl.Series(sorted(set(boundaries)), dtype=pl.Int64))
                .search_sorted(number, side="right")
                .cast(pl.Int64)
            )
            .otherwise(0)
        )
    )
    bands = (
        frame.select("status", "report", "band")
        .unique(maintain_order=True)
        .with_row_index("bandkey")
        .with_columns(pl.col("bandkey").cast(pl.Int64))
    )
    lookup = frame.join(bands, on=["status", "report", "band"]).select(
        "date",
        "number",
        key=(pl.col("era") * 2 + pl.col("young")) * bands.height + pl.col("bandkey"),
    )
    return lookup.sort("date"), bands


def _roll_lookup(pupils: pl.DataFrame, days: SchoolDays) -> pl.Series:
    """Return each slot's roll as packed school-day numbers (slot 0: none)."""
    first, last = days.roll()
    rolls = pupils.select(
        "slot",
        packed=pl.when(last >= first).then(first * SPAN + last).otherwise(EMPTY),
    )
    values = pl.Series([EMPTY] * (pupils.height + 1), dtype=pl.Int64)
    return values.scatter(rolls["slot"], rolls["packed"]) if rolls.height else values


def _slot_of(pupils: pl.DataFrame, low: int | None, high: int | None) -> pl.Expr:
    """Return each mark's pupil slot, 0 for pupils not in `pupils`.

    `low` and `high` are the smallest and largest pupil_id of the marks.
    """
    if pupils.is_empty() or low is None or high is None:
        return pl.lit(0, pl.Int64)
    ids = pupils["pupil_id"]
    known_low, known_high = pupils.select(
        low=pl.col("pupil_id").min(), high=pl.col("pupil_id").max()
    ).row(0)
    low, high = min(low, known_low), max(high, known_high)
    span = high - low + 1
    if span > 8 * pupils.height + 65536:
        # Sparse ids: a hash lookup rather than a table mostly empty.
        return pl.col("pupil_id").replace_strict(
            ids, pupils["slot"], default=0, return_dtype=pl.Int64
        )
    lookup = pl.zeros(span, pl.Int64, eager=True).scatter(ids - low, pupils["slot"])
    return pl.lit(lookup).gather(pl.col("pupil_id") - low).fill_null(0)


# -- reading the tally -----------------------------------------------------


def invalid_marks(counts: pl.DataFrame, code_classes: Classes) -> int:
    """Return how many marks have a code not valid on their date."""
    return int(counts.filter(pl.col("cls") == code_classes.invalid)["n"].sum())


def band_figures(counts: pl.DataFrame, code_classes: Classes) -> pl.DataFrame:
    """Return FLAGS summed per slot and band, over countable marks.

    Countable: on a school day up to as_of, within the roll dates, of a
    pupil we know.
    """
    countable = counts.filter(
        (pl.col("status") == COUNTED) & pl.col("in_roll") & (pl.col("slot") > 0)
    )
    return (
        countable.join(code_classes.flags, on="cls")
        .group_by("slot", "band")
        .agg(*((pl.col(flag) * pl.col("n")).sum().alias(flag) for flag in FLAGS))
    )


def quality(counts: pl.DataFrame, code_classes: Classes) -> pl.DataFrame:
    """Return data-quality counts per slot over the reporting period.

    A mark is reported for one reason at most, in this order: a date the
    calendar does not describe; a closed day (but `#` belongs there); a
    school day outside the roll dates; a `#` on a school day on roll.
    """
    status = pl.col("status")
    hash_mark = pl.col("hash") == 1
    school_day = status.is_in([COUNTED, LATER])
    n = pl.col("n")
    return (
        counts.filter(pl.col("report") & (pl.col("slot") > 0))
        .join(code_classes.flags.select("cls", "hash"), on="cls")
        .group_by("slot")
        .agg(
            outside_roll=n.filter(school_day & ~pl.col("in_roll")).sum(),
            outside_calendar=n.filter(status == OUTSIDE_CALENDAR).sum(),
            closed_day_marks=n.filter((status == CLOSED) & ~hash_mark).sum(),
            hash_on_open_day=n.filter(school_day & pl.col("in_roll") & hash_mark).sum(),
        )
    )


def window_counts(
    windows: pl.DataFrame, by_band: pl.DataFrame, boundaries: Sequence[int]
) -> pl.DataFrame:
    """Return FLAGS per window row (``row``), from the per-band figures.

    `windows` has ``row, slot, lo, hi`` in school-day numbers; every lo and
    hi + 1 of a non-empty window is one of `boundaries`.
    """
    cuts = pl.lit(pl.Series(sorted(set(boundaries)), dtype=pl.Int64))
    spans = windows.filter(pl.col("hi") >= pl.col("lo")).select(
        "row",
        "slot",
        band_lo=cuts.search_sorted(pl.col("lo"), side="right").cast(pl.Int64),
        band_hi=cuts.search_sorted(pl.col("hi"), side="right").cast(pl.Int64),
    )
    return (
        spans.join(by_band, on="slot")
        .filter(pl.col("band").is_between(pl.col("band_lo"), pl.col("band_hi")))
        .group_by("row")
        .agg(pl.col(FLAGS).sum())
    )
