"""The attendwise command as staff use it: refusals and safe output."""

import csv
import datetime as dt
import io
import json

import pytest

from attendwise.cli import main
from attendwise.web.register.models import School
from tests.factories import (
    both,
    full_register,
    make_pupil,
    make_school,
    reference_calendar,
    store_marks,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["../../escaped", "Bad Slug", "a" * 51, "x/y"])
def test_a_school_short_name_cannot_be_a_path(slug, capsys, tmp_path):
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(
        "name='c'\n[[term]]\nname='A'\nfirst_day=2025-09-01\nlast_day=2025-12-19\n",
        encoding="utf-8",
    )
    assert (
        main(["create-school", slug, "--name", "X", "--calendar", str(calendar)]) == 1
    )
    assert "cannot be a school's short name" in capsys.readouterr().err
    assert not School.objects.exists()


def test_csv_output_neutralises_text_a_spreadsheet_would_run(capsys):
    school = make_school(slug="oak")
    make_pupil(school, legal_surname='=HYPERLINK("http://x")', legal_forename="@SUM(1)")

    assert (
        main(
            ["measures", "--school", "oak", "--as-of", "2025-09-03", "--format", "csv"]
        )
        == 0
    )

    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out
    assert "'@SUM(1)" in out


def test_the_daily_run_goes_forward_only(capsys):
    make_pupil(make_school(slug="oak"))
    assert main(["run", "--school", "oak", "--date", "2025-09-04", "--quiet"]) == 0
    capsys.readouterr()

    assert main(["run", "--school", "oak", "--date", "2025-09-03", "--quiet"]) == 1
    assert "runs go forward" in capsys.readouterr().err


def test_the_demo_never_removes_a_database_holding_another_school(capsys):
    make_school(slug="oak")

    assert main(["demo", "--fresh"]) == 1

    assert "would delete them" in capsys.readouterr().err
    assert School.objects.filter(slug="oak").exists()


def test_the_daily_run_counts_one_pupil_and_one_item_in_the_singular(capsys):
    school = make_school(slug="oak")
    make_pupil(school)
    School.objects.filter(pk=school.pk).update(name="Oak")

    assert main(["run", "--school", "oak", "--date", "2025-09-03", "--quiet"]) == 0

    assert capsys.readouterr().out == (
        "Daily run for Oak, Wed 03 Sep 2025: 1 pupil; no stage indicated.\n"
        "1 new item, 0 withdrawn, 0 first-day calls not recorded.\n\n"
    )


def test_measures_as_text_sums_up_the_school(capsys):
    school = make_school(slug="oak")
    make_pupil(school)
    School.objects.filter(pk=school.pk).update(name="Oak")

    assert main(["measures", "--school", "oak", "--as-of", "2025-09-03"]) == 0

    assert capsys.readouterr().out == (
        "Oak, as of Wed 03 Sep 2025: 1 pupil; attendance not available (0 of 0 "
        "sessions); persistent absence not available (no pupil has possible "
        "sessions).\n"
        "Use --format csv or json for each pupil's figures.\n"
    )


def _thirty_days_with_absences(school):  # type: ignore[no-untyped-def]
    """Return a pupil with 30 school days from Wed 3 Sep to Tue 14 Oct 2025:
    three days absent without a reason (O O), one not required (X X)."""
    pupil = make_pupil(school, mis_id="4001")
    absences = (
        both(dt.date(2025, 9, 8), "O")
        | both(dt.date(2025, 9, 15), "O")
        | both(dt.date(2025, 9, 22), "O")
        | both(dt.date(2025, 10, 1), "X")
    )
    store_marks(
        pupil,
        full_register(
            reference_calendar(),
            first=dt.date(2025, 9, 3),
            last=dt.date(2025, 10, 14),
            absences=absences,
        ),
    )
    return pupil


def test_measures_as_json_gives_numbers_counts_and_the_indicated_stage(capsys):
    _thirty_days_with_absences(make_school(slug="oak"))
    args = ["measures", "--school", "oak", "--as-of", "2025-10-14", "--format"]

    assert main([*args, "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)

    assert {k: row[k] for k in row if k.startswith(("ytd_", "w6_"))} == {
        "ytd_possible": 58,
        "ytd_attended": 52,
        "ytd_authorised": 0,
        "ytd_unauthorised": 6,
        "ytd_not_counted": 2,
        "ytd_percent": 89.7,
        "w6_complete": True,
        "w6_possible": 58,
        "w6_attended": 52,
        "w6_authorised": 0,
        "w6_unauthorised": 6,
        "w6_percent": 89.7,
        "ytd_lates_u": 0,
        "ytd_n_sessions": 0,
    }
    assert (row["pa"], row["sa"], row["indicated_stage"]) == (True, False, 2)

    assert main([*args, "csv"]) == 0
    [line] = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (line["ytd_percent"], line["w6_percent"], line["indicated_stage"]) == (
        "89.7",
        "89.7",
        "2",
    )


def test_a_figure_not_available_is_null_in_json_never_zero(capsys):
    make_pupil(make_school(slug="oak"))

    assert (
        main(
            ["measures", "--school", "oak", "--as-of", "2025-09-03", "--format", "json"]
        )
        == 0
    )

    [row] = json.loads(capsys.readouterr().out)
    assert (row["ytd_possible"], row["ytd_percent"], row["w6_percent"]) == (
        0,
        None,
        None,
    )
    assert row["indicated_stage"] == 0


def test_every_measures_column_is_documented_in_docs_codes():
    from pathlib import Path

    from attendwise.commands import MEASURE_COLUMNS

    text = (Path(__file__).resolve().parents[2] / "docs" / "codes.md").read_text(
        encoding="utf-8"
    )

    assert [name for name in MEASURE_COLUMNS if f"| `{name}` |" not in text] == []
