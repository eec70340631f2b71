"""The data quality report, as data and as the `quality` command prints it."""

import datetime as dt
import json

import pytest

from attendwise.cli import main
from attendwise.core.pupilday import MarkOnDay
from attendwise.web.register.quality import KINDS, quality_report
from tests.factories import (
    full_register,
    make_contact,
    make_pupil,
    make_school,
    reference_calendar,
    store_marks,
)

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = D(2025, 9, 19)
NOT_TAKEN = (D(2025, 9, 16), "PM")


def register(first, *, absences=None, leave_out=(), extra=()):
    """Present from `first` to AS_OF less NOT_TAKEN and `leave_out`, plus `extra`."""
    marks = full_register(
        reference_calendar(), first=first, last=AS_OF, absences=absences or {}
    )
    gone = {NOT_TAKEN, *leave_out}
    kept = [mark for mark in marks if (mark.date, mark.session) not in gone]
    return [*kept, *extra]


@pytest.fixture
def school():
    """Two pupils with one of each problem between them, as of Fri 19/09/2025."""
    school = make_school()
    ada = make_pupil(school, "1001", upn="A886412318001", legal_forename="Ada")
    make_contact(ada)
    store_marks(
        ada,
        register(
            D(2025, 9, 3),
            absences={(D(2025, 9, 8), "AM"): "N", (D(2025, 9, 17), "PM"): "N"},
            extra=[MarkOnDay(D(2025, 9, 13), "AM", "/")],
        ),
    )
    ben = make_pupil(
        school,
        "1002",
        upn="B886412318001",
        legal_forename="Ben",
        entry_date=D(2025, 9, 10),
    )
    make_contact(ben, parental_responsibility=False, relationship="Stepfather")
    store_marks(
        ben,
        register(
            D(2025, 9, 10),
            leave_out=[(D(2025, 9, 12), "PM")],
            extra=[MarkOnDay(D(2025, 9, 5), "AM", "O")],
        ),
    )
    return school


def test_each_kind_of_problem_is_found_once_with_its_dates(school):
    report = quality_report(school, AS_OF)

    assert [
        (issue.kind, issue.pupil, issue.first, issue.count, issue.detail)
        for issue in report.issues
    ] == [
        (
            "register not taken",
            "",
            D(2025, 9, 16),
            1,
            "no mark for any pupil on Tue 16/09/2025 PM",
        ),
        (
            "missing marks",
            "1002",
            D(2025, 9, 12),
            1,
            "1 session(s) on roll with no mark: 12/09/2025",
        ),
        (
            "unresolved N",
            "1001",
            D(2025, 9, 8),
            1,
            "1 N not replaced within 5 school days: 08/09/2025",
        ),
        (
            "mark on a closed day",
            "1001",
            D(2025, 9, 13),
            1,
            "1 mark(s) on days the calendar says are closed: 13/09/2025",
        ),
        (
            "mark outside roll dates",
            "1002",
            D(2025, 9, 5),
            1,
            "1 mark(s) outside the roll dates: 05/09/2025",
        ),
        (
            "no contact with parental responsibility",
            "1002",
            None,
            1,
            "no contact with parental responsibility: letters cannot be sent",
        ),
        (
            "invalid UPN",
            "1002",
            None,
            1,
            "the check letter should be A, not B",
        ),
    ]
    assert report.counts == dict.fromkeys(KINDS, 1)
    assert report.period_first == D(2025, 9, 3)


def test_a_clean_register_has_no_issues():
    school = make_school()
    pupil = make_pupil(school, "1001", upn="A886412318001")
    make_contact(pupil)
    store_marks(
        pupil, full_register(reference_calendar(), first=D(2025, 9, 3), last=AS_OF)
    )

    assert quality_report(school, AS_OF).issues == ()


def test_a_upn_two_pupils_hold_is_reported_for_each_pupil_on_roll():
    # Stored before the pupils import refused a second holder of a UPN.
    school = make_school()
    for mis_id in ("1001", "1002"):
        make_contact(make_pupil(school, mis_id, upn="A886412318001"))

    report = quality_report(school, AS_OF)

    assert [
        (issue.pupil, issue.detail)
        for issue in report.issues
        if issue.kind == "invalid UPN"
    ] == [
        (
            "1001",
            "the UPN is also held by 1002: a UPN belongs to one child; put it "
            "right in the MIS and import the pupils file",
        ),
        (
            "1002",
            "the UPN is also held by 1001: a UPN belongs to one child; put it "
            "right in the MIS and import the pupils file",
        ),
    ]


def test_the_quality_command_prints_the_report_as_text_and_json(school, capsys):
    assert main(["quality", "--school", "forest-view", "--as-of", "19/09/2025"]) == 0
    text = capsys.readouterr().out

    assert (
        main(
            [
                "quality",
                "--school",
                "forest-view",
                "--date",
                "2025-09-19",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)

    assert "7 issues" in text.splitlines()[0]
    assert "unresolved N (1)" in text
    assert "  1001 Ada Example: 1 N not replaced within 5 school days" in text
    assert [row["kind"] for row in rows] == list(KINDS)
    assert rows[2]["first"] == "2025-09-08"
