"""Unique Pupil Numbers (UPNs) and their check letter.

A UPN has 13 characters: a check letter, then the LA number (3 digits),
the DfE establishment number (4 digits), the year of allocation (2 digits)
and a serial number (3 characters). In a temporary UPN the last character
is a letter. The check letter is the DfE modulus 23 check: characters 2 to
13 are weighted 2 to 13 (a digit by its value, a letter by its position in
CHECK_LETTERS), and the sum modulo 23 picks the letter.
"""

from __future__ import annotations

#: The 23 letters a UPN may use, in check order (I, O and S are left out
#: because they are easily read as 1, 0 and 5).
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

UPN_LENGTH = 13


def _body_error(body: str) -> str | None:
    if len(body) != UPN_LENGTH - 1:
        return f"the part after the check letter has 12 characters, not {len(body)}"
    if not (body[:-1].isascii() and body[:-1].isdigit()):
        return "characters 2 to 12 must be digits"
    last = body[-1]
    if not ((last.isascii() and last.isdigit()) or last in CHECK_LETTERS):
        return (
            "the last character must be a digit, or in a temporary UPN a "
            "capital letter other than I, O and S"
        )
    return None


def upn_check_letter(body12: str) -> str:
    """Return the check letter for the 12 characters that follow it.

    Raises ValueError when `body12` is not 11 digits followed by a digit or
    (a temporary UPN) one of CHECK_LETTERS.
    """
    error = _body_error(body12)
    if error is not None:
        raise ValueError(error)
    total = 0
    for weight, char in enumerate(body12, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += weight * value
    return CHECK_LETTERS[total % 23]


def validate_upn(upn: str) -> str | None:
    """Return what is wrong with `upn`, or None when it is a valid UPN.

    The message does not repeat the UPN (it is personal data); the caller
    names the row and field. Lower-case letters and spaces are errors: a
    UPN is stored exactly as issued.
    """
    if len(upn) != UPN_LENGTH:
        return f"a UPN has {UPN_LENGTH} characters, not {len(upn)}"
    if upn[0] not in CHECK_LETTERS:
        return "a UPN starts with a capital letter other than I, O and S"
    error = _body_error(upn[1:])
    if error is not None:
        return error
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        return f"the check letter should be {expected}, not {upn[0]}"
    return None
