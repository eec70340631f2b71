"""A plain-Python reference of the measures engine: the benchmark baseline.

It walks every school-day session of every window one at a time and asks
`codes.classify` about each mark, with no Polars. Its only virtue is being
obviously right, so it also serves the tests as an oracle for
`attendwise.core.measures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from attendwise.core.calendar import SchoolCalendar, academic_year_of
from attendwise.core.codes import Category, classify
from attendwise.core.measures import COUNT_FIELDS, DEFAULT_NOT_POSSIBLE

Mark = tuple[int, dt.date, str, str]
Roll = tuple[dt.date, dt.date | None]
Window = tuple[int, str, dt.date, dt.date]
SESSIONS = ("AM", "PM")


def reference_window_figures(
    marks: Iterable[Mark],
    pupils: Mapping[int, Roll],
    calendar: SchoolCalendar,
    windows: Iterable[Window],
    *,
    as_of: dt.date,
    not_possible: Collection[str] = frozenset(),
    n_grace_days: int = 5,
) -> list[dict[str, Any]]:
    """Return one dict per window, like window_figures' rows."""
    register = {(pupil, day, session): code for pupil, day, session, code in marks}
    rows = []
    for pupil_id, name, first, last in windows:
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        roll = pupils.get(pupil_id)
        if roll is not None:
            entry, leaving = roll
            stop = min(last, as_of) if leaving is None else min(last, as_of, leaving)
            for day in calendar.school_days_between(max(first, entry), stop):
                for session in SESSIONS:
                    code = register.get((pupil_id, day, session))
                    if code is None:
                        counts["missing"] += 1
                    else:
                        _count(
                            counts,
                            code,
                            day,
                            calendar,
                            as_of,
                            not_possible,
                            n_grace_days,
                        )
        rows.append(
            {"pupil_id": pupil_id, "window": name, "first": first, "last": last}
            | counts
        )
    return rows


def _count(
    counts: dict[str, int],
    code: str,
    day: dt.date,
    calendar: SchoolCalendar,
    as_of: dt.date,
    not_possible: Collection[str],
    n_grace_days: int,
) -> None:
    category = classify(code, day).category
    if not category.is_possible:
        counts["not_counted"] += 1
        return
    counts["possible"] += 1
    counts["attended"] += category.is_attended
    if code not in not_possible:
        counts["i_possible"] += 1
        counts["i_attended"] += category.is_attended
    if category is Category.AUTHORISED:
        counts["authorised"] += 1
    if category is Category.UNAUTHORISED:
        counts["unauthorised"] += 1
        young = code == "N" and calendar.school_days_after(day, as_of) < n_grace_days
        counts["settled_unauthorised"] += not young
    counts["illness"] += code == "I"
    counts["medical"] += code == "M"
    counts["lates_u"] += code == "U"
    counts["n_sessions"] += code == "N"


def reference_pupil_measures(
    marks: Iterable[Mark],
    pupils: Mapping[int, Roll],
    calendar: SchoolCalendar,
    as_of: dt.date,
    *,
    not_possible: Collection[str] = DEFAULT_NOT_POSSIBLE,
    six_week_days: int = 30,
    n_grace_days: int = 5,
    penalty_weeks: int = 10,
    penalty_threshold: int = 10,
    six_week_cross_year: bool = False,
) -> dict[int, dict[str, Any]]:
    """Return pupil_measures' row of each pupil, keyed by pupil_id."""
    marks = list(marks)
    year = academic_year_of(as_of)
    year_first = calendar.first_school_day(year)
    six_weeks = calendar.last_school_days(as_of, six_week_days)
    w6_first = six_weeks[0] if six_weeks else as_of
    if not six_week_cross_year:
        w6_first = max(w6_first, year_first)
    weeks, pn_incomplete = calendar.last_school_weeks(as_of, penalty_weeks)
    pn_first = weeks[0] if weeks else as_of

    windows: list[Window] = []
    for pupil_id, (entry, _) in pupils.items():
        windows.append((pupil_id, "ytd", max(year_first, entry), as_of))
        windows.append((pupil_id, "w6", w6_first, as_of))
        windows.append((pupil_id, "pn", pn_first, as_of))
    figures = reference_window_figures(
        marks,
        pupils,
        calendar,
        windows,
        as_of=as_of,
        not_possible=not_possible,
        n_grace_days=n_grace_days,
    )
    by_pupil: dict[int, dict[str, Any]] = {}
    for row in figures:
        prefix = row.pop("window")
        pupil_id = row.pop("pupil_id")
        out = by_pupil.setdefault(pupil_id, {"pupil_id": pupil_id})
        out.update({f"{prefix}_{key}": value for key, value in row.items()})

    quality = _quality(marks, pupils, calendar, dt.date(year, 9, 1), as_of)
    for pupil_id, out in by_pupil.items():
        entry, leaving = pupils[pupil_id]
        complete = (
            len(six_weeks) == six_week_days
            and (six_week_cross_year or six_weeks[0] >= year_first)
            and entry <= w6_first
            and (leaving is None or leaving >= six_weeks[-1])
        )
        out.update(
            ytd_pct=_pct(out, "ytd"),
            w6_pct=_pct(out, "w6"),
            w6_complete=complete,
            pa=_at_least(out, 10),
            sa=_at_least(out, 2),
            pn_window_first=pn_first,
            pn_count=out["pn_unauthorised"],
            pn_met=out["pn_unauthorised"] >= penalty_threshold,
            pn_incomplete=pn_incomplete,
            missing=out["ytd_missing"],
        )
        out.update(quality.get(pupil_id, {}))
        for key in list(out):
            if key.startswith("pn_") and key not in _PN_KEPT:
                del out[key]
    return by_pupil


_PN_KEPT = {"pn_window_first", "pn_count", "pn_met", "pn_incomplete"}
_QUALITY = ("outside_roll", "outside_calendar", "closed_day_marks", "hash_on_open_day")


def _pct(out: Mapping[str, Any], prefix: str) -> float | None:
    possible = out[f"{prefix}_possible"]
    return out[f"{prefix}_attended"] * 100 / possible if possible else None


def _at_least(out: Mapping[str, Any], denominator: int) -> bool | None:
    possible = out["ytd_possible"]
    absent = out["ytd_authorised"] + out["ytd_unauthorised"]
    return absent * denominator >= possible if possible else None


def _quality(
    marks: Iterable[Mark],
    pupils: Mapping[int, Roll],
    calendar: SchoolCalendar,
    first: dt.date,
    as_of: dt.date,
) -> dict[int, dict[str, int]]:
    found = {pupil_id: dict.fromkeys(_QUALITY, 0) for pupil_id in pupils}
    for pupil_id, day, _, code in marks:
        if pupil_id not in pupils or not first <= day <= as_of:
            continue
        entry, leaving = pupils[pupil_id]
        counts = found[pupil_id]
        if not calendar.covers(day):
            counts["outside_calendar"] += 1
        elif not calendar.is_school_day(day):
            counts["closed_day_marks"] += code != "#"
        elif day < entry or (leaving is not None and day > leaving):
            counts["outside_roll"] += 1
        elif code == "#":
            counts["hash_on_open_day"] += 1
    return found
