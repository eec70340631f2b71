"""The compact register text of tests/factories.py reads as intended."""

import datetime as dt

import pytest

from tests.factories import marks_frame, sessions


@pytest.mark.parametrize(
    ("text", "am", "pm"),
    [
        ("LU", "L", "U"),
        ("/\\", "/", "\\"),
        ("J1 \\", "J1", "\\"),
        ("Y2 Y1", "Y2", "Y1"),
    ],
)
def test_two_sessions_read_as_morning_then_afternoon(text, am, pm):
    assert sessions(text) == (am, pm)


def test_a_dash_is_a_blank_session_with_no_mark():
    marks = marks_frame({1: {"2025-02-12": "/-"}})

    assert marks.rows() == [(1, dt.date(2025, 2, 12), "AM", "/")]


@pytest.mark.parametrize("text", ["J1\\", "L", "LUO", "Q?"])
def test_text_that_is_not_two_codes_is_refused(text):
    with pytest.raises(ValueError, match="not"):
        sessions(text)


def test_a_register_naming_a_date_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        marks_frame({1: {"2025-02-12": "//", dt.date(2025, 2, 12): "OO"}})
