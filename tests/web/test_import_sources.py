"""Named sources in the database: saved mappings, imports through them, feeds."""

import datetime as dt

import pytest

from attendwise.core.upn import upn_check_letter
from attendwise.sources.base import ImportRejected, WarningKind
from attendwise.sources.mapped import SourceError
from attendwise.web.register.models import (
    ImportRun,
    Mark,
    MarkRevision,
    Pupil,
    Source,
)
from attendwise.web.register.services import import_register
from attendwise.web.register.sources import save_source, spec_of
from tests.import_factories import csv_bytes, pupil_row
from tests.source_factories import xlsx_bytes
from tests.web.register_factories import enrol, make_school, snapshot

pytestmark = pytest.mark.django_db

D = dt.date
UPN_1 = "A886412318001"
UPN_2 = upn_check_letter("886412318002") + "886412318002"


@pytest.fixture
def school():
    school = make_school()
    enrol(
        school,
        pupil_row("4001", upn=UPN_1, entry="01/09/2025"),
        pupil_row("4002", upn=UPN_2, entry="01/09/2025"),
    )
    return school


def elm_export(*rows: tuple[str, str, str, str]) -> bytes:
    """A school export: (adno, date, session, mark) rows among other columns."""
    return csv_bytes(
        ["Adno", "Forename", "Date", "Session", "Mark", "Comment"],
        ((adno, "Pat", day, s, mark, "") for adno, day, s, mark in rows),
    )


ELM_COLUMNS = {"pupil": "Adno", "date": "Date", "session": "Session", "mark": "Mark"}


def marks_of(pupil: str = "4001") -> list[tuple[dt.date, str, str, str]]:
    return list(
        Mark.objects.filter(pupil__mis_id=pupil)
        .order_by("date", "session")
        .values_list("date", "session", "code", "source_code")
    )


def test_a_source_is_saved_from_a_preset_with_the_school_changes(school):
    source = save_source(school, "Arbor daily", preset="arbor", code_table={"I01": "I"})

    assert (source.preset, source.pupil_key, source.date_format) == (
        "arbor",
        "upn",
        "DD/MM/YYYY",
    )
    assert source.columns["pupil"] == "UPN"
    assert spec_of(source).code_table == {"I01": "I"}


def test_a_source_that_cannot_read_a_file_is_not_saved(school):
    with pytest.raises(SourceError, match="say which column holds the mark"):
        save_source(school, "Half done", columns={"pupil": "Adno", "date": "D"})
    with pytest.raises(SourceError, match="'DD/MM/YY' is not a date format"):
        save_source(school, "Elm", columns=ELM_COLUMNS, date_format="DD/MM/YY")

    assert Source.objects.count() == 0


def test_saving_a_source_again_changes_only_what_is_given(school):
    save_source(school, "Elm", columns=ELM_COLUMNS, code_table={"@": "C1"})

    source = save_source(school, "Elm", encoding="cp1252")

    assert source.columns == ELM_COLUMNS
    assert (source.encoding, source.code_table) == ("cp1252", {"@": "C1"})
    assert Source.objects.count() == 1


def test_a_code_table_given_replaces_the_saved_one(school):
    save_source(school, "Elm", columns=ELM_COLUMNS, code_table={"h": "H"})

    replaced = save_source(school, "Elm", code_table={"@": "C1"})
    assert replaced.code_table == {"@": "C1"}

    cleared = save_source(school, "Elm", code_table={})
    assert cleared.code_table == {}


def test_a_register_imported_through_a_source_keeps_the_local_marks(school):
    source = save_source(
        school, "Elm", columns=ELM_COLUMNS, code_table={"I01": "I", "|": "\\"}
    )

    result = import_register(
        school,
        elm_export(
            ("4001", "08/09/2025", "AM", "I01"), ("4001", "08/09/2025", "PM", "|")
        ),
        "elm.csv",
        source=source,
    )

    assert marks_of() == [
        (D(2025, 9, 8), "AM", "I", "I01"),
        (D(2025, 9, 8), "PM", "\\", "|"),
    ]
    assert result.run is not None
    assert result.run.source == source


def test_the_same_local_mark_means_different_codes_in_two_sources(school):
    elm = save_source(school, "Elm", columns=ELM_COLUMNS, code_table={"@": "C1"})
    ash = save_source(school, "Ash", columns=ELM_COLUMNS, code_table={"@": "J1"})

    import_register(
        school, elm_export(("4001", "08/09/2025", "AM", "@")), "e", source=elm
    )
    import_register(
        school, elm_export(("4002", "08/09/2025", "AM", "@")), "a", source=ash
    )

    assert marks_of("4001")[0][2:] == ("C1", "@")
    assert marks_of("4002")[0][2:] == ("J1", "@")


def test_an_xlsx_register_by_upn_is_imported_through_its_source(school):
    source = save_source(school, "Arbor", preset="arbor", file_format="xlsx")
    data = xlsx_bytes(
        ["UPN", "Name", "Date", "Session", "Mark", "Minutes Late"],
        [
            [UPN_1, "Pat", D(2025, 9, 8), "AM", "L", 7],
            [UPN_2, "Sam", D(2025, 9, 8), "AM", "/", None],
        ],
    )

    import_register(school, data, "arbor.xlsx", source=source)

    assert list(
        Mark.objects.order_by("pupil__mis_id").values_list(
            "pupil__mis_id", "code", "minutes_late"
        )
    ) == [("4001", "L", 7), ("4002", "/", None)]


def test_a_register_naming_an_unknown_upn_is_rejected_whole(school):
    source = save_source(school, "Arbor", preset="arbor")
    stranger = upn_check_letter("886412318099") + "886412318099"
    data = csv_bytes(
        ["UPN", "Date", "Session", "Mark", "Minutes Late"],
        [[UPN_1, "08/09/2025", "AM", "/", ""], [stranger, "08/09/2025", "AM", "/", ""]],
    )
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_register(school, data, "arbor.csv", source=source)

    # A UPN is personal data: the error names the line, not the UPN.
    assert rejected.value.report.error_lines() == [
        "arbor.csv line 3, field UPN: the pupil with this UPN is not on the roll "
        "of Oakfield Academy (1 row); import the pupils file first"
    ]
    assert stranger not in repr(rejected.value.report)
    assert snapshot() == before


def test_a_register_by_upn_names_its_pupils_by_student_id_never_by_upn(school):
    source = save_source(school, "Bromcom", preset="bromcom")
    data = csv_bytes(
        ["UPN", "Date", "Session", "Mark"],
        [
            [UPN_1, "08/09/2025", "AM", "/"],
            [UPN_1, "08/09/2025", "AM", "/"],  # read once
            [UPN_1, "08/09/2025", "PM", "N"],
            [UPN_1, "08/09/2025", "PM", "/"],  # several registers
            [UPN_2, "08/09/2025", "AM", ""],  # blank
            [UPN_2, "09/09/2025", "AM", "/"],  # PM of 8 and 9 missing
            [UPN_1, "09/09/2025", "AM", "/"],
            [UPN_1, "09/09/2025", "PM", "/"],
            [UPN_1, "31/08/2025", "AM", "/"],  # before the entry date
        ],
    )

    result = import_register(school, data, "bromcom.csv", source=source)

    assert result.report.warning_lines() == [
        "bromcom.csv line 3: repeats line 2 (the pupil, Mon 08/09/2025 AM); read once",
        "bromcom.csv line 5, field Mark: the pupil has 'N' on line 4 and '/' on "
        "line 5 for Mon 08/09/2025 PM (several registers): '/' stands by the "
        "register order, 'N' is not stored",
        "bromcom.csv line 6, field Mark: no mark for the pupil on Mon 08/09/2025 "
        "AM: not a mark; counted as missing",
        "bromcom.csv line 10: pupil 4001 (on roll from 01/09/2025) has 1 mark "
        "outside their roll dates (31/08/2025): stored, but left out of every "
        "figure",
        "bromcom.csv line 10: 1 mark(s) on 1 day(s) from 31/08/2025 to 31/08/2025 "
        "lie outside the school's calendar (01/09/2025 to 17/07/2026): stored, "
        "but not checked against school days; add that year's calendar",
        "bromcom.csv: pupil 4001 has no mark for 6 sessions on roll: Wed "
        "03/09/2025 AM, Wed 03/09/2025 PM, Thu 04/09/2025 AM and 3 more",
        "bromcom.csv: pupil 4002 has no mark for 9 sessions on roll: Wed "
        "03/09/2025 AM, Wed 03/09/2025 PM, Thu 04/09/2025 AM and 6 more",
    ]
    for text in (repr(result.report), repr(result.run.warnings)):
        assert UPN_1 not in text
        assert UPN_2 not in text
    assert result.missing == {"4001": 6, "4002": 9}


def test_a_register_by_upn_refuses_a_upn_two_stored_pupils_share(school):
    # Stored before the pupils import refused a second holder of a UPN.
    Pupil.objects.filter(mis_id="4002").update(upn=UPN_1)
    source = save_source(school, "Arbor", preset="arbor")
    data = csv_bytes(
        ["UPN", "Date", "Session", "Mark", "Minutes Late"],
        [[UPN_1, "08/09/2025", "AM", "/", ""], [UPN_1, "08/09/2025", "PM", "/", ""]],
    )
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_register(school, data, "arbor.csv", source=source)

    assert rejected.value.report.error_lines() == [
        "arbor.csv line 2, field UPN: the UPN is held by more than one pupil of "
        "Oakfield Academy (Student IDs 4001, 4002), so its 2 rows could be "
        "either's: correct the UPNs in the MIS and import the pupils file first"
    ]
    assert snapshot() == before


def test_several_registers_resolve_to_the_best_mark_when_stored(school):
    source = save_source(
        school, "Bromcom", preset="bromcom", pupil_key="mis_id", code_table={"0": "I"}
    )
    data = csv_bytes(
        ["UPN", "Date", "Session", "Mark"],
        [["4001", "08/09/2025", "AM", "N"], ["4001", "08/09/2025", "AM", "0"]],
    )

    result = import_register(school, data, "bromcom.csv", source=source)

    assert marks_of() == [(D(2025, 9, 8), "AM", "I", "0")]
    assert result.report.warning_counts[WarningKind.REGISTERS_RESOLVED] == 1


def test_a_daily_feed_changes_its_own_day_and_leaves_older_marks_alone(school):
    source = save_source(school, "Elm", columns=ELM_COLUMNS)
    week = [
        (pupil, f"{day:02d}/09/2025", session, "/" if session == "AM" else "\\")
        for pupil in ("4001", "4002")
        for day in range(8, 13)
        for session in ("AM", "PM")
    ]
    first = import_register(school, elm_export(*week), "week.csv", source=source)
    older = list(
        Mark.objects.filter(date__lt=D(2025, 9, 12))
        .order_by("pk")
        .values_list("pk", "code", "import_run", "updated_at")
    )

    daily = import_register(
        school,
        elm_export(
            ("4001", "12/09/2025", "AM", "I"),
            ("4001", "12/09/2025", "PM", "I"),
            ("4002", "12/09/2025", "AM", "/"),
            ("4002", "12/09/2025", "PM", "\\"),
        ),
        "friday.csv",
        source=source,
    )

    assert (daily.created, daily.changed, daily.unchanged) == (0, 2, 2)
    assert daily.missing == {}
    assert (
        list(
            Mark.objects.filter(date__lt=D(2025, 9, 12))
            .order_by("pk")
            .values_list("pk", "code", "import_run", "updated_at")
        )
        == older
    )
    assert sorted(MarkRevision.objects.values_list("code", "replaced_by_import")) == [
        ("/", daily.run.pk),
        ("\\", daily.run.pk),
    ]
    assert ImportRun.objects.filter(kind="register").count() == 2
    assert first.run is not None


def test_a_large_file_through_a_source_reports_its_progress(school):
    source = save_source(school, "Elm", columns=ELM_COLUMNS)
    rows = [
        (pupil, f"{day:02d}/09/2025", session, "/")
        for pupil in ("4001", "4002")
        for day in (8, 9, 10, 11, 12, 15, 16, 17, 18, 19)
        for session in ("AM", "PM")
    ]
    seen: list[int] = []

    import_register(
        school, elm_export(*rows * 160), "big.csv", source=source, progress=seen.append
    )

    assert sum(seen) == 2 * len(rows) * 160
    assert len(seen) > 2
