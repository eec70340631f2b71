import csv

import pytest

from attendwise.core.upn import upn_check_letter, validate_upn
from tests.conftest import SHARED


def test_the_check_letter_weights_characters_two_to_thirteen_modulo_23():
    # 8*2 + 8*3 + 6*4 + 4*5 + 1*6 + 2*7 + 3*8 + 1*9 + 8*10 + 0 + 0 + 1*13 = 230,
    # and 230 = 10 * 23, so the letter is the first: A.
    assert upn_check_letter("886412318001") == "A"


def test_a_temporary_upn_counts_its_final_letter_by_its_place_in_the_alphabet():
    # 9*2 + 9*3 + 9*4 + 2*5 + 1*8 + 2*9 + 5*10 + 1*12 = 179 = 7 * 23 + 18,
    # with A worth 0; letter 18 of ABCDEFGHJKLMNPQRTUVWXYZ is V. B is worth 1.
    assert upn_check_letter("99920012501A") == "V"
    assert upn_check_letter("99920012501B") == "J"


def test_every_oakfield_upn_is_valid():
    with (SHARED / "samples/oakfield/pupils.csv").open(encoding="utf-8") as stream:
        upns = [row["UPN"] for row in csv.DictReader(stream)]
    assert len(upns) == 600
    assert [upn for upn in upns if validate_upn(upn) is not None] == []


def test_a_valid_upn_has_no_error():
    assert validate_upn("A886412318001") is None
    assert validate_upn("V99920012501A") is None


def test_a_wrong_check_letter_names_the_right_one():
    assert validate_upn("B886412318001") == "the check letter should be A, not B"


@pytest.mark.parametrize(
    ("upn", "error"),
    [
        ("A88641231800", "a UPN has 13 characters, not 12"),
        ("A8864123180011", "a UPN has 13 characters, not 14"),
        ("I886412318001", "a UPN starts with a capital letter other than I, O and S"),
        ("a886412318001", "a UPN starts with a capital letter other than I, O and S"),
        ("A88641231800X1", "a UPN has 13 characters, not 14"),
        ("A8864123180X1", "characters 2 to 12 must be digits"),
        ("A886 12318001", "characters 2 to 12 must be digits"),
        (
            "A88641231800O",
            "the last character must be a digit, or in a temporary UPN a "
            "capital letter other than I, O and S",
        ),
        (
            "A88641231800a",
            "the last character must be a digit, or in a temporary UPN a "
            "capital letter other than I, O and S",
        ),
    ],
)
def test_a_malformed_upn_says_what_is_wrong(upn, error):
    assert validate_upn(upn) == error


def test_the_check_letter_refuses_a_body_that_is_not_a_upn():
    with pytest.raises(ValueError, match="characters 2 to 12 must be digits"):
        upn_check_letter("x86412318001")
    with pytest.raises(ValueError, match="has 12 characters, not 11"):
        upn_check_letter("86412318001")
