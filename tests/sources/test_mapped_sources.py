"""Named sources: mapped columns, encodings, dates, code tables, .xlsx files."""

import dataclasses
import datetime as dt

import pytest

from attendwise.sources.base import Encoding, FileFormat, ReportBuilder, WarningKind
from attendwise.sources.dates import DateFormat
from attendwise.sources.mapped import PupilKey, SourceError, SourceSpec
from attendwise.sources.presets import PRESETS, preset
from attendwise.sources.register import read_register
from attendwise.sources.sims import read_sessions
from tests.conftest import SHARED
from tests.import_factories import csv_bytes
from tests.source_factories import xlsx_bytes

D = dt.date

ARBOR_HEADER = ["Student", "UPN", "Date", "Session", "Mark", "Minutes Late", "Notes"]


def spec(**changes) -> SourceSpec:
    """A school's own export: pupils by MIS id, an extra Notes column."""
    base = SourceSpec(
        name="Elm export",
        columns={
            "pupil": "Adno",
            "date": "Date",
            "session": "Session",
            "mark": "Mark",
        },
        date_format=DateFormat.UK,
    )
    return dataclasses.replace(base, **changes)


def export(*rows: tuple[str, str, str, str], notes: str = "") -> bytes:
    """Return a CSV of (adno, date, session, mark) rows with a Notes column."""
    return csv_bytes(
        ["Adno", "Name", "Date", "Session", "Mark", "Notes"],
        ((adno, "Pat Example", day, s, mark, notes) for adno, day, s, mark in rows),
    )


def read(data: bytes, source: SourceSpec, file: str = "export.csv"):
    report = ReportBuilder(file)
    register = read_register(data, source.register_layout(), report)
    return register, report.build()


def marks(register) -> list[tuple[str, dt.date, str, str | None, str]]:
    return [
        (row.pupil, row.date, row.session, row.code, row.source_code)
        for row in register.marks
    ]


# -- columns ------------------------------------------------------------------


def test_a_mapped_export_is_read_by_its_headings_and_other_columns_are_ignored():
    register, report = read(
        export(("4001", "08/09/2025", "AM", "/"), ("4001", "08/09/2025", "PM", "\\")),
        spec(),
    )

    assert report.ok
    assert marks(register) == [
        ("4001", D(2025, 9, 8), "AM", "/", "/"),
        ("4001", D(2025, 9, 8), "PM", "\\", "\\"),
    ]


def test_a_mapped_heading_missing_from_the_file_is_named():
    _, report = read(
        export(("4001", "08/09/2025", "AM", "/")),
        spec(
            columns={
                "pupil": "Admission No",
                "date": "Date",
                "session": "Session",
                "mark": "Mark",
            }
        ),
    )

    assert report.error_lines() == [
        "export.csv line 1: missing column(s) 'Admission No'; the Elm export "
        "layout has the columns Admission No, Date, Session, Mark"
    ]


def test_a_source_names_its_sessions_in_its_own_words():
    source = spec(session_names={"Morning": "AM", "Afternoon": "PM"})

    register, report = read(
        export(
            ("4001", "08/09/2025", "Morning", "/"), ("4001", "08/09/2025", "AM", "/")
        ),
        source,
    )

    assert marks(register) == [("4001", D(2025, 9, 8), "AM", "/", "/")]
    assert report.error_lines() == [
        "export.csv line 3, field Session: 'AM' is not a session of this source "
        "('Morning', 'Afternoon')"
    ]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"columns": {"pupil": "Adno", "date": "Date", "session": "S"}}, "mark"),
        ({"code_table": {"@": "Q9"}}, "'Q9', which is not a DfE register code"),
        ({"session_names": {"Morning": "AM"}}, "must cover both AM and PM"),
        ({"sheet": "Marks"}, "only an .xlsx source has a sheet"),
        ({"code_table": {"LONGER THAN TEN": "I"}}, "1 to 10 characters"),
    ],
)
def test_a_source_that_cannot_work_is_refused_when_declared(changes, problem):
    with pytest.raises(SourceError, match=problem):
        spec(**changes).check()


def test_every_preset_is_a_usable_source_with_its_provenance():
    for name, shipped in PRESETS.items():
        assert shipped.spec.problems() == [], name
        assert shipped.provenance
    assert [name for name, p in PRESETS.items() if p.verified] == ["canonical", "sims"]


def test_the_sims_preset_reads_the_oakfield_sample_as_the_sims_layout_does():
    head = b"".join(
        (SHARED / "samples" / "oakfield" / "sessions.csv")
        .read_bytes()
        .splitlines(keepends=True)[:3000]
    )
    by_layout = ReportBuilder("sessions.csv")
    expected = read_sessions(head, by_layout)

    register, report = read(head, preset("sims"), "sessions.csv")

    assert report.ok
    assert by_layout.build().ok
    assert register.marks == expected.marks
    assert len(register.marks) == 2999


# -- encodings ----------------------------------------------------------------


def test_a_windows_1252_source_reads_accents_and_symbols():
    data = export(("4001", "08/09/2025", "AM", "/"), notes="Renée – 5€").decode()

    register, report = read(data.encode("cp1252"), spec(encoding=Encoding.CP1252))

    assert report.ok
    assert len(register.marks) == 1


def test_utf8_with_and_without_a_byte_order_mark_read_alike():
    data = export(("4001", "08/09/2025", "AM", "/"), notes="Renée")

    plain, plain_report = read(data, spec())
    marked, marked_report = read(b"\xef\xbb\xbf" + data, spec())

    assert plain_report.ok
    assert marked_report.ok
    assert plain.marks == marked.marks


def test_a_utf8_file_given_to_a_windows_1252_source_is_refused_not_guessed():
    data = b"\xef\xbb\xbf" + export(("4001", "08/09/2025", "AM", "/"))

    _, report = read(data, spec(encoding=Encoding.CP1252))

    assert report.error_lines() == [
        "export.csv line 1: the file starts with a UTF-8 byte-order mark but its "
        "source declares Windows-1252: change the source's encoding to UTF-8, or "
        "save the file as 'CSV (Comma delimited)'"
    ]


def test_a_byte_with_no_meaning_in_windows_1252_is_named():
    data = export(("4001", "08/09/2025", "AM", "/"), notes="Q").replace(b"Q", b"\x81")

    _, report = read(data, spec(encoding=Encoding.CP1252))

    assert report.error_lines() == [
        "export.csv line 2: byte 0x81 (character 34 of the line) has no meaning in "
        "Windows-1252: the file was saved in another encoding; check the source's "
        "declared encoding"
    ]


# -- dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "text", "day"),
    [
        (DateFormat.UK, "3/9/2025", D(2025, 9, 3)),
        (DateFormat.UK_DASHED, "03-09-2025", D(2025, 9, 3)),
        (DateFormat.UK_DOTTED, "03.09.2025", D(2025, 9, 3)),
        (DateFormat.ISO, "2025-09-03", D(2025, 9, 3)),
        (DateFormat.UK_MONTH_NAME, "3-Sep-2025", D(2025, 9, 3)),
        (DateFormat.UK_MONTH_NAME, "03 sep 2025", D(2025, 9, 3)),
        (DateFormat.UK_DATE_TIME, "03/09/2025 23:30", D(2025, 9, 3)),
        # 23:30 UTC on 6 October is 00:30 on the 7th in London (BST).
        (DateFormat.TIMESTAMP, "2025-10-06T23:30:00Z", D(2025, 10, 7)),
        (DateFormat.TIMESTAMP, "2025-10-07T00:30:00+01:00", D(2025, 10, 7)),
        (DateFormat.TIMESTAMP, "2025-09-03T23:30:00-05:00", D(2025, 9, 4)),
        # The clocks go back at 01:00 UTC on 26 October 2025.
        (DateFormat.TIMESTAMP, "2025-10-25T23:30:00Z", D(2025, 10, 26)),
        (DateFormat.TIMESTAMP, "2025-10-26T23:30:00Z", D(2025, 10, 26)),
        # In winter London is on UTC.
        (DateFormat.TIMESTAMP, "2025-12-01T23:59:59Z", D(2025, 12, 1)),
        (DateFormat.TIMESTAMP, "2026-03-29T00:30:00+0000", D(2026, 3, 29)),
        (DateFormat.TIMESTAMP, "2026-03-29T23:30:00Z", D(2026, 3, 30)),
    ],
)
def test_each_declared_date_format_gives_the_uk_date(form, text, day):
    assert form.parse(text) == day


@pytest.mark.parametrize(
    ("form", "text", "reason"),
    [
        (DateFormat.UK, "2025-09-03", "not a date in the form DD/MM/YYYY"),
        (DateFormat.UK, "09/03/25", "not a date in the form DD/MM/YYYY"),
        (DateFormat.ISO, "03/09/2025", "not a date in the form YYYY-MM-DD"),
        (DateFormat.UK_DASHED, "03/09/2025", "not a date in the form DD-MM-YYYY"),
        (DateFormat.UK_MONTH_NAME, "3 Sept 2025", "not a date in the form DD Mon"),
        (DateFormat.UK_DATE_TIME, "03/09/2025 25:00", "has no such time of day"),
        (DateFormat.TIMESTAMP, "2025-09-03T08:45:00", "has a time but no UTC offset"),
        (DateFormat.TIMESTAMP, "2025-09-31T08:45:00Z", "not a real date"),
        (DateFormat.UK, "31/02/2026", "not a real date"),
    ],
)
def test_a_date_in_another_form_is_an_error_never_a_guess(form, text, reason):
    from attendwise.sources.base import ValueProblem

    with pytest.raises(ValueProblem, match=reason):
        form.parse(text)


def test_an_offset_timestamp_file_takes_the_london_date_of_each_session():
    source = spec(date_format=DateFormat.TIMESTAMP)

    register, report = read(export(("4001", "2025-10-06T23:30:00Z", "AM", "/")), source)

    assert report.ok
    assert marks(register) == [("4001", D(2025, 10, 7), "AM", "/", "/")]


# -- marks and code tables ----------------------------------------------------


def test_backslash_hash_and_pipe_are_kept_exactly():
    source = spec(code_table={"|": "\\"})

    register, report = read(
        export(
            ("4001", "08/09/2025", "AM", "/"),
            ("4001", "08/09/2025", "PM", "|"),
            ("4002", "08/09/2025", "PM", "\\"),
            ("4002", "27/10/2025", "AM", "#"),
        ),
        source,
    )

    assert report.ok
    assert marks(register) == [
        ("4001", D(2025, 9, 8), "AM", "/", "/"),
        ("4001", D(2025, 9, 8), "PM", "\\", "|"),
        ("4002", D(2025, 9, 8), "PM", "\\", "\\"),
        ("4002", D(2025, 10, 27), "AM", "#", "#"),
    ]


def test_local_sub_codes_map_to_their_statutory_code():
    source = spec(code_table={"I01": "I", "X06": "X", "@": "C1", "7": "Y7"})

    register, report = read(
        export(
            ("4001", "08/09/2025", "AM", "I01"),
            ("4001", "08/09/2025", "PM", "X06"),
            ("4001", "09/09/2025", "AM", "@"),
            ("4001", "09/09/2025", "PM", "7"),
        ),
        source,
    )

    assert report.ok
    assert [(m[3], m[4]) for m in marks(register)] == [
        ("I", "I01"),
        ("X", "X06"),
        ("C1", "@"),
        ("Y7", "7"),
    ]


def test_the_same_local_character_means_what_its_own_source_says():
    data = export(("4001", "08/09/2025", "AM", "@"))

    one, _ = read(data, spec(name="Elm", code_table={"@": "C1"}))
    other, _ = read(data, spec(name="Ash", code_table={"@": "J1"}))

    assert [m[3] for m in marks(one)] == ["C1"]
    assert [m[3] for m in marks(other)] == ["J1"]


def test_a_local_code_not_in_the_source_table_is_an_error():
    _, report = read(
        export(("4001", "08/09/2025", "AM", "I02")), spec(code_table={"I01": "I"})
    )

    assert report.error_lines() == [
        "export.csv line 2, field Mark: 'I02' is not in the code table of the source "
        "'Elm export' and is not a DfE register code: add it to the source's code "
        "table with the statutory code it stands for"
    ]


def test_a_local_code_is_still_checked_against_the_code_set_of_its_date():
    _, report = read(
        export(("4001", "08/09/2025", "AM", "HOL")), spec(code_table={"HOL": "H"})
    )

    assert report.error_lines() == [
        "export.csv line 2, field Mark: 'HOL' stands for 'H' is retired on "
        "19 August 2024, so it is invalid on 08/09/2025"
    ]


# -- duplicates and several registers --------------------------------------------


def test_identical_rows_are_folded_and_reported():
    register, report = read(
        export(("4001", "08/09/2025", "AM", "/"), ("4001", "08/09/2025", "AM", "/")),
        spec(),
    )

    assert len(register.marks) == 1
    assert report.warning_counts == {WarningKind.DUPLICATE: 1}
    assert report.counts["duplicates folded"] == 1


def test_conflicting_marks_are_an_error_naming_both_rows():
    _, report = read(
        export(("4001", "08/09/2025", "AM", "/"), ("4001", "08/09/2025", "AM", "N")),
        spec(),
    )

    assert report.error_lines() == [
        "export.csv line 3, field Mark: pupil 4001 has two different marks for "
        "Mon 08/09/2025 AM: '/' on line 2 and 'N' on line 3"
    ]


def test_several_registers_per_session_keep_the_mark_first_in_the_order():
    source = spec(several_registers=True)

    register, report = read(
        export(
            ("4001", "08/09/2025", "AM", "N"),
            ("4001", "08/09/2025", "AM", "L"),
            ("4001", "08/09/2025", "PM", "M"),
            ("4001", "08/09/2025", "PM", "O"),
            ("4001", "09/09/2025", "AM", "-"),
            ("4001", "09/09/2025", "AM", "I"),
        ),
        source,
    )

    assert report.ok
    assert [(m[2], m[3]) for m in marks(register)] == [
        ("AM", "L"),
        ("PM", "M"),
        ("AM", "I"),
    ]
    assert [w.reason for w in report.warnings] == [
        "pupil 4001 has 'N' on line 2 and 'L' on line 3 for Mon 08/09/2025 AM "
        "(several registers): 'L' stands by the register order, 'N' is not stored",
        "pupil 4001 has 'M' on line 4 and 'O' on line 5 for Mon 08/09/2025 PM "
        "(several registers): 'M' stands by the register order, 'O' is not stored",
    ]


# -- UPNs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upn", "reason"),
    [
        ("886412318001", "only digits and has lost its leading letter"),
        ("8.86412E+11", "scientific notation"),
        ("886412318001.0", "ends in '.0'"),
        ("B886412318001", "the check letter should be A, not B"),
        ("A88641231800", "a UPN has 13 characters, not 12"),
    ],
)
def test_a_register_by_upn_detects_damaged_and_mistyped_upns(upn, reason):
    source = spec(pupil_key=PupilKey.UPN)

    _, report = read(export((upn, "08/09/2025", "AM", "/")), source)

    assert report.error_count == 1
    assert reason in report.errors[0].reason
    assert report.errors[0].field == "Adno"


def test_a_register_by_upn_reads_valid_upns():
    register, report = read(
        export(("A886412318001", "08/09/2025", "AM", "/")),
        spec(pupil_key=PupilKey.UPN),
    )

    assert report.ok
    assert marks(register)[0][0] == "A886412318001"


# -- blank rows and workbooks --------------------------------------------------------


def test_blank_trailing_rows_are_skipped():
    data = export(("4001", "08/09/2025", "AM", "/")) + b",,,,,\n,,,,,\r\n\n"

    register, report = read(data, spec())

    assert report.ok
    assert report.counts["rows"] == 1
    assert len(register.marks) == 1


#: A spreadsheet datetime cell: wall-clock time, no zone.
AFTERNOON = dt.datetime(2025, 9, 8, 13, 5)  # noqa: DTZ001


def test_an_xlsx_export_is_read_with_date_cells_numbers_and_symbols():
    data = xlsx_bytes(
        ["Adno", "Date", "Session", "Mark", "Minutes"],
        [
            [4001, D(2025, 9, 8), "AM", "L", 12],
            [4001, AFTERNOON, "PM", "\\", None],
            ["4002", "09/09/2025", "AM", "#", None],
            [None, None, None, None, None],
            [None, None, None, None, None],
        ],
    )
    source = spec(
        file_format=FileFormat.XLSX,
        columns={
            "pupil": "Adno",
            "date": "Date",
            "session": "Session",
            "mark": "Mark",
            "minutes_late": "Minutes",
        },
    )

    register, report = read(data, source, "export.xlsx")

    assert report.ok, report.error_lines()
    read_back = [
        (row.line, row.pupil, row.date, row.code, row.minutes_late)
        for row in register.marks
    ]
    assert read_back == [
        (2, "4001", D(2025, 9, 8), "L", 12),
        (3, "4001", D(2025, 9, 8), "\\", None),
        (4, "4002", D(2025, 9, 9), "#", None),
    ]


def test_an_xlsx_source_reads_the_sheet_it_names():
    data = xlsx_bytes(
        ["Adno", "Date", "Session", "Mark"],
        [[4001, D(2025, 9, 8), "AM", "/"]],
        sheet="Marks",
        before=["Cover"],
    )
    source = spec(file_format=FileFormat.XLSX, sheet="Marks")

    register, report = read(data, source, "export.xlsx")
    _, missing = read(data, dataclasses.replace(source, sheet="Other"), "export.xlsx")

    assert report.ok
    assert len(register.marks) == 1
    assert missing.error_lines() == [
        "export.xlsx: the workbook has no sheet 'Other' (it has 'Cover', 'Marks')"
    ]


def test_a_csv_given_to_an_xlsx_source_is_refused():
    _, report = read(
        export(("4001", "08/09/2025", "AM", "/")), spec(file_format=FileFormat.XLSX)
    )

    assert report.error_lines() == [
        "export.csv: the file is not an Excel workbook (.xlsx); its source declares "
        "one: export the register as .xlsx, or change the source to CSV"
    ]


def test_a_damaged_workbook_is_a_clear_error():
    data = xlsx_bytes(["Adno"], [[1]])[:200]

    _, report = read(data, spec(file_format=FileFormat.XLSX), "export.xlsx")

    assert report.error_count == 1
    assert report.errors[0].reason.startswith("the workbook cannot be read")
