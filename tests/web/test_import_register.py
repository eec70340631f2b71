"""Importing a register: strict, all-or-nothing, idempotent, with history."""

import datetime as dt

import pytest

from attendwise.sources.base import ImportRejected, WarningKind
from attendwise.web.register.models import ImportRun, Mark, MarkRevision, School
from attendwise.web.register.services import import_register
from tests.import_factories import (
    CALENDAR_2023_2025,
    canonical_csv,
    pupil_row,
    sessions_csv,
    week_of_marks,
)
from tests.web.register_factories import enrol, make_school, snapshot

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 9, 8)


@pytest.fixture
def school() -> School:
    """A school on the reference calendar with pupils 4001 and 4002 on roll."""
    school = make_school()
    enrol(school, pupil_row("4001"), pupil_row("4002"))
    return school


@pytest.fixture
def school_2024() -> School:
    """A school on the 2023-2025 calendar with pupil 4001 on roll since 2023."""
    school = make_school("elm", name="Elm School", calendar_text=CALENDAR_2023_2025)
    enrol(school, pupil_row("4001", entry="04/09/2023"))
    return school


def marks_of(pupil: str = "4001") -> list[tuple[dt.date, str, str]]:
    return list(
        Mark.objects.filter(pupil__mis_id=pupil)
        .order_by("date", "session")
        .values_list("date", "session", "code")
    )


def test_a_register_file_is_stored_mark_by_mark(school):
    data = sessions_csv(*week_of_marks("4001", MONDAY), *week_of_marks("4002", MONDAY))

    result = import_register(school, data, "sessions.csv", layout="sims")

    assert (result.created, result.changed, result.unchanged) == (20, 0, 0)
    assert result.run is not None
    assert (result.run.kind, result.run.file_name, result.run.rows) == (
        "register",
        "sessions.csv",
        20,
    )
    assert Mark.objects.count() == 20
    assert marks_of()[:2] == [(MONDAY, "AM", "/"), (MONDAY, "PM", "\\")]
    assert set(Mark.objects.values_list("import_run", flat=True)) == {result.run.pk}
    assert result.report.warning_count == 0


def test_the_canonical_layout_is_stored_with_minutes_late(school):
    data = canonical_csv(
        ["4001", "2025-09-08", "AM", "L", "12"],
        ["4001", "2025-09-08", "PM", "\\", ""],
        minutes=True,
    )

    import_register(school, data, "register.csv")

    late = Mark.objects.get(pupil__mis_id="4001", session="AM")
    assert (late.code, late.source_code, late.minutes_late) == ("L", "L", 12)


BAD_FILES = {
    "an unknown code": (
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"), ("08/09/2025", "Q1", "PM", "4001")
        ),
        "sessions.csv line 3, field Mark: 'Q1' is not a DfE register code "
        "(session of 08/09/2025)",
    ),
    "a date that does not parse": (
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"), ("2025-09-08", "\\", "PM", "4001")
        ),
        "sessions.csv line 3, field Date: '2025-09-08' is not a date in the form "
        "DD/MM/YYYY",
    ),
    "a conflicting duplicate": (
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"), ("08/09/2025", "N", "AM", "4001")
        ),
        "sessions.csv line 3, field Mark: pupil 4001 has two different marks for "
        "Mon 08/09/2025 AM: '/' on line 2 and 'N' on line 3",
    ),
    "a pupil not on the roll": (
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"),
            ("08/09/2025", "/", "AM", "9999"),
            ("08/09/2025", "\\", "PM", "9999"),
        ),
        "sessions.csv line 3, field Student ID: pupil '9999' is not on the roll of "
        "Oakfield Academy (2 rows); import the pupils file first",
    ),
    "an empty file": (b"", "sessions.csv: the file is empty"),
    "a header without rows": (
        sessions_csv(),
        "sessions.csv: the file has a header but no data rows",
    ),
    "a file in the wrong encoding": (
        sessions_csv(("08/09/2025", "/", "AM", "4001"))
        + "08/09/2025,1,\u00e9,PM,4001\n".encode("cp1252"),
        "sessions.csv line 3: byte 0xE9 (character 14 of the line) is not UTF-8: "
        "the file was saved in another encoding (such as Windows-1252); save it as "
        "'CSV UTF-8' and import it again",
    ),
}


@pytest.mark.parametrize(("data", "error"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_rejected_with_a_clear_error_and_changes_nothing(
    school, data, error
):
    # Something already stored that the bad file would change if applied.
    import_register(
        school, sessions_csv(("08/09/2025", "N", "AM", "4001")), "a.csv", "sims"
    )
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        import_register(school, data, "sessions.csv", layout="sims")

    assert rejected.value.report.error_lines() == [error]
    assert snapshot() == before


def test_e9_a_retired_code_after_august_2024_rejects_the_whole_file(school_2024):
    before = snapshot()
    data = sessions_csv(
        ("08/07/2024", "J", "AM", "4001"),
        ("08/07/2024", "\\", "PM", "4001"),
        ("09/09/2024", "J1", "AM", "4001"),
        ("09/09/2024", "\\", "PM", "4001"),
        ("10/09/2024", "H", "AM", "4001"),
    )

    with pytest.raises(ImportRejected) as rejected:
        import_register(school_2024, data, "sessions.csv", layout="sims")

    assert rejected.value.report.error_lines() == [
        "sessions.csv line 6, field Mark: 'H' is retired on 19 August 2024, so it "
        "is invalid on 10/09/2024"
    ]
    assert snapshot() == before


def test_e9_without_the_retired_code_the_file_is_stored_by_the_old_and_new_sets(
    school_2024,
):
    data = sessions_csv(
        ("08/07/2024", "J", "AM", "4001"), ("09/09/2024", "J1", "AM", "4001")
    )

    import_register(school_2024, data, "sessions.csv", layout="sims")

    assert [code for _, _, code in marks_of()] == ["J", "J1"]


def test_e11_uk_dates_are_read_day_first(school_2024):
    data = sessions_csv(
        ("03/09/2024", "N", "AM", "4001"), ("13/09/2024", "U", "PM", "4001")
    )

    import_register(school_2024, data, "sessions.csv", layout="sims")

    assert marks_of() == [
        (dt.date(2024, 9, 3), "AM", "N"),
        (dt.date(2024, 9, 13), "PM", "U"),
    ]


def test_reimporting_the_same_file_changes_nothing_and_records_no_run(school):
    data = sessions_csv(*week_of_marks("4001", MONDAY), *week_of_marks("4002", MONDAY))
    import_register(school, data, "sessions.csv", layout="sims")
    before = snapshot()

    again = import_register(school, data, "sessions.csv", layout="sims")

    assert (again.created, again.changed, again.unchanged) == (0, 0, 20)
    assert again.run is None
    assert snapshot() == before


def test_a_corrected_mark_replaces_the_value_and_keeps_the_old_one(school):
    first = import_register(
        school, sessions_csv(("08/09/2025", "N", "AM", "4001")), "monday.csv", "sims"
    )
    data = sessions_csv(
        ("08/09/2025", "I", "AM", "4001"), ("08/09/2025", "I", "PM", "4001")
    )

    second = import_register(school, data, "tuesday.csv", layout="sims")

    assert (second.created, second.changed, second.unchanged) == (1, 1, 0)
    mark = Mark.objects.get(pupil__mis_id="4001", session="AM")
    assert (mark.code, mark.import_run) == ("I", second.run)
    revision = MarkRevision.objects.get()
    assert (revision.mark, revision.code, revision.source_code) == (mark, "N", "N")
    assert revision.replaced_by_import == second.run
    assert revision.valid_until == second.run.applied_at
    assert revision.reason == "replaced by line 2 of tuesday.csv"
    assert ImportRun.objects.filter(kind="register").count() == 2
    assert first.run != second.run


def test_e6_marks_outside_the_roll_dates_are_stored_and_reported(school_2024):
    enrol(
        school_2024,
        pupil_row("4001", entry="04/09/2023"),
        pupil_row("5001", entry="06/01/2025"),
    )
    december = week_of_marks("5001", dt.date(2024, 12, 16), am="N", pm="N")
    january = week_of_marks("5001", dt.date(2025, 1, 6)) + week_of_marks(
        "5001", dt.date(2025, 1, 13)
    )
    january[0] = (january[0][0], "O", "AM", "5001")
    january[1] = (january[1][0], "O", "PM", "5001")

    result = import_register(
        school_2024, sessions_csv(*december, *january), "e6.csv", "sims"
    )

    assert Mark.objects.filter(pupil__mis_id="5001").count() == 30
    assert result.report.counts["outside roll"] == 10
    assert result.report.warning_lines() == [
        "e6.csv line 2: pupil 5001 (on roll from 06/01/2025) has 10 marks outside "
        "their roll dates (16/12/2024 to 20/12/2024): stored, but left out of "
        "every figure",
        # 4001 is on roll and has no marks in the file's span.
        "e6.csv: pupil 4001 has no mark for 30 sessions on roll: Mon 16/12/2024 AM, "
        "Mon 16/12/2024 PM, Tue 17/12/2024 AM and 27 more",
    ]
    assert result.missing == {"4001": 30}


def test_e7_a_blank_session_is_reported_as_missing_and_not_stored(school_2024):
    rows = week_of_marks("4001", dt.date(2025, 2, 10))
    rows[5] = ("12/02/2025", "", "PM", "4001")

    result = import_register(school_2024, sessions_csv(*rows), "e7.csv", "sims")

    assert Mark.objects.count() == 9
    assert result.missing == {"4001": 1}
    assert result.report.counts["blank"] == 1
    assert result.report.warning_lines() == [
        "e7.csv line 7, field Mark: no mark for pupil 4001 on Wed 12/02/2025 PM: "
        "not a mark; counted as missing",
        "e7.csv: pupil 4001 has no mark for 1 session on roll: Wed 12/02/2025 PM",
    ]


def test_a_blank_never_removes_a_stored_mark(school):
    import_register(
        school, sessions_csv(("08/09/2025", "N", "AM", "4001")), "a.csv", "sims"
    )

    result = import_register(
        school, sessions_csv(("08/09/2025", "-", "AM", "4001")), "b.csv", "sims"
    )

    assert marks_of() == [(MONDAY, "AM", "N")]
    assert result.run is None
    assert result.report.warning_counts[WarningKind.BLANK_KEPT] == 1


def test_a_blank_over_a_stored_backslash_shows_the_mark_as_typed(school):
    import_register(
        school, sessions_csv(("08/09/2025", "\\", "AM", "4001")), "a.csv", "sims"
    )

    result = import_register(
        school, sessions_csv(("08/09/2025", "-", "AM", "4001")), "b.csv", "sims"
    )

    kept = [line for line in result.report.warning_lines() if "is stored" in line]
    assert kept == [
        "b.csv line 2: pupil 4001 is blank on Mon 08/09/2025 AM but "
        "the mark '\\' is stored: it is kept"
    ]


def test_marks_on_a_closed_day_are_stored_and_reported(school):
    half_term = [("27/10/2025", "/", "AM", "4001"), ("27/10/2025", "\\", "PM", "4001")]

    result = import_register(school, sessions_csv(*half_term), "sessions.csv", "sims")

    assert Mark.objects.count() == 2
    assert result.report.warning_counts == {WarningKind.CLOSED_DAY: 1}
    assert result.missing == {}


def test_a_school_whose_calendar_cannot_be_read_cannot_import_a_register(school):
    School.objects.filter(pk=school.pk).update(calendar_text="name = 1")
    school.refresh_from_db()

    with pytest.raises(ImportRejected) as rejected:
        import_register(
            school, sessions_csv(("08/09/2025", "/", "AM", "4001")), "s.csv", "sims"
        )

    assert rejected.value.report.error_lines()[0].startswith(
        "s.csv: the school's calendar cannot be used ("
    )
    assert Mark.objects.count() == 0


def test_progress_is_told_of_every_row_twice_read_then_applied(school):
    data = sessions_csv(*week_of_marks("4001", MONDAY), *week_of_marks("4002", MONDAY))
    import_register(
        school, sessions_csv(*week_of_marks("4001", MONDAY)), "a.csv", "sims"
    )
    done: list[int] = []

    import_register(school, data, "sessions.csv", layout="sims", progress=done.append)

    # 20 read; then 10 new marks written and 10 found unchanged.
    assert done == [20, 10, 10]


def test_an_unknown_layout_is_refused(school):
    with pytest.raises(ValueError, match="unknown register layout 'arbor'"):
        import_register(school, b"", "s.csv", layout="arbor")
