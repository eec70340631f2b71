"""The worked examples E1 to E13 of the handbook (EXAMPLES.md), exactly.

E11 (reading UK dates from a CSV) belongs to the importer and is tested
there; so is the rejection of the retired H code in E9.
"""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from attendwise.core.calendar import SchoolCalendar, load_calendar
from attendwise.core.figures import percent_of
from attendwise.core.measures import (
    MeasuresError,
    group_figures,
    pupil_measures,
    window_figures,
)
from tests.factories import (
    marks_frame,
    pupil,
    pupils_frame,
    reference_calendar,
    register,
    school_calendar,
    windows_frame,
)

D = dt.date


def measures_of(marks, pupils, calendar, as_of, **settings) -> dict:
    """Return pupil_measures' row of each pupil, by pupil_id."""
    frame = pupil_measures(marks, pupils, calendar, as_of, **settings)
    return {row["pupil_id"]: row for row in frame.iter_rows(named=True)}


def display(row, prefix="ytd") -> Decimal | None:
    return percent_of(row[f"{prefix}_attended"], row[f"{prefix}_possible"])


def absent(row, prefix="ytd") -> int:
    return row[f"{prefix}_authorised"] + row[f"{prefix}_unauthorised"]


# -- Counting -------------------------------------------------------------


def test_e1_a_late_before_the_register_closes_is_present_and_after_is_absent():
    week = school_calendar(("2024-12-02", "2024-12-06"))
    marks = marks_frame(
        {
            1: register(
                week,
                "2024-12-02",
                "2024-12-06",
                {"2024-12-02": "LU", "2024-12-03": "LU"},
            )
        }
    )

    row = measures_of(marks, pupils_frame(1), week, D(2024, 12, 6))[1]

    assert row["ytd_possible"] == 10
    assert row["ytd_attended"] == 8
    assert display(row) == Decimal("80.0")
    assert row["ytd_unauthorised"] == 2
    assert row["ytd_lates_u"] == 2
    assert row["pn_count"] == 2


def test_e2_codes_that_are_not_possible_sessions_are_left_out():
    week = school_calendar(("2025-01-13", "2025-01-17"))
    marks = marks_frame(
        {
            1: {
                "2025-01-13": "/\\",
                "2025-01-14": "IN",
                "2025-01-15": "XX",
                "2025-01-16": "DD",
                "2025-01-17": "Y2 Y1",
            }
        }
    )

    row = measures_of(marks, pupils_frame(1), week, D(2025, 1, 17))[1]

    assert row["ytd_possible"] == 4
    assert row["ytd_attended"] == 2
    assert display(row) == Decimal("50.0")
    assert row["ytd_authorised"] == 1
    assert row["ytd_unauthorised"] == 1
    assert row["ytd_not_counted"] == 6


def test_e3_with_nothing_possible_attendance_is_not_available():
    week = school_calendar(("2024-12-02", "2024-12-06"))
    nursery, admitted_today, persistent = 1, 2, 3
    marks = marks_frame(
        {
            nursery: register(week, "2024-12-02", "2024-12-06", usual="XX"),
            persistent: register(
                week, "2024-12-02", "2024-12-06", {"2024-12-02": "OO"}
            ),
        }
    )
    pupils = pupils_frame(
        nursery, pupil(admitted_today, entry="2024-12-06"), persistent
    )

    measures = pupil_measures(marks, pupils, week, D(2024, 12, 6))
    rows = {row["pupil_id"]: row for row in measures.iter_rows(named=True)}

    for pupil_id in (nursery, admitted_today):
        row = rows[pupil_id]
        assert row["ytd_possible"] == 0
        assert row["ytd_pct"] is None
        assert display(row) is None
        assert row["pa"] is None
        assert row["sa"] is None
    assert rows[nursery]["ytd_not_counted"] == 10
    assert rows[admitted_today]["missing"] == 2
    school = group_figures(measures, []).row(0, named=True)
    assert school["pupils"] == 3
    assert school["pupils_counted"] == 1
    assert school["pa_pupils"] == 1
    assert school["pa_pct"] == 100.0
    just_the_two = group_figures(measures.filter(pl.col("pupil_id") != persistent), [])
    assert just_the_two.row(0, named=True)["pa_pct"] is None


def absences_on_the_reference_calendar(count: int, code: str = "OO") -> dict:
    """Return a register present all year but `code` on the first `count` days."""
    calendar = reference_calendar()
    first_days = {day: code for day in calendar.school_days[:count]}
    return register(calendar, calendar.first_day, calendar.last_day, first_days)


@pytest.mark.parametrize(
    ("absent_sessions", "shown", "persistent"),
    [(38, Decimal("90.0"), True), (37, Decimal("90.3"), False)],
)
def test_e4_the_persistent_absence_line_is_inclusive(
    absent_sessions, shown, persistent
):
    calendar = reference_calendar()
    days = {day: "OO" for day in calendar.school_days[: absent_sessions // 2]}
    if absent_sessions % 2:
        days[calendar.school_days[absent_sessions // 2]] = "O\\"
    marks = marks_frame(
        {1: register(calendar, calendar.first_day, calendar.last_day, days)}
    )

    row = measures_of(marks, pupils_frame(1), calendar, D(2026, 7, 17))[1]

    assert row["ytd_possible"] == 380
    assert absent(row) == absent_sessions
    assert display(row) == shown
    assert row["pa"] is persistent


def test_e4_twenty_possible_with_two_absent_is_persistent_absence():
    calendar = reference_calendar()
    marks = marks_frame({1: absences_on_the_reference_calendar(1)})

    row = measures_of(marks, pupils_frame(1), calendar, D(2025, 9, 16))[1]

    assert row["ytd_possible"] == 20
    assert absent(row) == 2
    assert display(row) == Decimal("90.0")
    assert row["pa"] is True


def test_e5_severe_absence_is_also_persistent_absence():
    calendar = reference_calendar()
    fiftieth_day = calendar.school_days[49]
    marks = marks_frame(
        {
            1: absences_on_the_reference_calendar(30, "II"),
            2: absences_on_the_reference_calendar(25, "II"),
        }
    )

    measures = pupil_measures(marks, pupils_frame(1, 2), calendar, fiftieth_day)
    rows = {row["pupil_id"]: row for row in measures.iter_rows(named=True)}

    assert [rows[p]["ytd_possible"] for p in (1, 2)] == [100, 100]
    assert [absent(rows[p]) for p in (1, 2)] == [60, 50]
    assert [display(rows[p]) for p in (1, 2)] == [Decimal("40.0"), Decimal("50.0")]
    assert [(rows[p]["pa"], rows[p]["sa"]) for p in (1, 2)] == [(True, True)] * 2
    assert group_figures(measures, [])["pa_pupils"].to_list() == [2]


def test_e6_marks_outside_the_roll_dates_are_ignored_and_reported():
    calendar = school_calendar(
        ("2024-09-04", "2024-12-20"), ("2025-01-06", "2025-04-04")
    )
    december = register(calendar, "2024-12-16", "2024-12-20", usual="NN")
    january = register(
        calendar, "2025-01-06", "2025-01-17", {"2025-01-08": "O\\", "2025-01-14": "/O"}
    )
    marks = marks_frame({1: december | january})

    row = measures_of(
        marks, pupils_frame(pupil(1, entry="2025-01-06")), calendar, D(2025, 1, 17)
    )[1]

    assert row["ytd_first"] == D(2025, 1, 6)
    assert row["ytd_possible"] == 20
    assert display(row) == Decimal("90.0")
    assert row["pa"] is True
    assert row["ytd_n_sessions"] == 0
    assert row["outside_roll"] == 10


def test_e7_a_blank_session_is_not_possible_and_is_reported_missing():
    week = school_calendar(("2025-02-10", "2025-02-14"))
    marks = marks_frame(
        {1: register(week, "2025-02-10", "2025-02-14", {"2025-02-12": "/-"})}
    )

    row = measures_of(marks, pupils_frame(1), week, D(2025, 2, 14))[1]

    assert row["ytd_possible"] == 9
    assert display(row) == Decimal("100.0")
    assert row["missing"] == 1


def test_e8_approved_educational_activity_is_attendance():
    week = school_calendar(("2025-03-03", "2025-03-07"))
    marks = marks_frame(
        {
            1: register(
                week,
                "2025-03-03",
                "2025-03-07",
                {"2025-03-04": "VV", "2025-03-06": "P\\", "2025-03-07": "K\\"},
            )
        }
    )

    row = measures_of(marks, pupils_frame(1), week, D(2025, 3, 7))[1]

    assert display(row) == Decimal("100.0")
    assert absent(row) == 0


def test_e9_a_code_counts_by_the_code_set_of_its_date():
    calendar = school_calendar(
        ("2024-04-15", "2024-07-19"), ("2024-09-04", "2024-12-20")
    )
    marks = marks_frame({1: {"2024-07-08": "J\\", "2024-09-09": "J1 \\"}})
    windows = windows_frame(
        (1, "8 July", "2024-07-08", "2024-07-08"),
        (1, "9 September", "2024-09-09", "2024-09-09"),
    )

    july, september = window_figures(
        marks, pupils_frame(1), calendar, windows, as_of=D(2024, 9, 9)
    ).iter_rows(named=True)

    assert percent_of(july["attended"], july["possible"]) == Decimal("100.0")
    assert percent_of(september["attended"], september["possible"]) == Decimal("50.0")
    assert september["authorised"] == 1


def test_e9_a_retired_code_after_19_august_2024_is_never_guessed():
    calendar = school_calendar(("2024-09-04", "2024-12-20"))
    marks = marks_frame({1: {"2024-09-10": "H\\"}})

    with pytest.raises(MeasuresError, match=r"'H' is retired .* 10/09/2024"):
        pupil_measures(marks, pupils_frame(1), calendar, D(2024, 9, 10))


def test_e10_group_rates_pool_sessions():
    calendar = reference_calendar()
    fiftieth_day = calendar.school_days[49]
    pupil_a = register(calendar, calendar.school_days[45], fiftieth_day)
    pupil_b = absences_on_the_reference_calendar(10)
    marks = marks_frame({1: pupil_a, 2: pupil_b})
    pupils = pupils_frame(pupil(1, entry=calendar.school_days[45]), 2)

    measures = pupil_measures(marks, pupils, calendar, fiftieth_day)
    group = group_figures(measures, []).row(0, named=True)

    assert measures["ytd_possible"].to_list() == [10, 100]
    assert measures["ytd_attended"].to_list() == [10, 80]
    assert percent_of(group["attended"], group["possible"]) == Decimal("81.8")
    assert percent_of(group["absent"], group["possible"]) == Decimal("18.2")
    assert (group["pa_pupils"], group["pupils_counted"]) == (1, 2)
    assert group["pa_pct"] == 50.0


# -- The national penalty-notice threshold ----------------------------------

AUTUMN_2024 = """
name = "Autumn 2024 (E12)"

[[term]]
name = "Autumn"
first_day = 2024-09-04
last_day = 2024-12-20

[[closed]]
first_day = 2024-10-28
last_day = 2024-11-01
kind = "holiday"
reason = "Half term"
"""


def autumn_2024() -> SchoolCalendar:
    return load_calendar(AUTUMN_2024, "E12")


def penalty_register(december: str) -> pl.DataFrame:
    """Return the E12 register, with `december` the code of the December marks."""
    calendar = autumn_2024()
    listed = {
        "2024-10-07": "GG",
        "2024-10-08": "GG",
        "2024-10-21": "U\\",
        "2024-10-23": "U\\",
        "2024-11-07": "/O",
        "2024-12-16": december * 2,
        "2024-12-17": december + "\\",
        # Illness never counts towards the threshold.
        "2024-09-12": "II",
        "2024-10-09": "II",
        "2024-11-20": "I\\",
        "2024-12-18": "II",
    }
    return marks_frame({1: register(calendar, "2024-09-04", "2024-12-20", listed)})


def first_day_met(marks: pl.DataFrame) -> tuple[dt.date, dict]:
    calendar = autumn_2024()
    for day in calendar.school_days:
        row = measures_of(marks, pupils_frame(1), calendar, day)[1]
        if row["pn_met"]:
            return day, row
    raise AssertionError("the threshold is never met")


@pytest.mark.parametrize("december", ["U", "N"], ids=["e12", "e13-with-N"])
def test_e12_e13_the_threshold_is_first_met_on_17_december(december):
    marks = penalty_register(december)

    day, row = first_day_met(marks)

    assert day == D(2024, 12, 17)
    assert row["pn_count"] == 10
    assert row["pn_window_first"] == D(2024, 10, 7)
    assert not row["pn_incomplete"]


@pytest.mark.parametrize("december", ["U", "N"], ids=["e12", "e13-with-N"])
def test_e12_e13_on_16_december_the_count_is_nine(december):
    row = measures_of(
        penalty_register(december), pupils_frame(1), autumn_2024(), D(2024, 12, 16)
    )[1]

    assert row["pn_count"] == 9
    assert row["pn_met"] is False


def test_e12_the_half_term_week_is_not_a_school_week():
    row = measures_of(
        penalty_register("U"), pupils_frame(1), autumn_2024(), D(2024, 12, 17)
    )[1]

    # Ten school weeks back from 16 Dec skip 28 Oct: the window opens 7 Oct,
    # not 14 Oct as ten calendar weeks would.
    assert row["pn_window_first"] == D(2024, 10, 7)


def test_e12_a_window_reaching_before_the_calendar_is_incomplete():
    row = measures_of(
        penalty_register("U"), pupils_frame(1), autumn_2024(), D(2024, 10, 8)
    )[1]

    assert row["pn_window_first"] == D(2024, 9, 2)
    assert row["pn_incomplete"] is True
    assert row["pn_count"] == 4
