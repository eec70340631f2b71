"""Properties of the measures engine on random registers (Hypothesis).

The registers straddle 19 August 2024, so both code sets are in play, and
hold marks on closed days, outside the calendar and outside roll dates.
"""

import datetime as dt
from collections.abc import Mapping

import polars as pl
from benchmarks.reference import reference_pupil_measures, reference_window_figures
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from attendwise.core.codes import Category, code_set_for
from attendwise.core.measures import (
    COUNT_FIELDS,
    group_figures,
    pupil_measures,
    window_figures,
)
from tests.factories import school_calendar

D = dt.date
CALENDAR = school_calendar(
    ("2024-07-01", "2024-07-19"),
    ("2024-09-04", "2024-10-25"),
    closed=[("2024-10-14", "2024-10-18")],
)
FIRST, LAST = D(2024, 6, 28), D(2024, 10, 28)
PUPILS = (1, 2, 3)
SESSIONS = ("AM", "PM")
SCHEMA = {"pupil_id": pl.Int64, "date": pl.Date, "session": pl.Utf8, "code": pl.Utf8}

Key = tuple[int, dt.date, str]
Register = dict[Key, str]

days = st.dates(FIRST, LAST)
examples = settings(max_examples=40, deadline=None)


@st.composite
def codes_on(draw: st.DrawFn, day: dt.date, category: Category | None = None) -> str:
    """Draw a code valid on `day`, of `category` if given."""
    codes = sorted(
        code.code
        for code in code_set_for(day).codes.values()
        if category is None or code.category is category
    )
    return draw(st.sampled_from(codes))


@st.composite
def registers(draw: st.DrawFn) -> Register:
    """Draw marks: some pupils present throughout, then random marks."""
    marks: Register = {}
    for pupil_id in draw(st.sets(st.sampled_from(PUPILS))):
        for day in CALENDAR.school_days:
            marks[(pupil_id, day, "AM")] = "/"
            marks[(pupil_id, day, "PM")] = "\\"
    for _ in range(draw(st.integers(0, 40))):
        key = (
            draw(st.sampled_from(PUPILS)),
            draw(days),
            draw(st.sampled_from(SESSIONS)),
        )
        marks[key] = draw(codes_on(key[1]))
    blanks = draw(st.lists(st.sampled_from(sorted(marks)), max_size=5)) if marks else []
    for key in blanks:
        marks.pop(key, None)
    return marks


@st.composite
def rolls(draw: st.DrawFn) -> dict[int, tuple[dt.date, dt.date | None]]:
    found = {}
    for pupil_id in PUPILS:
        entry = draw(st.one_of(st.just(D(2022, 9, 1)), days))
        leaving = draw(st.one_of(st.none(), st.dates(entry, D(2024, 12, 31))))
        found[pupil_id] = (entry, leaving)
    return found


as_of_days = st.dates(D(2024, 7, 1), LAST)


def marks_of(register: Register) -> pl.DataFrame:
    rows = [(p, day, session, code) for (p, day, session), code in register.items()]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def pupils_of(roll: Mapping[int, tuple[dt.date, dt.date | None]]) -> pl.DataFrame:
    rows = [(p, entry, leaving) for p, (entry, leaving) in roll.items()]
    schema = {"pupil_id": pl.Int64, "entry_date": pl.Date, "leaving_date": pl.Date}
    return pl.DataFrame(rows, schema=schema, orient="row")


def measures(register: Register, roll, as_of: dt.date) -> pl.DataFrame:
    return pupil_measures(marks_of(register), pupils_of(roll), CALENDAR, as_of)


def marks_tuples(register: Register) -> list[tuple[int, dt.date, str, str]]:
    return [(p, day, session, code) for (p, day, session), code in register.items()]


@examples
@given(registers(), rolls(), as_of_days)
def test_the_engine_agrees_with_the_plain_python_reference(register, roll, as_of):
    expected = reference_pupil_measures(marks_tuples(register), roll, CALENDAR, as_of)

    found = measures(register, roll, as_of)

    assert {row["pupil_id"]: row for row in found.iter_rows(named=True)} == expected


@examples
@given(registers(), rolls(), as_of_days, st.data())
def test_window_figures_agree_with_the_plain_python_reference(
    register, roll, as_of, data
):
    windows = [
        (pupil_id, f"w{number}", data.draw(days), data.draw(days))
        for number, pupil_id in enumerate(data.draw(st.lists(st.sampled_from(PUPILS))))
    ]
    expected = reference_window_figures(
        marks_tuples(register), roll, CALENDAR, windows, as_of=as_of
    )
    frame = pl.DataFrame(
        windows,
        schema={
            "pupil_id": pl.Int64,
            "window": pl.Utf8,
            "first": pl.Date,
            "last": pl.Date,
        },
        orient="row",
    )

    found = window_figures(
        marks_of(register), pupils_of(roll), CALENDAR, frame, as_of=as_of
    )

    assert found.to_dicts() == expected


@examples
@given(registers(), rolls(), as_of_days, st.data())
def test_adding_a_not_counted_mark_never_changes_a_percentage(
    register, roll, as_of, data
):
    key = (
        data.draw(st.sampled_from(PUPILS)),
        data.draw(days),
        data.draw(st.sampled_from(SESSIONS)),
    )
    assume(key not in register)
    code = data.draw(codes_on(key[1], Category.NOT_COUNTED))
    shown = ["ytd_pct", "w6_pct", "pa", "sa", "ytd_possible", "w6_possible"]

    before = measures(register, roll, as_of).select(shown)
    after = measures(register | {key: code}, roll, as_of).select(shown)

    assert after.equals(before)


@examples
@given(registers(), rolls(), as_of_days)
def test_attendance_is_a_percentage_or_not_available(register, roll, as_of):
    for row in measures(register, roll, as_of).iter_rows(named=True):
        for prefix in ("ytd", "w6"):
            pct = row[f"{prefix}_pct"]
            if row[f"{prefix}_possible"] == 0:
                assert pct is None
            else:
                assert 0 <= pct <= 100


@examples
@given(registers(), registers(), rolls(), as_of_days)
def test_no_session_after_the_day_of_evaluation_ever_counts(
    register, later, roll, as_of
):
    changed = {key: code for key, code in register.items() if key[1] <= as_of}
    changed |= {key: code for key, code in later.items() if key[1] > as_of}

    assert measures(changed, roll, as_of).equals(measures(register, roll, as_of))


@examples
@given(
    registers(),
    rolls(),
    as_of_days,
    st.lists(st.sampled_from("ABC"), min_size=3, max_size=3),
)
def test_pooled_group_figures_equal_the_sum_of_their_parts(
    register, roll, as_of, groups
):
    frame = measures(register, roll, as_of).with_columns(group=pl.Series(groups))

    by_group = group_figures(frame, ["group"])
    school = group_figures(frame, []).row(0, named=True)

    for column in (
        "pupils",
        "pupils_counted",
        "possible",
        "attended",
        "absent",
        "pa_pupils",
    ):
        assert by_group[column].sum() == school[column]
    for row in by_group.iter_rows(named=True):
        members = frame.filter(pl.col("group") == row["group"])
        possible = members["ytd_possible"].sum()
        attended = members["ytd_attended"].sum()
        expected = attended * 100 / possible if possible else None
        assert row["attendance_pct"] == expected


@examples
@given(
    registers(), rolls(), as_of_days, st.lists(days, min_size=3, max_size=3).map(sorted)
)
def test_counts_over_two_adjoining_windows_add_up(register, roll, as_of, cuts):
    first, middle, last = cuts
    after_middle = middle + dt.timedelta(days=1)
    windows = pl.DataFrame(
        [
            (pupil_id, name, start, stop)
            for pupil_id in PUPILS
            for name, start, stop in (
                ("a-b", first, middle),
                ("b+1-c", after_middle, last),
                ("a-c", first, last),
            )
        ],
        schema={
            "pupil_id": pl.Int64,
            "window": pl.Utf8,
            "first": pl.Date,
            "last": pl.Date,
        },
        orient="row",
    )

    found = window_figures(
        marks_of(register), pupils_of(roll), CALENDAR, windows, as_of=as_of
    )

    for pupil_id in PUPILS:
        rows = {
            row["window"]: row
            for row in found.filter(pl.col("pupil_id") == pupil_id).iter_rows(
                named=True
            )
        }
        for field in COUNT_FIELDS:
            assert rows["a-b"][field] + rows["b+1-c"][field] == rows["a-c"][field]
