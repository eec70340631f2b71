"""Reading any CSV file: encodings, headers, empty files, the error model."""

import pytest

from attendwise.sources.base import (
    ImportRejected,
    ReportBuilder,
    RowError,
    ValueProblem,
    WarningKind,
    parse_iso_date,
    parse_uk_date,
)
from attendwise.sources.sims import read_pupils, read_sessions
from tests.import_factories import IMPORT_DAY, pupil_row, pupils_csv, sessions_csv


def read(data: bytes, file: str = "pupils.csv"):
    report = ReportBuilder(file)
    rows = read_pupils(data, report, on=IMPORT_DAY)
    return rows, report.build()


def test_an_error_reads_as_file_line_field_and_reason():
    error = RowError(
        "sessions.csv",
        1203,
        "Mark",
        "H",
        "'H' is retired on 19 August 2024, so it is invalid on 10/09/2024",
    )

    assert str(error) == (
        "sessions.csv line 1203, field Mark: 'H' is retired on 19 August 2024, "
        "so it is invalid on 10/09/2024"
    )


def test_utf8_with_a_byte_order_mark_is_read_like_plain_utf8():
    data = pupils_csv(pupil_row(surname="Bront\u00eb"))

    plain, plain_report = read(data)
    marked, marked_report = read(b"\xef\xbb\xbf" + data)

    assert plain_report.ok
    assert marked_report.ok
    assert marked == plain
    assert marked[0].legal_surname == "Bront\u00eb"


def test_windows_1252_bytes_are_rejected_naming_the_line_and_the_byte():
    data = pupils_csv(pupil_row("4001"), pupil_row("4002", forename="Ren\u00e9e"))
    data = data.decode("utf-8").encode("cp1252")

    _, report = read(data)

    assert report.error_count == 1
    assert str(report.errors[0]) == (
        "pupils.csv line 3: byte 0xE9 (character 18 of the line) is not UTF-8: "
        "the file was saved in another encoding (such as Windows-1252); save it "
        "as 'CSV UTF-8' and import it again"
    )


def test_utf16_is_rejected_as_utf16():
    data = pupils_csv(pupil_row()).decode("utf-8").encode("utf-16")

    _, report = read(data)

    assert [str(error) for error in report.errors] == [
        "pupils.csv line 1: the file is UTF-16 text; Attendwise reads UTF-8 only: "
        "save it as 'CSV UTF-8' and import it again"
    ]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"])
def test_an_empty_file_is_an_error(data):
    _, report = read(data)

    assert report.error_lines() == ["pupils.csv: the file is empty"]


def test_a_header_without_rows_is_an_error():
    _, report = read(pupils_csv())

    assert report.error_lines() == [
        "pupils.csv: the file has a header but no data rows"
    ]


def test_missing_and_unknown_columns_are_named():
    data = b"Date,Mark,Session,Student ID,Comment\n03/09/2025,/,AM,4001,\n"
    report = ReportBuilder("sessions.csv")

    read_sessions(data, report)

    expected = (
        "the SIMS sessions layout has the columns "
        "Date, ID, Mark, Session Name, Student ID"
    )
    assert report.build().error_lines() == [
        f"sessions.csv line 1: missing column(s) 'ID', 'Session Name'; {expected}",
        f"sessions.csv line 1: unknown column(s) 'Session', 'Comment'; {expected}",
    ]


def test_a_column_given_twice_is_an_error():
    data = b"Date,ID,Mark,Session Name,Student ID,Mark\n"
    report = ReportBuilder("sessions.csv")

    read_sessions(data, report)

    assert report.build().error_lines() == [
        "sessions.csv line 1, field Mark: the column 'Mark' appears twice"
    ]


def test_a_row_with_the_wrong_number_of_fields_is_an_error():
    data = sessions_csv(("03/09/2025", "/", "AM", "4001")) + b"03/09/2025,1,/,PM\n"
    report = ReportBuilder("sessions.csv")

    register = read_sessions(data, report)

    assert report.build().error_lines() == [
        "sessions.csv line 3: the row has 4 fields but the header has 5"
    ]
    assert len(register.marks) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b"Date,ID,Mark,Session Name,Student ID\r03/09/2025,1,/,AM,4001\r",
            "sessions.csv line 1: the lines end in a bare carriage return (an old "
            "Mac line ending); save the file as 'CSV UTF-8' and import it again",
        ),
        (
            b'Date,ID,Mark,Session Name,Student ID\n03/09/2025,1,"/,AM,4001\n',
            'sessions.csv line 2: a value opened with a quote (") is never closed',
        ),
        (
            b'Date,ID,Mark,Session Name,Student ID\n03/09/2025,1,"/"x,AM,4001\n',
            "sessions.csv line 2: a quoted value has more text after its closing "
            'quote (")',
        ),
    ],
)
def test_a_file_that_is_not_valid_csv_says_what_is_wrong(data, error):
    report = ReportBuilder("sessions.csv")

    read_sessions(data, report)

    assert report.build().error_lines() == [error]


def test_blank_lines_and_surrounding_spaces_are_ignored():
    data = (
        b"\nDate , ID,Mark,Session Name,Student ID\n"
        b"\n 03/09/2025 ,1, / ,AM,4001\n,,,,\n"
    )
    report = ReportBuilder("sessions.csv")

    register = read_sessions(data, report)

    assert report.build().ok
    assert [(row.line, row.code, row.pupil) for row in register.marks] == [
        (4, "/", "4001")
    ]


def test_the_listing_is_capped_but_every_error_is_counted():
    rows = [("03/09/2025", "Q9", "AM", str(4000 + n)) for n in range(250)]
    report = ReportBuilder("sessions.csv", limit=200)

    read_sessions(sessions_csv(*rows), report)
    built = report.build()

    assert built.error_count == 250
    assert len(built.errors) == 200
    assert built.error_lines()[-1] == "... and 50 more errors not listed"


def test_a_rejection_carries_its_report():
    report = ReportBuilder("sessions.csv")
    report.error(2, "Mark", "H", "'H' is retired")
    report.warn(WarningKind.BLANK, 3, "Mark", "", "no mark")

    with pytest.raises(ImportRejected) as rejected:
        report.reject_if_errors()

    assert rejected.value.report.error_count == 1
    assert rejected.value.report.warning_counts == {WarningKind.BLANK: 1}
    assert str(rejected.value) == (
        "sessions.csv was rejected with 1 error and nothing from it was imported; "
        "first: sessions.csv line 2, field Mark: 'H' is retired"
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("03/09/2024", (2024, 9, 3)),
        ("13/09/2024", (2024, 9, 13)),
        ("3/9/2024", (2024, 9, 3)),
    ],
)
def test_uk_dates_are_day_first(text, day):
    import datetime as dt

    assert parse_uk_date(text) == dt.date(*day)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("09/13/2024", "'09/13/2024' is not a real date (month must be in 1..12)"),
        ("2024-09-03", "'2024-09-03' is not a date in the form DD/MM/YYYY"),
        ("03/09/24", "'03/09/24' is not a date in the form DD/MM/YYYY"),
        ("03/09/2024 00:00", "'03/09/2024 00:00' is not a date in the form DD/MM/YYYY"),
        (
            "31/02/2025",
            "'31/02/2025' is not a real date (day is out of range for month)",
        ),
    ],
)
def test_a_uk_date_that_cannot_be_read_is_never_guessed(text, reason):
    with pytest.raises(ValueProblem) as problem:
        parse_uk_date(text)

    assert str(problem.value) == reason


@pytest.mark.parametrize(
    "text", ["03/09/2024", "2024-9-3", "20240903", "2024-09-03T00:00"]
)
def test_iso_dates_must_be_yyyy_mm_dd(text):
    with pytest.raises(ValueProblem, match="is not a date in the form YYYY-MM-DD"):
        parse_iso_date(text)
