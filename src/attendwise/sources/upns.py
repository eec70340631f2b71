"""UPNs as they arrive in files: spreadsheet damage first, then the check letter.

A UPN is a letter and 12 characters. When a file has been through a
spreadsheet, a UPN can lose characters: a cell read as a number drops the
leading letter and any leading zeros, turns a long number into scientific
notation (8.86412E+11) or adds '.0'. Such a value is reported as damaged,
with what to do about it, rather than as a wrong check letter.
"""

from __future__ import annotations

import re

from attendwise.core.upn import UPN_LENGTH, validate_upn

_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
_DECIMAL = re.compile(r"\d+\.0+")

_REPAIR = (
    "the file went through a spreadsheet that read the UPN as a number: "
    "export it again straight from the MIS, or format the column as Text"
)


def spreadsheet_damage(text: str) -> str | None:
    """Return how a spreadsheet damaged the UPN `text`, or None if it did not.

    Damage is scientific notation, a trailing '.0', or digits only (the
    leading letter, and maybe zeros, lost).
    """
    if _SCIENTIFIC.fullmatch(text):
        return f"the UPN is in scientific notation, so digits are lost: {_REPAIR}"
    if _DECIMAL.fullmatch(text):
        return f"the UPN ends in '.0' and has lost its leading letter: {_REPAIR}"
    if text.isascii() and text.isdigit() and len(text) <= UPN_LENGTH:
        lost = UPN_LENGTH - len(text)
        what = "its leading letter" if lost == 1 else f"{lost} leading characters"
        return f"the UPN has only digits and has lost {what}: {_REPAIR}"
    return None


def upn_problem(text: str) -> str | None:
    """Return what is wrong with the UPN `text`, or None when it is valid.

    Spreadsheet damage is named as such (spreadsheet_damage); any other
    value is checked by core.upn.validate_upn (length, characters, check
    letter). The message never repeats the UPN.
    """
    return spreadsheet_damage(text) or validate_upn(text)
