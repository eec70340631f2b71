"""The letters of the policy (POLICY.md, "Letters"): who sends them, to whom."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LetterKind(StrEnum):
    """One letter of the policy; the value names its packaged template."""

    LETTER_N = "letter_n"
    LETTER_L = "letter_l"
    LETTER_1 = "letter_1"
    LETTER_2 = "letter_2"
    LETTER_3 = "letter_3"
    MEDICAL = "medical"
    LETTER_4 = "letter_4"
    ENFORCEMENT_1 = "enforcement_1"
    DID_NOT_ATTEND = "did_not_attend"
    FPN_REFERRAL = "fpn_referral"
    LA_REFERRAL = "la_referral"
    MASH_REFERRAL = "mash_referral"

    @property
    def info(self) -> KindInfo:
        return KINDS[self]

    @property
    def to_agency(self) -> bool:
        """Return whether the letter goes to an agency rather than parents."""
        return KINDS[self].agency != ""


@dataclass(frozen=True, slots=True)
class KindInfo:
    """What the policy's table says of one letter.

    `sender` is the policy's role name (a setting of the school's policy;
    the service is told the real sender's name and role). `agency` is the
    default addressee of a referral, empty for letters to parents.
    """

    title: str
    sender: str
    step: str
    agency: str = ""


KINDS: dict[LetterKind, KindInfo] = {
    LetterKind.LETTER_N: KindInfo("Letter N", "school", "B1"),
    LetterKind.LETTER_L: KindInfo("Letter L", "school", "3 U marks"),
    LetterKind.LETTER_1: KindInfo("Letter 1", "C&FSW", "L1"),
    LetterKind.LETTER_2: KindInfo("Letter 2", "C&FSW", "L2"),
    LetterKind.LETTER_3: KindInfo("Letter 3", "C&FSW", "L3"),
    LetterKind.MEDICAL: KindInfo("Medical letter", "academy", "M1"),
    LetterKind.LETTER_4: KindInfo("Letter 4", "Head of Academy", "L4"),
    LetterKind.ENFORCEMENT_1: KindInfo("Enforcement Letter 1", "Head of Academy", "C1"),
    LetterKind.DID_NOT_ATTEND: KindInfo(
        "Did not attend letter", "Head of Academy", "C2"
    ),
    LetterKind.FPN_REFERRAL: KindInfo(
        "FPN referral", "school", "C3", agency="Local Authority attendance service"
    ),
    LetterKind.LA_REFERRAL: KindInfo(
        "LA referral", "school", "Stage 3", agency="Local Authority attendance service"
    ),
    LetterKind.MASH_REFERRAL: KindInfo(
        "MASH referral (record)",
        "safeguarding lead",
        "Stage 4",
        agency="Children's Social Care (MASH)",
    ),
}
