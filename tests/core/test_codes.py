import datetime as dt

import pytest

from attendwise.core.codes import (
    CODES_2006,
    CODES_2024,
    Category,
    CodeError,
    classify,
    code_set_for,
)

BEFORE = dt.date(2024, 7, 8)
AFTER = dt.date(2024, 9, 9)


def test_the_2024_set_takes_effect_on_19_august_2024():
    assert code_set_for(dt.date(2024, 8, 18)) is CODES_2006
    assert code_set_for(dt.date(2024, 8, 19)) is CODES_2024


def test_j_was_approved_activity_and_j1_is_authorised_absence():
    assert classify("J", BEFORE).category is Category.AEA
    assert classify("J1", AFTER).category is Category.AUTHORISED


def test_a_retired_code_after_august_2024_names_the_code_and_the_date():
    with pytest.raises(
        CodeError, match=r"'H' is retired on 19 August 2024.*10/09/2024"
    ):
        classify("H", dt.date(2024, 9, 10))


def test_a_new_code_before_august_2024_is_invalid():
    with pytest.raises(CodeError, match=r"'K' is not in use before 19 August 2024"):
        classify("K", BEFORE)


def test_an_unknown_code_is_an_error():
    with pytest.raises(CodeError, match=r"'Q1' is not a DfE register code"):
        classify("Q1", AFTER)


def test_registers_before_september_2022_are_refused_with_the_reason():
    with pytest.raises(CodeError, match="X code was counted differently"):
        classify("/", dt.date(2022, 7, 1))


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("/", Category.PRESENT),
        ("\\", Category.PRESENT),
        ("L", Category.PRESENT),
        ("K", Category.AEA),
        ("B", Category.AEA),
        ("C1", Category.AUTHORISED),
        ("C2", Category.AUTHORISED),
        ("I", Category.AUTHORISED),
        ("G", Category.UNAUTHORISED),
        ("N", Category.UNAUTHORISED),
        ("O", Category.UNAUTHORISED),
        ("U", Category.UNAUTHORISED),
        ("D", Category.NOT_COUNTED),
        ("X", Category.NOT_COUNTED),
        ("Y4", Category.NOT_COUNTED),
        ("Q", Category.NOT_COUNTED),
        ("Z", Category.NOT_COUNTED),
        ("#", Category.NOT_COUNTED),
    ],
)
def test_each_current_code_has_its_category(code, category):
    assert classify(code, AFTER).category is category


def test_the_sets_have_the_codes_codes_md_lists():
    assert len(CODES_2024.codes) == 34
    assert set(CODES_2006.codes) - set(CODES_2024.codes) == {"J", "H", "F", "Y"}
    assert set(CODES_2024.codes) - set(CODES_2006.codes) == {
        "K",
        "C1",
        "C2",
        "J1",
        "Q",
        "Y1",
        "Y2",
        "Y3",
        "Y4",
        "Y5",
        "Y6",
        "Y7",
    }
