"""Marks against roll dates and the calendar: reported, never dropped."""

import datetime as dt

from attendwise.core.calendar import load_calendar
from attendwise.sources.base import ReportBuilder, WarningKind
from attendwise.sources.checks import (
    RollDates,
    check_calendar,
    check_roll_dates,
    missing_sessions,
    report_missing,
)
from attendwise.sources.register import MarkRow
from tests.factories import reference_calendar
from tests.import_factories import CALENDAR_2023_2025


def mark(day, session="AM", code="/", pupil="4001", line=2):
    return MarkRow(line, pupil, day, session, code, code or "")


def test_e6_marks_before_the_entry_date_are_reported_once_per_pupil():
    roll = {"4001": RollDates(dt.date(2025, 1, 6))}
    december = [
        mark(dt.date(2024, 12, 16) + dt.timedelta(days=n), session, "N", line=2 + n)
        for n in range(5)
        for session in ("AM", "PM")
    ]
    january = [mark(dt.date(2025, 1, 6), line=20)]
    report = ReportBuilder("sessions.csv")

    outside = check_roll_dates(december + january, roll, report)

    assert outside == 10
    assert report.build().warning_lines() == [
        "sessions.csv line 2: pupil 4001 (on roll from 06/01/2025) has 10 marks "
        "outside their roll dates (16/12/2024 to 20/12/2024): stored, but left "
        "out of every figure"
    ]


def test_a_mark_after_the_leaving_date_is_outside_the_roll():
    roll = {"4008": RollDates(dt.date(2025, 9, 3), dt.date(2025, 10, 20))}
    report = ReportBuilder("sessions.csv")

    check_roll_dates(
        [
            mark(dt.date(2025, 10, 20), pupil="4008"),
            mark(dt.date(2025, 10, 21), pupil="4008", line=3),
        ],
        roll,
        report,
    )

    assert report.build().warning_lines() == [
        "sessions.csv line 3: pupil 4008 (on roll 03/09/2025 to 20/10/2025) has 1 "
        "mark outside their roll dates (21/10/2025): stored, but left out of every "
        "figure"
    ]


def test_marks_on_a_closed_day_are_reported_per_date_with_the_reason():
    half_term = dt.date(2025, 10, 27)
    report = ReportBuilder("sessions.csv")

    check_calendar(
        [mark(half_term, "AM", line=5), mark(half_term, "PM", line=4)],
        reference_calendar(),
        report,
    )

    built = report.build()
    assert built.warning_lines() == [
        "sessions.csv line 4: 2 mark(s) on Mon 27/10/2025, which the calendar says "
        "is closed (Autumn half term): stored, but left out of every figure"
    ]
    assert built.counts["closed day"] == 2


def test_a_closure_mark_belongs_on_a_closed_day_and_is_reported_on_an_open_one():
    inset, open_day = dt.date(2025, 9, 1), dt.date(2025, 9, 3)
    report = ReportBuilder("sessions.csv")

    check_calendar(
        [mark(inset, code="#"), mark(open_day, code="#", line=9)],
        reference_calendar(),
        report,
    )

    built = report.build()
    assert built.warning_counts == {WarningKind.CLOSURE_ON_OPEN_DAY: 1}
    assert built.warning_lines() == [
        "sessions.csv line 9: 1 '#' (planned closure) mark(s) on Wed 03/09/2025, a "
        "day the calendar says is open: stored, not counted; check the calendar or "
        "the register"
    ]


def test_marks_beyond_the_calendar_are_reported_together():
    report = ReportBuilder("sessions.csv")
    beyond = [
        mark(dt.date(2026, 9, 2), line=7),
        mark(dt.date(2026, 9, 2), "PM", line=8),
        mark(dt.date(2026, 9, 3), line=9),
    ]

    check_calendar(beyond, reference_calendar(), report)

    built = report.build()
    assert built.counts["outside calendar"] == 3
    assert built.warning_lines() == [
        "sessions.csv line 7: 3 mark(s) on 2 day(s) from 02/09/2026 to 03/09/2026 "
        "lie outside the school's calendar (01/09/2025 to 17/07/2026): stored, but "
        "not checked against school days; add that year's calendar"
    ]


def test_e7_a_blank_session_is_missing_and_counted_per_pupil():
    calendar = load_calendar(CALENDAR_2023_2025)
    monday, friday = dt.date(2025, 2, 10), dt.date(2025, 2, 14)
    marked = {
        ("4001", monday + dt.timedelta(days=n), session)
        for n in range(5)
        for session in ("AM", "PM")
    } - {("4001", dt.date(2025, 2, 12), "PM")}
    roll = {"4001": RollDates(dt.date(2024, 9, 4))}
    report = ReportBuilder("sessions.csv")

    missing = missing_sessions(calendar, roll, monday, friday, marked)
    report_missing(missing, report)

    assert missing == {"4001": [(dt.date(2025, 2, 12), "PM")]}
    assert report.build().warning_lines() == [
        "sessions.csv: pupil 4001 has no mark for 1 session on roll: Wed 12/02/2025 PM"
    ]


def test_sessions_off_roll_and_on_closed_days_are_not_missing():
    calendar = reference_calendar()
    roll = {
        "joiner": RollDates(dt.date(2025, 10, 24)),
        "leaver": RollDates(dt.date(2023, 9, 4), dt.date(2025, 10, 23)),
    }

    missing = missing_sessions(
        calendar, roll, dt.date(2025, 10, 23), dt.date(2025, 11, 3), set()
    )

    # Thu 23 Oct for the leaver; Fri 24 Oct and Mon 3 Nov for the joiner
    # (half term lies between).
    assert {pupil: len(gaps) for pupil, gaps in missing.items()} == {
        "joiner": 4,
        "leaver": 2,
    }


def test_a_long_run_of_missing_sessions_names_the_first_three():
    calendar = reference_calendar()
    roll = {"4001": RollDates(dt.date(2025, 9, 3))}
    report = ReportBuilder("sessions.csv")

    report_missing(
        missing_sessions(
            calendar, roll, dt.date(2025, 9, 3), dt.date(2025, 9, 5), set()
        ),
        report,
    )

    assert report.build().warning_lines() == [
        "sessions.csv: pupil 4001 has no mark for 6 sessions on roll: Wed "
        "03/09/2025 AM, Wed 03/09/2025 PM, Thu 04/09/2025 AM and 3 more"
    ]
