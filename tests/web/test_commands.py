"""The attendwise command as staff use it: refusals and safe output."""

import pytest

from attendwise.cli import main
from attendwise.web.register.models import School
from tests.factories import make_pupil, make_school

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
        "sessions); persistent absence not available of pupils.\n"
        "Use --format csv or json for each pupil's figures.\n"
    )
