"""Attendance measures for every pupil at once, computed with Polars.

Inputs (Polars data frames; extra columns are ignored):

- **marks**: ``pupil_id: Int64, date: Date, session: Utf8, code: Utf8``.
  One row per pupil, date and session (``"AM"`` or ``"PM"``); the code is
  a statutory code valid on its date (the importer validates both, and
  maps MIS codes). A blank session has no row. A code that is not valid
  on its date raises MeasuresError: it is never guessed into a category.
- **pupils**: ``pupil_id: Int64, entry_date: Date, leaving_date: Date``
  (``leaving_date`` null while the pupil is on roll). One row per pupil.
  Marks of pupils missing from this frame are ignored (and logged).
- **windows** (window_figures only): ``pupil_id: Int64, window: Utf8,
  first: Date, last: Date``, any number of rows per pupil.
- the SchoolCalendar, and ``as_of``: the day of evaluation.

A mark counts in a figure when its date is a school day, on or before
``as_of``, within the pupil's roll dates (entry to leaving, inclusive) and
within the window. Its category comes from the code set in force on its
date (``codes.category_table``): ``J`` before 19 August 2024 is approved
educational activity, ``J1`` after it is authorised absence.

Every figure comes from one pass over the marks (core/tally.py), which
counts them per pupil, kind of code and stretch of school days; windows
and reports are read off those counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from attendwise.core.calendar import SchoolCalendar, academic_year_of
from attendwise.core.codes import CodeError, classify
from attendwise.core.figures import WindowFigures
from attendwise.core.tally import (
    COUNT_FIELDS,
    FLAGS,
    Classes,
    MeasuresError,
    SchoolDays,
    band_figures,
    classes,
    invalid_marks,
    quality,
    tally,
    window_counts,
)

logger = logging.getLogger(__name__)

MARKS_SCHEMA: dict[str, type[pl.DataType]] = {
    "pupil_id": pl.Int64,
    "date": pl.Date,
    "session": pl.Utf8,
    "code": pl.Utf8,
}
PUPILS_SCHEMA: dict[str, type[pl.DataType]] = {
    "pupil_id": pl.Int64,
    "entry_date": pl.Date,
    "leaving_date": pl.Date,
}
WINDOWS_SCHEMA: dict[str, type[pl.DataType]] = {
    "pupil_id": pl.Int64,
    "window": pl.Utf8,
    "first": pl.Date,
    "last": pl.Date,
}

#: The policy's default `intervention_not_possible` codes (POLICY.md, Terms).
DEFAULT_NOT_POSSIBLE: frozenset[str] = frozenset({"C1", "C2", "E", "J1", "R", "S"})

_QUALITY: tuple[str, ...] = (
    "outside_roll",
    "outside_calendar",
    "closed_day_marks",
    "hash_on_open_day",
)


def _checked(frame: pl.DataFrame, schema: Mapping[str, Any], name: str) -> None:
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise MeasuresError(f"{name} lack the column(s) {', '.join(missing)}")


def _slotted_pupils(pupils: pl.DataFrame) -> pl.DataFrame:
    """Return the pupils numbered 1, 2, ... in a `slot` column."""
    _checked(pupils, PUPILS_SCHEMA, "pupils")
    frame = pupils.select(
        pl.col("pupil_id").cast(pl.Int64),
        pl.col("entry_date").cast(pl.Date),
        pl.col("leaving_date").cast(pl.Date),
    )
    if frame["pupil_id"].null_count() or frame["entry_date"].null_count():
        raise MeasuresError("every pupil needs a pupil_id and an entry_date")
    if frame["pupil_id"].is_duplicated().any():
        raise MeasuresError("pupils holds the same pupil_id more than once")
    return frame.with_row_index("slot", offset=1).with_columns(
        pl.col("slot").cast(pl.Int64)
    )


def _bounds(
    windows: pl.DataFrame, pupils: pl.DataFrame, days: SchoolDays
) -> pl.DataFrame:
    """Return the windows with the school-day numbers they cover.

    ``lo``..``hi``: the school days of the window up to as_of; ``roll_lo``
    ..``roll_hi``: those of them on roll. An empty span has hi < lo.
    """
    _checked(windows, WINDOWS_SCHEMA, "windows")
    frame = windows.select(
        pl.col("pupil_id").cast(pl.Int64),
        pl.col("window").cast(pl.Utf8),
        pl.col("first").cast(pl.Date),
        pl.col("last").cast(pl.Date),
    )
    if frame["first"].null_count() or frame["last"].null_count():
        raise MeasuresError("every window needs a first and a last date")
    roll_first, roll_last = days.roll()
    lo, hi = pl.col("lo"), pl.col("hi")
    return (
        frame.with_row_index("row")
        .join(pupils, on="pupil_id", how="left", maintain_order="left")
        .with_columns(
            slot=pl.col("slot").fill_null(0),
            lo=days.first_on_or_after(pl.col("first")),
            hi=pl.min_horizontal(
                days.last_on_or_before(pl.col("last")),
                pl.lit(days.last_counted, pl.Int64),
            ),
        )
        .with_columns(
            roll_lo=pl.max_horizontal(lo, roll_first),
            # A pupil we do not know is on no roll.
            roll_hi=pl.when(pl.col("slot") > 0)
            .then(pl.min_horizontal(hi, roll_last))
            .otherwise(-1),
        )
    )


def _boundaries(bounds: pl.DataFrame) -> list[int]:
    """Return the school-day numbers where some window starts or stops."""
    spans = bounds.filter(pl.col("hi") >= pl.col("lo"))
    cuts = pl.concat([spans["lo"], spans["hi"] + 1]).unique().sort()
    return cuts.to_list()


@dataclass(frozen=True)
class _Run:
    """One counting pass: the windows' figures and the raw counts."""

    figures: pl.DataFrame
    counts: pl.DataFrame
    pupils: pl.DataFrame
    classes: Classes


def _run(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    calendar: SchoolCalendar,
    windows: pl.DataFrame,
    *,
    as_of: dt.date,
    not_possible: Collection[str],
    n_grace_days: int,
    report_from: dt.date | None,
) -> _Run:
    if n_grace_days < 0:
        raise MeasuresError(f"n_grace_days must be 0 or more, not {n_grace_days}")
    _checked(marks, MARKS_SCHEMA, "marks")
    code_classes = classes(frozenset(not_possible))
    days = SchoolDays(calendar, as_of)
    slotted = _slotted_pupils(pupils)
    bounds = _bounds(windows, slotted, days)
    boundaries = _boundaries(bounds)
    counts = tally(
        marks,
        slotted,
        days,
        boundaries,
        code_classes,
        n_grace_days=n_grace_days,
        report_from=report_from,
    )
    if invalid_marks(counts, code_classes):
        _raise_for_invalid_codes(marks, invalid_marks(counts, code_classes))
    unknown = int(counts.filter(pl.col("slot") == 0)["n"].sum())
    if unknown:
        logger.warning(
            "ignored marks of pupils not in the pupils frame", extra={"marks": unknown}
        )
    by_window = window_counts(bounds, band_figures(counts, code_classes), boundaries)
    span = (pl.col("roll_hi") - pl.col("roll_lo") + 1).clip(lower_bound=0)
    figures = (
        bounds.join(by_window, on="row", how="left", maintain_order="left")
        .with_columns(pl.col(FLAGS).fill_null(0))
        # Each school day on roll has two sessions; those with no mark are
        # blank registers (one mark per session is the input contract).
        .with_columns(missing=2 * span - pl.col("marked"))
        .select("pupil_id", "window", "first", "last", *COUNT_FIELDS)
    )
    return _Run(figures, counts, slotted, code_classes)


def _raise_for_invalid_codes(marks: pl.DataFrame, count: int) -> None:
    """Raise MeasuresError naming one mark whose code is not valid."""
    message = f"{count} mark(s) have no code valid on their date"
    for code, day in marks.select("code", "date").unique().iter_rows():
        reason = "a mark needs a code and a date"
        if code is not None and day is not None:
            try:
                classify(code, day)
                continue
            except CodeError as error:
                reason = str(error)
        row = marks.filter(
            pl.col("code").eq_missing(code), pl.col("date").eq_missing(day)
        ).row(0, named=True)
        message += (
            f", for example pupil {row['pupil_id']}, {row['date']} "
            f"{row['session']}: {reason}"
        )
        break
    raise MeasuresError(f"{message}; the importer should have refused them")


def window_figures(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    calendar: SchoolCalendar,
    windows: pl.DataFrame,
    *,
    as_of: dt.date,
    not_possible: Collection[str] = frozenset(),
    n_grace_days: int = 5,
) -> pl.DataFrame:
    """Return one row per window: ``pupil_id, window, first, last`` and counts.

    The counts are WindowFigures' (COUNT_FIELDS), all Int64. Only marks on
    school days, on or before `as_of` and within the pupil's roll dates
    count. `missing` is the school-day sessions on roll from `first` to
    min(`last`, `as_of`) with no mark. The `i_` figures leave the codes in
    `not_possible` out of possible sessions. `settled_unauthorised` leaves
    out N marks fewer than `n_grace_days` school days old on `as_of`.

    Edge cases: a window with `last` before `first`, or wholly off roll, or
    of a pupil missing from `pupils`, has every count 0. Raises
    MeasuresError for a code not valid on its date.
    """
    run = _run(
        marks,
        pupils,
        calendar,
        windows,
        as_of=as_of,
        not_possible=not_possible,
        n_grace_days=n_grace_days,
        report_from=None,
    )
    return run.figures


# -- one row per pupil ---------------------------------------------------


def pupil_measures(
    marks: pl.DataFrame,
    pupils: pl.DataFrame,
    calendar: SchoolCalendar,
    as_of: dt.date,
    *,
    not_possible: Collection[str] = DEFAULT_NOT_POSSIBLE,
    six_week_days: int = 30,
    n_grace_days: int = 5,
    penalty_weeks: int = 10,
    penalty_threshold: int = 10,
    six_week_cross_year: bool = False,
) -> pl.DataFrame:
    """Return one row per pupil of `pupils` with their measures as of `as_of`.

    Columns:

    - ``ytd_first``, ``ytd_last`` and ``ytd_<count>`` for every count of
      COUNT_FIELDS: the year to date, from the first school day of
      `as_of`'s academic year (or the entry date if later) to `as_of`.
    - ``w6_first``, ``w6_last``, ``w6_<count>``: the last `six_week_days`
      school days up to `as_of`, cut at the start of the academic year
      unless `six_week_cross_year`. ``w6_complete``: the pupil was on roll
      for all of them, and all of them are in the window.
    - ``ytd_pct``, ``w6_pct``: attendance % as a float (statutory figures),
      null when nothing is possible. Display with figures.percent_of.
    - ``pa``, ``sa``: persistent (absence * 10 >= possible) and severe
      (absence * 2 >= possible) absence over the year to date, null when
      nothing is possible.
    - ``pn_window_first``, ``pn_count``, ``pn_met``, ``pn_incomplete``: G,
      N, O and U sessions in the last `penalty_weeks` school weeks ending
      with `as_of`'s week (any N counts, and the window may reach into the
      previous year); met at `penalty_threshold`; incomplete when the
      calendar holds fewer weeks.
    - data quality over marks dated from 1 September of `as_of`'s academic
      year to `as_of`, each mark reported for one reason at most:
      ``outside_calendar`` (a date the calendar does not describe),
      ``closed_day_marks`` (a day that is not a school day; `#` belongs
      there and is not reported), ``outside_roll`` (a school day outside
      the roll dates), ``hash_on_open_day`` (a `#` on a school day on roll,
      still counted as not counted). None of these count in any figure.
    - ``missing``: blank sessions in the year to date (``ytd_missing``).

    Edge cases: a pupil who joins after `as_of` or has only not-counted
    marks has every percentage null and pa/sa null. Raises CalendarError
    when the calendar has no school day in `as_of`'s academic year.
    """
    year = academic_year_of(as_of)
    year_first = calendar.first_school_day(year)
    six_weeks = calendar.last_school_days(as_of, six_week_days)
    w6_first = six_weeks[0] if six_weeks else as_of
    if not six_week_cross_year:
        w6_first = max(w6_first, year_first)
    weeks, pn_incomplete = calendar.last_school_weeks(as_of, penalty_weeks)
    pn_first = weeks[0] if weeks else as_of

    # Every pupil's windows start on the same days (the roll cuts them
    # while counting), so the whole school shares a handful of bands.
    slotted = _slotted_pupils(pupils)
    windows = pl.concat(
        [
            slotted.select(
                "pupil_id",
                window=pl.lit(name),
                first=pl.lit(first, pl.Date),
                last=pl.lit(as_of, pl.Date),
            )
            for name, first in (("ytd", year_first), ("w6", w6_first), ("pn", pn_first))
        ]
    )
    run = _run(
        marks,
        slotted.drop("slot"),
        calendar,
        windows,
        as_of=as_of,
        not_possible=not_possible,
        n_grace_days=n_grace_days,
        report_from=dt.date(year, 9, 1),
    )

    all_six_weeks = (
        len(six_weeks) == six_week_days
        and bool(six_weeks)
        and (six_week_cross_year or six_weeks[0] >= year_first)
    )
    entry, leaving = pl.col("entry_date"), pl.col("leaving_date")
    return (
        run.pupils.select("pupil_id", "entry_date", "leaving_date", "slot")
        .join(_widen(run.figures), on="pupil_id", how="left", maintain_order="left")
        .join(quality(run.counts, run.classes), on="slot", how="left")
        .with_columns(pl.col(_QUALITY).fill_null(0).cast(pl.Int64))
        .with_columns(
            ytd_first=pl.when(entry > year_first).then(entry).otherwise(year_first),
            ytd_pct=_percent("ytd"),
            w6_pct=_percent("w6"),
            w6_complete=pl.lit(all_six_weeks)
            & (entry <= w6_first)
            & (leaving.is_null() | (leaving >= (six_weeks or (as_of,))[-1])),
            pa=_share_at_least("ytd", 10),
            sa=_share_at_least("ytd", 2),
            pn_window_first=pl.lit(pn_first, pl.Date),
            pn_count=pl.col("pn_unauthorised"),
            pn_met=pl.col("pn_unauthorised") >= penalty_threshold,
            pn_incomplete=pl.lit(pn_incomplete),
            missing=pl.col("ytd_missing"),
        )
        .select(
            "pupil_id",
            "ytd_first",
            "ytd_last",
            *(f"ytd_{name}" for name in COUNT_FIELDS),
            "ytd_pct",
            "w6_first",
            "w6_last",
            *(f"w6_{name}" for name in COUNT_FIELDS),
            "w6_pct",
            "w6_complete",
            "pa",
            "sa",
            "pn_window_first",
            "pn_count",
            "pn_met",
            "pn_incomplete",
            *_QUALITY,
            "missing",
        )
    )


def _widen(figures: pl.DataFrame) -> pl.DataFrame:
    """Return one row per pupil, each window's columns under its prefix."""
    parts = []
    for name in ("ytd", "w6", "pn"):
        part = figures.filter(pl.col("window") == name).drop("window")
        parts.append(
            part.rename({c: f"{name}_{c}" for c in part.columns if c != "pupil_id"})
        )
    return parts[0].join(parts[1], on="pupil_id").join(parts[2], on="pupil_id")


def _percent(prefix: str) -> pl.Expr:
    possible = pl.col(f"{prefix}_possible")
    return (
        pl.when(possible > 0)
        .then(pl.col(f"{prefix}_attended") * 100 / possible)
        .cast(pl.Float64)
    )


def _share_at_least(prefix: str, denominator: int) -> pl.Expr:
    """Return absence * denominator >= possible, null when nothing possible."""
    possible = pl.col(f"{prefix}_possible")
    absent = pl.col(f"{prefix}_authorised") + pl.col(f"{prefix}_unauthorised")
    return pl.when(possible > 0).then(absent * denominator >= possible)


# -- groups --------------------------------------------------------------


def group_figures(
    measures: pl.DataFrame, by: Sequence[str], *, prefix: str = "ytd"
) -> pl.DataFrame:
    """Return pooled figures per group of `by` (one row overall when empty).

    Columns: the `by` columns, ``pupils``, ``pupils_counted`` (pupils with
    a possible session), the summed ``possible``, ``attended``,
    ``authorised``, ``unauthorised`` and ``absent``, the pooled
    ``attendance_pct`` and ``absence_pct`` (sums over sums, never an
    average of pupils' percentages), ``pa_pupils``, ``sa_pupils`` and
    ``pa_pct``, ``sa_pct`` over ``pupils_counted``. Figures of the window
    `prefix` ("ytd" or "w6"). Pupils with nothing possible are in
    ``pupils`` only; a rate with a zero denominator is null.
    """
    possible = pl.col(f"{prefix}_possible")
    absent = pl.col(f"{prefix}_authorised") + pl.col(f"{prefix}_unauthorised")
    counted = possible > 0
    sums = (
        pl.len().cast(pl.Int64).alias("pupils"),
        counted.sum().cast(pl.Int64).alias("pupils_counted"),
        possible.sum().cast(pl.Int64).alias("possible"),
        pl.col(f"{prefix}_attended").sum().cast(pl.Int64).alias("attended"),
        pl.col(f"{prefix}_authorised").sum().cast(pl.Int64).alias("authorised"),
        pl.col(f"{prefix}_unauthorised").sum().cast(pl.Int64).alias("unauthorised"),
        absent.sum().cast(pl.Int64).alias("absent"),
        (counted & (absent * 10 >= possible)).sum().cast(pl.Int64).alias("pa_pupils"),
        (counted & (absent * 2 >= possible)).sum().cast(pl.Int64).alias("sa_pupils"),
    )
    grouped = (
        measures.group_by(*by, maintain_order=True).agg(*sums)
        if by
        else measures.select(*sums)
    )
    return grouped.with_columns(
        attendance_pct=_rate("attended", "possible"),
        absence_pct=_rate("absent", "possible"),
        pa_pct=_rate("pa_pupils", "pupils_counted"),
        sa_pct=_rate("sa_pupils", "pupils_counted"),
    )


def _rate(part: str, whole: str) -> pl.Expr:
    return (
        pl.when(pl.col(whole) > 0)
        .then(pl.col(part) * 100 / pl.col(whole))
        .cast(pl.Float64)
    )


# -- reading rows back as WindowFigures ----------------------------------


def figures_of(row: Mapping[str, Any], prefix: str = "") -> WindowFigures:
    """Return the WindowFigures of one row of window_figures or pupil_measures.

    `prefix` picks a window of a pupil_measures row: ``"ytd_"`` or
    ``"w6_"``. Raises KeyError when the row lacks a column.
    """
    return WindowFigures(
        first=row[f"{prefix}first"],
        last=row[f"{prefix}last"],
        possible=int(row[f"{prefix}possible"]),
        attended=int(row[f"{prefix}attended"]),
        authorised=int(row[f"{prefix}authorised"]),
        unauthorised=int(row[f"{prefix}unauthorised"]),
        not_counted=int(row[f"{prefix}not_counted"]),
        missing=int(row[f"{prefix}missing"]),
        i_possible=int(row[f"{prefix}i_possible"]),
        i_attended=int(row[f"{prefix}i_attended"]),
        illness=int(row[f"{prefix}illness"]),
        medical=int(row[f"{prefix}medical"]),
        lates_u=int(row[f"{prefix}lates_u"]),
        n_sessions=int(row[f"{prefix}n_sessions"]),
        settled_unauthorised=int(row[f"{prefix}settled_unauthorised"]),
    )


def figures_by_window(figures: pl.DataFrame) -> dict[tuple[int, str], WindowFigures]:
    """Return window_figures' rows keyed by (pupil_id, window).

    A later row with the same pupil and window name replaces an earlier one.
    """
    return {
        (int(row["pupil_id"]), str(row["window"])): figures_of(row)
        for row in figures.iter_rows(named=True)
    }
