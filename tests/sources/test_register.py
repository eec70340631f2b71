"""Reading register files: codes by date, blanks, duplicates, both layouts."""

import datetime as dt

import pytest

from attendwise.sources import canonical, sims
from attendwise.sources.base import ReportBuilder, WarningKind
from tests.conftest import SHARED
from tests.import_factories import canonical_csv, sessions_csv


def read_sims(*rows):
    report = ReportBuilder("sessions.csv")
    register = sims.read_sessions(sessions_csv(*rows), report)
    return register, report.build()


def read_canonical(data: bytes):
    report = ReportBuilder("register.csv")
    register = canonical.read_marks(data, report)
    return register, report.build()


def test_e9_the_code_set_depends_on_the_session_date():
    register, report = read_sims(
        ("08/07/2024", "J", "AM", "4001"),
        ("09/09/2024", "J1", "AM", "4001"),
        ("10/09/2024", "H", "AM", "4001"),
    )

    assert report.error_lines() == [
        "sessions.csv line 4, field Mark: 'H' is retired on 19 August 2024, "
        "so it is invalid on 10/09/2024"
    ]
    assert report.errors[0].value == "H"
    assert [(row.date, row.code) for row in register.marks] == [
        (dt.date(2024, 7, 8), "J"),
        (dt.date(2024, 9, 9), "J1"),
    ]


def test_a_new_code_before_august_2024_is_an_error_with_line_code_and_date():
    _, report = read_sims(("08/07/2024", "K", "AM", "4001"))

    assert report.error_lines() == [
        "sessions.csv line 2, field Mark: 'K' is not in use before 19 August 2024, "
        "so it is invalid on 08/07/2024"
    ]


def test_an_unknown_code_is_an_error():
    _, report = read_sims(("03/09/2025", "Q1", "AM", "4001"))

    assert report.error_lines() == [
        "sessions.csv line 2, field Mark: 'Q1' is not a DfE register code "
        "(session of 03/09/2025)"
    ]


def test_a_session_before_september_2022_is_refused_with_the_reason():
    _, report = read_sims(("01/07/2022", "-", "AM", "4001"))

    assert report.error_lines() == [
        "sessions.csv line 2, field Date: the session of 01/07/2022 is too early: "
        "registers before 01 September 2022 are not supported (in 2020/21 and "
        "2021/22 the X code was counted differently)"
    ]


def test_e11_sims_dates_are_day_first():
    register, report = read_sims(
        ("03/09/2024", "N", "AM", "4001"), ("13/09/2024", "U", "PM", "4001")
    )

    assert report.ok
    assert [(row.date, row.session, row.code) for row in register.marks] == [
        (dt.date(2024, 9, 3), "AM", "N"),
        (dt.date(2024, 9, 13), "PM", "U"),
    ]
    assert f"{register.marks[0].date:%a}" == "Tue"
    assert f"{register.marks[1].date:%a}" == "Fri"


def test_e11_a_date_that_does_not_parse_is_an_error_for_its_row():
    register, report = read_sims(
        ("09/13/2024", "N", "AM", "4001"), ("13/09/2024", "U", "PM", "4001")
    )

    assert report.error_lines() == [
        "sessions.csv line 2, field Date: '09/13/2024' is not a real date "
        "(month must be in 1..12)"
    ]
    assert len(register.marks) == 1


def test_session_must_be_am_or_pm():
    _, report = read_sims(("03/09/2025", "/", "am", "4001"))

    assert report.error_lines() == [
        "sessions.csv line 2, field Session Name: 'am' is not AM or PM"
    ]


@pytest.mark.parametrize("placeholder", ["", "-"])
def test_e7_a_blank_mark_is_not_a_mark_but_is_reported(placeholder):
    register, report = read_sims(
        ("12/02/2025", "/", "AM", "4001"), ("12/02/2025", placeholder, "PM", "4001")
    )

    assert report.ok
    assert [row.code for row in register.marks] == ["/"]
    assert [(row.line, row.session, row.code) for row in register.blanks] == [
        (3, "PM", None)
    ]
    assert report.counts["blank"] == 1
    assert report.warning_lines() == [
        "sessions.csv line 3, field Mark: no mark for pupil 4001 on Wed 12/02/2025 "
        "PM: not a mark; counted as missing"
    ]


def test_identical_duplicate_rows_are_folded_with_a_warning():
    register, report = read_sims(
        ("03/09/2025", "/", "AM", "4001"), ("03/09/2025", "/", "AM", "4001")
    )

    assert report.ok
    assert len(register.marks) == 1
    assert report.counts["duplicates folded"] == 1
    assert report.warning_counts == {WarningKind.DUPLICATE: 1}
    assert report.warning_lines() == [
        "sessions.csv line 3: repeats line 2 (pupil 4001, Wed 03/09/2025 AM); read once"
    ]


def test_conflicting_marks_for_one_session_are_an_error_naming_both_lines():
    _, report = read_sims(
        ("03/09/2025", "/", "AM", "4001"),
        ("03/09/2025", "/", "AM", "4002"),
        ("03/09/2025", "N", "AM", "4001"),
    )

    assert report.error_lines() == [
        "sessions.csv line 4, field Mark: pupil 4001 has two different marks for "
        "Wed 03/09/2025 AM: '/' on line 2 and 'N' on line 4"
    ]


def test_the_canonical_layout_reads_iso_dates_and_minutes_late():
    register, report = read_canonical(
        canonical_csv(
            ["4001", "2025-09-03", "AM", "/", ""],
            ["4001", "2025-09-03", "PM", "L", "12"],
            minutes=True,
        )
    )

    assert report.ok
    assert [(row.session, row.code, row.minutes_late) for row in register.marks] == [
        ("AM", "/", None),
        ("PM", "L", 12),
    ]
    assert register.first_date == register.last_date == dt.date(2025, 9, 3)


def test_the_canonical_layout_rejects_uk_dates():
    _, report = read_canonical(canonical_csv(["4001", "03/09/2025", "AM", "/"]))

    assert report.error_lines() == [
        "register.csv line 2, field date: '03/09/2025' is not a date in the form "
        "YYYY-MM-DD"
    ]


@pytest.mark.parametrize(
    ("mark", "minutes", "reason"),
    [
        ("/", "5", "minutes late are only for L or U marks, not '/'"),
        ("L", "ten", "'ten' is not a number of minutes from 0 to 600"),
        ("L", "601", "'601' is not a number of minutes from 0 to 600"),
        ("", "5", "minutes late are given but there is no mark"),
    ],
)
def test_minutes_late_are_a_number_for_a_late_mark(mark, minutes, reason):
    _, report = read_canonical(
        canonical_csv(["4001", "2025-09-03", "AM", mark, minutes], minutes=True)
    )

    assert report.error_lines() == [
        f"register.csv line 2, field minutes_late: {reason}"
    ]


def test_every_row_of_the_oakfield_sessions_file_is_a_valid_mark():
    data = (SHARED / "samples/oakfield/sessions.csv").read_bytes()
    report = ReportBuilder("sessions.csv")

    register = sims.read_sessions(data, report)
    built = report.build()

    assert built.ok
    assert built.warning_count == 0
    assert built.counts == {"rows": 78840, "marks": 78840, "blank": 0}
    assert register.first_date == dt.date(2025, 9, 3)
    assert register.last_date == dt.date(2025, 12, 11)
    assert sum(row.code == "D" for row in register.marks) == 106
