"""The counting rules of the measures engine beyond the worked examples."""

import dataclasses
import datetime as dt

import polars as pl
import pytest

from attendwise.core import tally
from attendwise.core.calendar import merge_calendars
from attendwise.core.codes import (
    CODE_SETS,
    PENALTY_NOTICE_CODES,
    Category,
)
from attendwise.core.figures import WindowFigures
from attendwise.core.measures import (
    COUNT_FIELDS,
    MeasuresError,
    figures_by_window,
    figures_of,
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
WEEK = ("2024-12-02", "2024-12-06")


def only_row(marks, pupils, calendar, as_of, **settings) -> dict:
    frame = pupil_measures(marks, pupils, calendar, as_of, **settings)
    assert frame.height == 1
    return frame.row(0, named=True)


def week_register(marks=None, *, usual="/\\") -> dict:
    return register(school_calendar(WEEK), *WEEK, marks, usual=usual)


# -- the contract with the pathway engine -------------------------------------


def test_the_count_columns_are_the_fields_of_window_figures():
    fields = [f.name for f in dataclasses.fields(WindowFigures)]
    assert list(COUNT_FIELDS) == fields[2:]


def test_the_penalty_notice_codes_are_the_unauthorised_codes_of_every_code_set():
    for code_set in CODE_SETS:
        unauthorised = {
            code.code
            for code in code_set.codes.values()
            if code.category is Category.UNAUTHORISED
        }
        assert unauthorised == PENALTY_NOTICE_CODES


def test_figures_of_reads_a_window_row_as_window_figures():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register({"2024-12-03": "IM", "2024-12-04": "NU"})})
    frame = window_figures(
        marks,
        pupils_frame(1),
        week,
        windows_frame((1, "week", *WEEK)),
        as_of=D(2024, 12, 6),
    )

    figures = figures_by_window(frame)[(1, "week")]

    assert figures == WindowFigures(
        first=D(2024, 12, 2),
        last=D(2024, 12, 6),
        possible=10,
        attended=6,
        authorised=2,
        unauthorised=2,
        i_possible=10,
        i_attended=6,
        illness=1,
        medical=1,
        lates_u=1,
        n_sessions=1,
        settled_unauthorised=1,
    )


def test_figures_of_reads_each_window_of_a_pupil_measures_row():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register({"2024-12-06": "OO"})})
    row = only_row(marks, pupils_frame(1), week, D(2024, 12, 6))

    ytd, six_weeks = figures_of(row, "ytd_"), figures_of(row, "w6_")

    expected = WindowFigures(
        first=D(2024, 12, 2),
        last=D(2024, 12, 6),
        possible=10,
        attended=8,
        unauthorised=2,
        i_possible=10,
        i_attended=8,
        settled_unauthorised=2,
    )
    assert ytd == expected
    # In a one-week year the last 30 school days are that week too.
    assert six_weeks == expected


# -- which sessions count ----------------------------------------------------


def test_no_mark_after_the_day_of_evaluation_counts():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register({"2024-12-05": "GG", "2024-12-06": "GG"})})

    row = only_row(marks, pupils_frame(1), week, D(2024, 12, 4))

    assert (row["ytd_possible"], row["ytd_unauthorised"]) == (6, 0)
    assert row["missing"] == 0


def test_marks_after_the_leaving_date_are_ignored_and_reported():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register({"2024-12-05": "OO", "2024-12-06": "OO"})})
    leaver = pupil(1, leaving="2024-12-04")

    row = only_row(marks, pupils_frame(leaver), week, D(2024, 12, 6))

    assert (row["ytd_possible"], row["ytd_attended"]) == (6, 6)
    assert row["outside_roll"] == 4
    assert row["missing"] == 0


def test_a_mark_on_a_closed_day_is_ignored_and_reported():
    calendar = school_calendar(
        ("2024-10-21", "2024-11-08"), closed=[("2024-10-28", "2024-11-01")]
    )
    # Tue 29 Oct is in half term; Sat 26 Oct is a weekend.
    listed = {"2024-10-29": "OO", "2024-10-26": "/-"}
    days = register(calendar, "2024-10-21", "2024-11-08", listed)
    row = only_row(marks_frame({1: days}), pupils_frame(1), calendar, D(2024, 11, 8))

    assert (row["ytd_possible"], row["ytd_unauthorised"]) == (20, 0)
    assert row["closed_day_marks"] == 3


def test_a_hash_belongs_on_a_closed_day_and_is_reported_on_an_open_one():
    calendar = school_calendar(
        ("2024-10-21", "2024-11-08"), closed=[("2024-10-28", "2024-11-01")]
    )
    listed = {"2024-10-28": "##", "2024-11-04": "##"}
    days = register(calendar, "2024-10-21", "2024-11-08", listed)
    row = only_row(marks_frame({1: days}), pupils_frame(1), calendar, D(2024, 11, 8))

    assert row["closed_day_marks"] == 0
    assert row["hash_on_open_day"] == 2
    assert (row["ytd_possible"], row["ytd_not_counted"]) == (18, 2)


def test_a_mark_outside_the_calendar_is_reported():
    calendar = school_calendar(("2024-10-21", "2024-10-25"))
    days = register(calendar, "2024-10-21", "2024-10-25", {"2024-10-28": "OO"})
    row = only_row(marks_frame({1: days}), pupils_frame(1), calendar, D(2024, 10, 30))

    assert row["outside_calendar"] == 2
    assert row["ytd_unauthorised"] == 0


def test_blank_sessions_count_only_on_school_days_on_roll_up_to_the_day():
    calendar = school_calendar(("2024-12-02", "2024-12-13"))
    marks = marks_frame({1: {"2024-12-03": "/\\"}})
    joiner = pupil(1, entry="2024-12-03", leaving="2024-12-11")

    row = only_row(marks, pupils_frame(joiner), calendar, D(2024, 12, 10))

    # On roll Tue 3 to Tue 10 Dec: 6 school days, one of them marked.
    assert row["missing"] == 10


def test_marks_of_pupils_not_in_the_pupils_frame_are_ignored():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register(), 2: week_register(usual="OO")})

    frame = pupil_measures(marks, pupils_frame(1), week, D(2024, 12, 6))

    assert frame["pupil_id"].to_list() == [1]
    assert frame["ytd_unauthorised"].to_list() == [0]


def test_sparse_pupil_ids_count_the_same_as_dense_ones():
    week = school_calendar(WEEK)
    far = 10**12
    registers = {7: week_register({"2024-12-02": "OI"}), far: week_register(usual="LU")}
    frame = pupil_measures(
        marks_frame(registers), pupils_frame(7, far), week, D(2024, 12, 6)
    )

    assert frame["ytd_attended"].to_list() == [8, 5]
    assert frame["ytd_lates_u"].to_list() == [0, 5]


def test_marks_in_many_chunks_count_the_same_as_in_one():
    week = school_calendar(WEEK)
    one = marks_frame({1: week_register({"2024-12-03": "NO"}), 2: week_register()})
    chunked = pl.concat(
        [one.slice(i, 3) for i in range(0, one.height, 3)], rechunk=False
    )
    assert chunked.n_chunks() > 1

    as_of = D(2024, 12, 6)
    assert pupil_measures(chunked, pupils_frame(1, 2), week, as_of).equals(
        pupil_measures(one, pupils_frame(1, 2), week, as_of)
    )


def test_no_marks_at_all_leave_every_session_missing():
    week = school_calendar(WEEK)
    row = only_row(marks_frame({}), pupils_frame(1), week, D(2024, 12, 6))

    assert row["ytd_possible"] == 0
    assert row["missing"] == 10
    assert row["pa"] is None


# -- windows ---------------------------------------------------------------


def test_windows_come_back_in_the_order_given_with_empty_ones_zero():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register()})
    windows = windows_frame(
        (1, "later", "2024-12-05", "2024-12-06"),
        (2, "unknown pupil", *WEEK),
        (1, "backwards", "2024-12-06", "2024-12-02"),
        (1, "first days", "2024-12-02", "2024-12-03"),
    )

    frame = window_figures(marks, pupils_frame(1), week, windows, as_of=D(2024, 12, 6))

    assert frame["window"].to_list() == [
        "later",
        "unknown pupil",
        "backwards",
        "first days",
    ]
    assert frame["possible"].to_list() == [4, 0, 0, 4]
    assert frame["missing"].to_list() == [0, 0, 0, 0]


def test_windows_of_one_pupil_may_overlap():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register({"2024-12-04": "OO"})})
    windows = windows_frame(
        (1, "all", *WEEK),
        (1, "Wed", "2024-12-04", "2024-12-04"),
        (1, "to Wed", "2024-12-02", "2024-12-04"),
    )

    frame = window_figures(marks, pupils_frame(1), week, windows, as_of=D(2024, 12, 6))

    assert frame["unauthorised"].to_list() == [2, 2, 2]
    assert frame["possible"].to_list() == [10, 2, 6]


# -- intervention figures and young N marks ------------------------------------


def test_intervention_figures_leave_out_the_not_possible_codes():
    # E24, last line: 3 S in the first 25 school days of 2025/26.
    calendar = reference_calendar()
    days = register(
        calendar,
        calendar.first_day,
        calendar.last_day,
        {"2025-09-10": "S\\", "2025-09-24": "/S", "2025-10-01": "S\\"},
    )

    row = only_row(marks_frame({1: days}), pupils_frame(1), calendar, D(2025, 10, 7))

    assert (row["ytd_attended"], row["ytd_possible"]) == (47, 50)
    assert (row["ytd_i_attended"], row["ytd_i_possible"]) == (47, 47)


def test_an_n_is_settled_once_five_school_days_follow_it():
    # E21: the 5th school day after Thu 2 Oct 2025 is Thu 9 Oct.
    calendar = reference_calendar()
    days = register(
        calendar, calendar.first_day, calendar.last_day, {"2025-10-02": "NN"}
    )
    marks = marks_frame({1: days})

    on_8th = only_row(marks, pupils_frame(1), calendar, D(2025, 10, 8))
    on_9th = only_row(marks, pupils_frame(1), calendar, D(2025, 10, 9))

    assert (on_8th["ytd_unauthorised"], on_8th["ytd_settled_unauthorised"]) == (2, 0)
    assert (on_9th["ytd_unauthorised"], on_9th["ytd_settled_unauthorised"]) == (2, 2)
    assert on_8th["pn_count"] == 2


def test_not_possible_must_name_real_codes():
    week = school_calendar(WEEK)
    with pytest.raises(MeasuresError, match="ZZ"):
        pupil_measures(
            marks_frame({}), pupils_frame(1), week, D(2024, 12, 6), not_possible={"ZZ"}
        )


def test_a_code_unknown_to_every_code_set_is_refused():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register()}).with_columns(
        code=pl.when(pl.col("date") == D(2024, 12, 3))
        .then(pl.lit("?"))
        .otherwise("code")
    )

    with pytest.raises(
        MeasuresError, match=r"2 mark\(s\).*'\?' is not a DfE register code"
    ):
        pupil_measures(marks, pupils_frame(1), week, D(2024, 12, 6))


# -- the six-week figure --------------------------------------------------------


def test_the_six_week_figure_is_complete_from_the_thirtieth_school_day():
    calendar = reference_calendar()
    marks = marks_frame({1: register(calendar, calendar.first_day, calendar.last_day)})

    day_29 = only_row(marks, pupils_frame(1), calendar, D(2025, 10, 13))
    day_30 = only_row(marks, pupils_frame(1), calendar, D(2025, 10, 14))

    assert (day_29["w6_first"], day_29["w6_possible"], day_29["w6_complete"]) == (
        D(2025, 9, 3),
        58,
        False,
    )
    assert (day_30["w6_first"], day_30["w6_possible"], day_30["w6_complete"]) == (
        D(2025, 9, 3),
        60,
        True,
    )
    assert day_30["w6_pct"] == 100.0


def test_the_six_week_figure_needs_the_pupil_on_roll_for_all_thirty_days():
    calendar = reference_calendar()
    marks = marks_frame({1: register(calendar, calendar.first_day, calendar.last_day)})
    joiner = pupil(1, entry="2025-09-04")

    row = only_row(marks, pupils_frame(joiner), calendar, D(2025, 10, 14))

    assert (row["w6_possible"], row["w6_complete"]) == (58, False)


def test_the_six_week_figure_reaches_into_last_year_only_when_set_to():
    last_summer = school_calendar(("2025-06-02", "2025-07-18"))
    calendar = merge_calendars([last_summer, reference_calendar()])
    days = register(calendar, "2025-06-02", "2025-09-16", {"2025-07-18": "OO"})
    marks = marks_frame({1: days})

    this_year = only_row(marks, pupils_frame(1), calendar, D(2025, 9, 16))
    across = only_row(
        marks, pupils_frame(1), calendar, D(2025, 9, 16), six_week_cross_year=True
    )

    assert (
        this_year["w6_first"],
        this_year["w6_possible"],
        this_year["w6_complete"],
    ) == (
        D(2025, 9, 3),
        20,
        False,
    )
    assert (across["w6_first"], across["w6_possible"], across["w6_complete"]) == (
        D(2025, 6, 23),
        60,
        True,
    )
    assert across["w6_unauthorised"] == 2
    assert this_year["ytd_possible"] == across["ytd_possible"] == 20


def test_the_streaming_engine_counts_the_same_as_the_in_memory_one(monkeypatch):
    calendar = reference_calendar()
    days = register(
        calendar,
        calendar.first_day,
        calendar.last_day,
        {
            "2025-09-10": "S\\",
            "2025-10-02": "NN",
            "2025-10-06": "LU",
            "2025-10-11": "##",
        },
    )
    marks = marks_frame({1: days, 2: days, 3: days})
    pupils = pupils_frame(
        1, pupil(2, entry="2025-09-20"), pupil(3, leaving="2025-10-01")
    )
    in_memory = pupil_measures(marks, pupils, calendar, D(2025, 10, 14))

    monkeypatch.setattr(tally, "STREAMING_FROM", 0)
    streaming = pupil_measures(marks, pupils, calendar, D(2025, 10, 14))

    assert streaming.equals(in_memory)


def test_a_mark_with_no_code_is_refused():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register()}).with_columns(
        code=pl.when(pl.col("date") == D(2024, 12, 3)).then(None).otherwise("code")
    )

    with pytest.raises(MeasuresError, match="needs a code and a date"):
        pupil_measures(marks, pupils_frame(1), week, D(2024, 12, 6))


def test_no_pupils_give_no_rows():
    week = school_calendar(WEEK)
    marks = marks_frame({1: week_register()})

    assert pupil_measures(marks, pupils_frame(), week, D(2024, 12, 6)).is_empty()
