"""The import commands: counts on success, every error on stderr otherwise."""

import pytest

from attendwise.cli import main
from attendwise.core.policy import shipped_policy_text
from attendwise.web.register.models import Mark, Pupil, School
from tests.import_factories import pupil_row, pupils_csv, sessions_csv
from tests.web.register_factories import REFERENCE_CALENDAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def oakfield(tmp_path):
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(REFERENCE_CALENDAR, encoding="utf-8")
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes(pupils_csv(pupil_row("4001"), pupil_row("4002")))
    assert (
        main(
            [
                "create-school",
                "oakfield",
                "--name",
                "Oakfield Academy",
                "--calendar",
                str(calendar),
            ]
        )
        == 0
    )
    assert main(["import-pupils", str(pupils), "--school", "oakfield"]) == 0
    return tmp_path


def test_create_school_stores_the_calendar_and_the_shipped_policy(capsys, oakfield):
    school = School.objects.get(slug="oakfield")

    assert (school.name, school.calendar_text, school.policy_text) == (
        "Oakfield Academy",
        REFERENCE_CALENDAR,
        shipped_policy_text(),
    )
    assert Pupil.objects.filter(school=school).count() == 2
    assert capsys.readouterr().out == (
        "Created Oakfield Academy (oakfield).\n"
        "pupils.csv: 2 rows read; 2 created, 0 changed, 0 unchanged.\n"
    )


def test_create_school_refuses_a_calendar_it_cannot_read(tmp_path, capsys):
    calendar = tmp_path / "calendar.toml"
    calendar.write_text('name = "No terms"\n', encoding="utf-8")

    code = main(["create-school", "elm", "--name", "Elm", "--calendar", str(calendar)])

    assert code == 1
    assert capsys.readouterr().err == (
        "attendwise create-school: the calendar of elm: at least one [[term]] is "
        "required\n"
    )
    assert not School.objects.filter(slug="elm").exists()


def test_import_register_prints_its_counts_and_warnings(oakfield, capsys):
    register = oakfield / "sessions.csv"
    register.write_bytes(
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"),
            ("08/09/2025", "\\", "PM", "4001"),
            ("08/09/2025", "/", "AM", "4002"),
            ("08/09/2025", "-", "PM", "4002"),
        )
    )
    capsys.readouterr()

    code = main(
        ["import-register", str(register), "--school", "oakfield", "--layout", "sims"]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "sessions.csv: 4 rows read; 3 created, 0 changed, 0 unchanged; 2 warnings.\n"
        "  sessions.csv line 5, field Mark: no mark for pupil 4002 on Mon 08/09/2025 "
        "PM: not a mark; counted as missing\n"
        "  sessions.csv: pupil 4002 has no mark for 1 session on roll: Mon "
        "08/09/2025 PM\n"
    )
    assert Mark.objects.count() == 3


def test_a_rejected_register_prints_every_error_to_stderr_and_exits_1(oakfield, capsys):
    register = oakfield / "sessions.csv"
    register.write_bytes(
        sessions_csv(
            ("08/09/2025", "/", "AM", "4001"),
            ("10/09/2024", "H", "AM", "4001"),
            ("08/09/2025", "/", "AM", "9999"),
            ("8 Sept 2025", "/", "PM", "4001"),
        )
    )
    capsys.readouterr()

    code = main(
        ["import-register", str(register), "--school", "oakfield", "--layout", "sims"]
    )

    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sessions.csv was rejected with 3 errors; nothing from it was imported.\n"
        "sessions.csv line 3, field Mark: 'H' is retired on 19 August 2024, so it "
        "is invalid on 10/09/2024\n"
        "sessions.csv line 5, field Date: '8 Sept 2025' is not a date in the form "
        "DD/MM/YYYY\n"
        "sessions.csv line 4, field Student ID: pupil '9999' is not on the roll of "
        "Oakfield Academy (1 row); import the pupils file first\n"
    )
    assert Mark.objects.count() == 0


def test_import_pupils_checks_dates_of_birth_against_the_day_given(oakfield, capsys):
    pupils = oakfield / "pupils.csv"
    pupils.write_bytes(pupils_csv(pupil_row("4001", born="03/09/2025", year="")))
    capsys.readouterr()

    early = main(
        ["import-pupils", str(pupils), "--school", "oakfield", "--on", "2025-09-02"]
    )
    later = main(
        ["import-pupils", str(pupils), "--school", "oakfield", "--on", "2027-09-02"]
    )

    assert (early, later) == (1, 0)
    assert capsys.readouterr().err == (
        "pupils.csv was rejected with 1 error; nothing from it was imported.\n"
        "pupils.csv line 2, field Date of Birth: the Date of Birth is in the "
        "future (after 02/09/2025, the day of this import): correct it in the "
        "MIS\n"
    )


def test_import_pupils_lists_the_pupils_it_leaves_out_when_asked(oakfield, capsys):
    pupils = oakfield / "pupils.csv"
    pupils.write_bytes(pupils_csv(pupil_row("4002")))
    capsys.readouterr()

    code = main(
        ["import-pupils", str(pupils), "--school", "oakfield", "--list-not-in-file"]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "pupils.csv: 1 row read; 0 created, 0 changed, 1 unchanged; 1 warning.\n"
        "  pupils.csv: 1 pupil on the roll is not in this file: kept as they were "
        "(only a leaving date takes a pupil off roll); Student ID 4001\n"
        "    4001\n"
    )


def test_an_unknown_school_is_an_error(tmp_path, capsys):
    register = tmp_path / "sessions.csv"
    register.write_bytes(sessions_csv(("08/09/2025", "/", "AM", "4001")))

    code = main(
        ["import-register", str(register), "--school", "nowhere", "--layout", "sims"]
    )

    assert code == 1
    assert capsys.readouterr().err == (
        "attendwise import-register: no school 'nowhere'; "
        "create one with 'attendwise create-school'\n"
    )
