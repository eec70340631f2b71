"""The data commands: sources, import through a source, cron imports, exports."""

import fcntl
import io

import pytest
from python_calamine import CalamineWorkbook

from attendwise.cli import main
from attendwise.data_commands import BUSY
from attendwise.web.register.models import Mark, Source
from tests.import_factories import csv_bytes, pupil_row
from tests.web.register_factories import enrol, make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    school = make_school()
    enrol(school, pupil_row("4001", surname="=Evil()"), pupil_row("4002"))
    return school


def elm(*rows):
    return csv_bytes(["Adno", "Date", "Session", "Mark"], [list(row) for row in rows])


def save_elm():
    return main(
        [
            "source-save",
            "Elm",
            "--school",
            "oakfield",
            "--column",
            "pupil=Adno",
            "--column",
            "date=Date",
            "--column",
            "session=Session",
            "--column",
            "mark=Mark",
            "--code",
            "I01=I",
        ]
    )


def test_source_save_stores_the_mapping_and_source_list_shows_it(school, capsys):
    assert save_elm() == 0
    assert main(["source-list", "--school", "oakfield"]) == 0

    out = capsys.readouterr().out
    assert Source.objects.get().code_table == {"I01": "I"}
    assert "Saved the source 'Elm' of Oakfield Academy." in out
    assert "  code table: I01=I" in out
    assert "  arbor: " in out
    assert "[headings unverified: check your file]" in out


def test_source_save_with_codes_replaces_the_code_table(school, capsys):
    save_elm()
    capsys.readouterr()
    resave = ["source-save", "Elm", "--school", "oakfield"]

    assert main([*resave, "--code", "@=C1"]) == 0
    assert "  code table: @=C1\n" in capsys.readouterr().out
    assert main([*resave, "--encoding", "cp1252"]) == 0
    assert "  code table: @=C1\n" in capsys.readouterr().out
    assert main([*resave, "--no-codes"]) == 0
    assert "code table" not in capsys.readouterr().out
    assert Source.objects.get().code_table == {}


def test_a_source_with_a_problem_is_refused_by_the_command(school, capsys):
    status = main(
        ["source-save", "Half", "--school", "oakfield", "--column", "pupil=Adno"]
    )

    assert status == 1
    assert "say which column holds the date" in capsys.readouterr().err
    assert Source.objects.count() == 0


def test_import_source_reads_the_file_through_the_named_source(
    school, tmp_path, capsys
):
    save_elm()
    path = tmp_path / "elm.csv"
    path.write_bytes(elm(("4001", "08/09/2025", "AM", "I01")))

    assert (
        main(["import-source", str(path), "--school", "oakfield", "--source", "Elm"])
        == 0
    )

    assert list(Mark.objects.values_list("code", "source_code")) == [("I", "I01")]
    assert "elm.csv: 1 row read; 1 created" in capsys.readouterr().out


def test_import_scheduled_imports_waiting_files_and_files_the_rejected(
    school, tmp_path, capsys
):
    save_elm()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "monday.csv").write_bytes(elm(("4001", "08/09/2025", "AM", "/")))
    (inbox / "tuesday.csv").write_bytes(elm(("4001", "09/09/2025", "AM", "Q9")))
    args = ["import-scheduled", "--school", "oakfield", "--source", "Elm"]

    status = main([*args, "--inbox", str(inbox)])

    captured = capsys.readouterr()
    assert status == 1
    assert Mark.objects.count() == 1
    assert [p.name[16:] for p in (inbox / "imported").iterdir()] == ["monday.csv"]
    rejected = sorted(p.name[16:] for p in (inbox / "rejected").iterdir())
    assert rejected == ["tuesday.csv", "tuesday.csv.errors.txt"]
    assert "monday.csv: 1 row read; 1 created" in captured.out
    assert "tuesday.csv was rejected with 1 error" in captured.err
    errors = next((inbox / "rejected").glob("*.errors.txt")).read_text()
    assert "'Q9' is not in the code table of the source 'Elm'" in errors

    assert main([*args, "--inbox", str(inbox)]) == 0
    assert capsys.readouterr().out == ""


def test_import_scheduled_waits_while_another_run_holds_the_inbox(school, tmp_path):
    save_elm()
    (tmp_path / "monday.csv").write_bytes(elm(("4001", "08/09/2025", "AM", "/")))
    with open(tmp_path / ".attendwise.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        status = main(
            [
                "import-scheduled",
                "--school",
                "oakfield",
                "--source",
                "Elm",
                "--inbox",
                str(tmp_path),
            ]
        )

    assert status == BUSY
    assert Mark.objects.count() == 0
    assert (tmp_path / "monday.csv").exists()


def test_export_writes_figures_to_csv_with_names_neutralised(school, tmp_path, capsys):
    from attendwise.core.policy import shipped_policy_text

    school.policy_text = shipped_policy_text()
    school.save()
    save_elm()
    data = tmp_path / "elm.csv"
    data.write_bytes(
        elm(("4001", "08/09/2025", "AM", "/"), ("4001", "08/09/2025", "PM", "O"))
    )
    main(["import-source", str(data), "--school", "oakfield", "--source", "Elm"])
    target = tmp_path / "figures.csv"

    status = main(
        [
            "export",
            "figures",
            "--school",
            "oakfield",
            "--date",
            "08/09/2025",
            "--output",
            str(target),
        ]
    )

    assert status == 0
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == (
        "MIS id,Forename,Surname,Year,Reg group,Possible,Attended,Authorised,"
        "Unauthorised,Missing,Attendance %,PA,SA"
    )
    assert lines[1] == "4001,Pat,'=Evil(),7,7A,2,1,0,1,6,50.0,Y,Y"
    assert lines[2] == "4002,Pat,Example,7,7A,0,0,0,0,8,,N,N"


def test_export_all_writes_one_sheet_per_table(school, tmp_path):
    from attendwise.core.policy import shipped_policy_text

    school.policy_text = shipped_policy_text()
    school.save()
    target = tmp_path / "all.xlsx"

    status = main(
        [
            "export",
            "all",
            "--school",
            "oakfield",
            "--date",
            "08/09/2025",
            "--output",
            str(target),
        ]
    )

    assert status == 0
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(target.read_bytes()))
    assert workbook.sheet_names == ["Worklist", "Figures", "Case history"]


def test_export_cases_writes_the_timeline_with_typed_text_neutralised(school, tmp_path):
    from django.utils import timezone

    from attendwise.web.cases.models import Event
    from attendwise.web.register.models import Pupil

    pupil = Pupil.objects.get(mis_id="4002")
    for summary, safeguarding in (('=HYPERLINK("x")', False), ("Stage 4", True)):
        Event.objects.create(
            school=school,
            pupil=pupil,
            kind="note",
            school_day="2025-09-08",
            recorded_at=timezone.now(),
            summary=summary,
            safeguarding=safeguarding,
        )
    target = tmp_path / "cases.csv"

    status = main(
        [
            "export",
            "cases",
            "--school",
            "oakfield",
            "--date",
            "08/09/2025",
            "--pupil",
            "4002",
            "--output",
            str(target),
        ]
    )

    assert status == 0
    assert target.read_text(encoding="utf-8-sig").splitlines() == [
        "Day,MIS id,Forename,Surname,What,Who,Summary",
        '2025-09-08,4002,Pat,Example,note,daily run,"\'=HYPERLINK(""x"")"',
    ]
