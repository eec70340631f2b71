"""The merge fields of one copy of a letter, from plain facts.

Everything here is formatting: dates in words, percentages rounded half up
to one place (by `attendwise.core.figures`), names and addresses. The
result holds only text, numbers, lists and dicts, so it can be stored as
the letter's record and rendered again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from attendwise.core.figures import WindowFigures, format_percent
from attendwise.letters.kinds import LetterKind
from attendwise.letters.recipients import Addressee, ContactInfo


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The school as it heads its letters."""

    school_name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class PupilInfo:
    forename: str
    surname: str
    date_of_birth: dt.date | None = None
    upn: str = ""
    year_group: int | None = None
    reg_group: str = ""
    sen: str = ""


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting a letter invites to; any part may be unknown yet."""

    date: dt.date | None = None
    time: dt.time | None = None
    place: str = ""


@dataclass(frozen=True, slots=True)
class Agency:
    """The addressee of a referral."""

    name: str
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThresholdWindow:
    """The 10 school weeks in which the penalty-notice threshold was met."""

    first: dt.date
    last: dt.date
    unauthorised: int


@dataclass(frozen=True, slots=True)
class Session:
    day: dt.date
    #: "AM" or "PM"
    session: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    day: dt.date
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterFacts:
    """Everything a letter says apart from whom this copy is for.

    `left_out_codes` are the codes the intervention figures leave out of
    possible sessions in this period (for the second figures line).
    `parents_named` and `history` are used by referrals only.
    """

    kind: LetterKind
    letterhead: Letterhead
    sender_name: str
    sender_role: str
    on_day: dt.date
    reference: str
    pupil: PupilInfo
    figures: WindowFigures
    left_out_codes: tuple[str, ...] = ()
    target_percent: int | None = None
    listed_sessions: tuple[Session, ...] = ()
    meeting: Meeting = field(default_factory=Meeting)
    missed_meeting: dt.date | None = None
    threshold: ThresholdWindow | None = None
    pupil_address_lines: tuple[str, ...] = ()
    parents_named: tuple[ContactInfo, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    concern_summary: str = ""


def letter_context(facts: LetterFacts, to: Addressee | Agency) -> dict[str, object]:
    """Return the merge fields of the copy of `facts` addressed `to`.

    A copy to parents never carries the pupil's address, the parents named
    or the history: those go to agencies only, and would otherwise show one
    household's address to another.
    """
    return {
        **_school(facts),
        **_addressee(to),
        **_pupil(facts.pupil),
        **_figures(facts),
        **_meeting(facts),
        **_referral(facts, to_agency=isinstance(to, Agency)),
    }


def long_date(day: dt.date | None) -> str:
    """Return '29 September 2025', or '' for None."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def day_and_date(day: dt.date | None) -> str:
    """Return 'Monday 20 October 2025', or '' for None."""
    return "" if day is None else f"{day:%A} {long_date(day)}"


def clock_time(time: dt.time | None) -> str:
    """Return '3.30pm' or '9.00am' (12.00pm is noon), or '' for None."""
    if time is None:
        return ""
    hour = time.hour % 12 or 12
    return f"{hour}.{time.minute:02d}{'am' if time.hour < 12 else 'pm'}"


def joined(words: list[str] | tuple[str, ...]) -> str:
    """Return 'C2', 'C2 and E', 'C1, C2 and E'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def intervention_line(figures: WindowFigures, left_out: tuple[str, ...]) -> str:
    """Return the second figures line, or '' when it would show the same figure.

    The figures are compared as the reader sees them (rounded), so the line
    never repeats the first figure.
    """
    statutory = format_percent(figures.attended, figures.possible)
    policy = format_percent(figures.i_attended, figures.i_possible)
    if policy == statutory:
        return ""
    if left_out:
        return f"leaving out sessions coded {joined(left_out)}: {policy}"
    return f"leaving out sessions our policy does not count: {policy}"


def _school(facts: LetterFacts) -> dict[str, object]:
    head = facts.letterhead
    return {
        "school_name": head.school_name,
        "school_address_lines": list(head.address_lines),
        "school_phone": head.phone,
        "school_email": head.email,
        "sender_name": facts.sender_name,
        "sender_role": facts.sender_role,
        "letter_date": long_date(facts.on_day),
        "reference": facts.reference,
    }


def _addressee(to: Addressee | Agency) -> dict[str, object]:
    if isinstance(to, Agency):
        return {
            "address_block": [to.name, *to.address_lines],
            "salutation": "Dear colleague",
        }
    return {
        "address_block": [*to.names, *to.address_lines],
        "salutation": to.salutation,
    }


def _pupil(pupil: PupilInfo) -> dict[str, object]:
    year = "" if pupil.year_group is None else f"Year {pupil.year_group}"
    return {
        "pupil_name": f"{pupil.forename} {pupil.surname}",
        "pupil_forename": pupil.forename,
        "pupil_date_of_birth": long_date(pupil.date_of_birth),
        "pupil_upn": pupil.upn,
        "year_group": year,
        "reg_group": pupil.reg_group,
        "pupil_sen": pupil.sen,
    }


def _figures(facts: LetterFacts) -> dict[str, object]:
    window = facts.figures
    threshold = facts.threshold
    target = facts.target_percent
    return {
        "period_first": long_date(window.first),
        "period_last": long_date(window.last),
        "possible": window.possible,
        "attended": window.attended,
        "attendance_percent": format_percent(window.attended, window.possible),
        "sessions_missed": window.absent,
        "authorised": window.authorised,
        "unauthorised": window.unauthorised,
        "intervention_line": intervention_line(window, facts.left_out_codes),
        "attendance_target": "" if target is None else f"{target}%",
        "illness_sessions": window.illness,
        "medical_sessions": window.medical,
        "listed_sessions": [_session(s) for s in facts.listed_sessions],
        "threshold_first": long_date(threshold.first) if threshold else "",
        "threshold_last": long_date(threshold.last) if threshold else "",
        "threshold_unauthorised": threshold.unauthorised if threshold else "",
    }


def _session(session: Session) -> str:
    part = {"AM": "morning", "PM": "afternoon"}.get(session.session, session.session)
    return f"{day_and_date(session.day)}, {part}"


def _meeting(facts: LetterFacts) -> dict[str, object]:
    meeting = facts.meeting
    return {
        "meeting_date": day_and_date(meeting.date),
        "meeting_time": clock_time(meeting.time),
        "meeting_place": meeting.place,
        "missed_meeting_date": day_and_date(facts.missed_meeting),
    }


def _referral(facts: LetterFacts, *, to_agency: bool) -> dict[str, object]:
    if not to_agency:
        return {
            "pupil_address_lines": [],
            "parents_named": [],
            "history": [],
            "concern_summary": "",
        }
    return {
        "pupil_address_lines": list(facts.pupil_address_lines),
        "parents_named": [_parent(c) for c in facts.parents_named],
        "history": [
            {"date": long_date(entry.day), "text": entry.text}
            for entry in facts.history
        ],
        "concern_summary": facts.concern_summary,
    }


def _parent(contact: ContactInfo) -> dict[str, str]:
    notes = []
    if contact.court_order_bar:
        notes.append("a court order bars correspondence")
    elif not contact.receives_correspondence:
        notes.append("does not receive correspondence")
    return {
        "name": contact.full_name,
        "relationship": contact.relationship,
        "parental_responsibility": "yes" if contact.parental_responsibility else "no",
        "lives_with_pupil": "yes" if contact.lives_with_pupil else "no",
        "address": ", ".join(contact.postal_lines),
        "phone": contact.phone,
        "note": "; ".join(notes),
    }
