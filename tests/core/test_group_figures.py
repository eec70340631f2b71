"""Group figures pool sessions (CODES.md, Measures; EXAMPLES.md E3, E5, E10)."""

import datetime as dt
from decimal import Decimal

import polars as pl

from attendwise.core.figures import percent_of
from attendwise.core.measures import group_figures, pupil_measures
from tests.factories import marks_frame, pupil, pupils_frame, register, school_calendar

TWO_WEEKS = school_calendar(("2024-12-02", "2024-12-13"))
AS_OF = dt.date(2024, 12, 13)


def two_weeks(marks=None, *, usual="/\\") -> dict:
    return register(TWO_WEEKS, "2024-12-02", "2024-12-13", marks, usual=usual)


def school_measures() -> pl.DataFrame:
    """Return five pupils' measures over two weeks, in year groups 7 and 8."""
    marks = marks_frame(
        {
            1: two_weeks(),
            2: two_weeks({"2024-12-02": "OO", "2024-12-03": "II"}),
            3: two_weeks(usual="XX"),
            4: two_weeks({"2024-12-09": "GG"}),
            5: two_weeks({"2024-12-12": "GG", "2024-12-13": "GG"}),
        }
    )
    pupils = pupils_frame(1, 2, 3, 4, pupil(5, entry="2024-12-12"))
    year_groups = pl.DataFrame({"pupil_id": [1, 2, 3, 4, 5], "year": [7, 7, 7, 8, 8]})
    return pupil_measures(marks, pupils, TWO_WEEKS, AS_OF).join(
        year_groups, on="pupil_id"
    )


def test_each_group_pools_its_pupils_sessions():
    year_7, year_8 = group_figures(school_measures(), ["year"]).iter_rows(named=True)

    assert (year_7["year"], year_7["pupils"], year_7["pupils_counted"]) == (7, 3, 2)
    assert (year_7["possible"], year_7["attended"], year_7["absent"]) == (40, 36, 4)
    assert (year_7["authorised"], year_7["unauthorised"]) == (2, 2)
    assert (year_8["possible"], year_8["attended"], year_8["absent"]) == (24, 18, 6)
    # Pupil 5 has 4 possible, all absent: pooled, not averaged with pupil 4.
    assert percent_of(year_8["attended"], year_8["possible"]) == Decimal("75.0")
    assert year_8["attendance_pct"] == 75.0
    assert year_8["absence_pct"] == 25.0


def test_the_persistent_absence_rate_counts_only_pupils_with_possible_sessions():
    year_7, year_8 = group_figures(school_measures(), ["year"]).iter_rows(named=True)

    assert (year_7["pa_pupils"], year_7["pupils_counted"], year_7["pa_pct"]) == (
        1,
        2,
        50.0,
    )
    assert (year_8["pa_pupils"], year_8["sa_pupils"], year_8["sa_pct"]) == (2, 1, 50.0)


def test_a_group_with_nothing_possible_has_no_rates():
    measures = school_measures().filter(pl.col("pupil_id") == 3)

    row = group_figures(measures, ["year"]).row(0, named=True)

    assert (row["pupils"], row["pupils_counted"], row["possible"]) == (1, 0, 0)
    assert row["attendance_pct"] is None
    assert row["pa_pct"] is None


def test_the_whole_school_is_one_group_when_no_column_is_given():
    school = group_figures(school_measures(), []).row(0, named=True)

    assert (school["pupils"], school["possible"], school["attended"]) == (5, 64, 54)
    assert school["pa_pupils"] == 3


def test_the_six_week_figures_can_be_pooled_too():
    school = group_figures(school_measures(), [], prefix="w6").row(0, named=True)

    assert (school["possible"], school["attended"]) == (64, 54)
