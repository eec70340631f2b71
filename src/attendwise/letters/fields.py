"""The merge fields a letter template may use, declared once.

Every field is in every letter's context (empty text or an empty list
when it does not apply), so a template can test `{% if meeting_date %}`.
A template that uses a name not declared here is refused. docs/letters.md
carries `markdown_table()`; a test keeps the two the same.
"""

from __future__ import annotations

from dataclasses import dataclass

#: one entry of `parents_named`
EXAMPLE_PARENT = {
    "name": "Mrs June Allen",
    "relationship": "Mother",
    "parental_responsibility": "yes",
    "lives_with_pupil": "yes",
    "address": "23 Patricia Cliff, Saraville, LA90 8SP",
    "phone": "01632 960123",
    "note": "",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One merge field: its name in templates, what it holds, an example."""

    name: str
    group: str
    help: str
    example: object


FIELDS: tuple[Field, ...] = (
    # The school and the sender
    Field("school_name", "school", "The school's name.", "Oakfield Academy"),
    Field(
        "school_address_lines",
        "school",
        "The school's address for the letterhead, a list of lines (may be empty).",
        ["Oakfield Road", "Oakfield", "OK1 2AB"],
    ),
    Field(
        "school_phone",
        "school",
        "The school's telephone number, or empty.",
        "01632 960000",
    ),
    Field(
        "school_email",
        "school",
        "The school's e-mail address for attendance, or empty.",
        "attendance@oakfield.example.org",
    ),
    Field(
        "sender_name",
        "school",
        "The name of the person who signs the letter.",
        "Sam Patel",
    ),
    Field(
        "sender_role",
        "school",
        "Their role, as it is signed (for example Head of Academy).",
        "Child and Family Support Worker",
    ),
    # This copy of the letter
    Field(
        "letter_date",
        "letter",
        "The date of the letter, as '29 September 2025'.",
        "29 September 2025",
    ),
    Field(
        "reference",
        "letter",
        "Our reference: the pupil's MIS id and the worklist item.",
        "4004/123",
    ),
    Field(
        "address_block",
        "letter",
        "The lines shown in the envelope window: the names, then the address "
        "of this copy only (or the agency's).",
        ["Mrs June Allen", "23 Patricia Cliff", "Saraville", "LA90 8SP"],
    ),
    Field(
        "salutation",
        "letter",
        "The greeting, as 'Dear Mrs Allen and Mr Price'; 'Dear colleague' to "
        "an agency.",
        "Dear Mrs Allen",
    ),
    # The pupil
    Field(
        "pupil_name", "pupil", "The pupil's legal forename and surname.", "Pat Allen"
    ),
    Field("pupil_forename", "pupil", "The pupil's legal forename.", "Pat"),
    Field(
        "pupil_date_of_birth",
        "pupil",
        "The pupil's date of birth, as '14 March 2013', or empty.",
        "14 March 2013",
    ),
    Field(
        "pupil_upn",
        "pupil",
        "The pupil's unique pupil number, or empty.",
        "A801200001001",
    ),
    Field("year_group", "pupil", "The year group, as 'Year 7', or empty.", "Year 7"),
    Field("reg_group", "pupil", "The registration group, or empty.", "7AB"),
    Field(
        "pupil_sen",
        "pupil",
        "Special educational needs, as the MIS records them.",
        "SEN support",
    ),
    Field(
        "pupil_address_lines",
        "pupil",
        "The pupil's home address, a list of lines. Referrals only: empty in "
        "letters to parents, so that no household sees another's address.",
        [],
    ),
    # The figures the letter rests on
    Field(
        "period_first",
        "figures",
        "The first day of the period the figures cover.",
        "3 September 2025",
    ),
    Field(
        "period_last",
        "figures",
        "The last day of that period.",
        "29 September 2025",
    ),
    Field("possible", "figures", "Possible sessions in the period.", 38),
    Field("attended", "figures", "Sessions attended (present or AEA).", 36),
    Field(
        "attendance_percent",
        "figures",
        "Attendance: attended / possible, one decimal place rounded half up; "
        "'not available' with no possible sessions.",
        "94.7%",
    ),
    Field("sessions_missed", "figures", "Sessions of absence.", 2),
    Field("authorised", "figures", "Sessions of authorised absence.", 2),
    Field("unauthorised", "figures", "Sessions of unauthorised absence.", 0),
    Field(
        "intervention_line",
        "figures",
        "The policy's own figure where it differs from the statutory one, as "
        "'leaving out sessions coded C2: 90.0%'; otherwise empty.",
        "",
    ),
    Field(
        "attendance_target",
        "figures",
        "The school's attendance target, as '96%', or empty when not given.",
        "96%",
    ),
    Field(
        "illness_sessions",
        "figures",
        "Sessions of absence for illness (code I) in the period.",
        2,
    ),
    Field(
        "medical_sessions",
        "figures",
        "Sessions of absence for medical or dental appointments (code M).",
        0,
    ),
    Field(
        "listed_sessions",
        "figures",
        "The sessions the letter is about, one line each: the late sessions "
        "(U) for Letter L, the unexplained absences (N) for Letter N.",
        ["Monday 8 September 2025, morning"],
    ),
    Field(
        "threshold_first",
        "figures",
        "First day of the 10 school weeks in which the penalty-notice "
        "threshold was met, or empty.",
        "",
    ),
    Field(
        "threshold_last",
        "figures",
        "Last day of those 10 school weeks, or empty.",
        "",
    ),
    Field(
        "threshold_unauthorised",
        "figures",
        "Unauthorised sessions in those 10 school weeks, or empty.",
        "",
    ),
    # Meetings
    Field(
        "meeting_date",
        "meeting",
        "The date of the meeting the letter invites to, as 'Monday 20 October "
        "2025', or empty (the letter then says we will be in touch).",
        "Monday 20 October 2025",
    ),
    Field("meeting_time", "meeting", "Its time, as '3.30pm', or empty.", "3.30pm"),
    Field(
        "meeting_place",
        "meeting",
        "Where it is held, or empty.",
        "the Attendance Office",
    ),
    Field(
        "missed_meeting_date",
        "meeting",
        "The date of the meeting the parents did not attend, or empty.",
        "",
    ),
    # Referrals
    Field(
        "parents_named",
        "referral",
        "The parents a referral concerns, a list; each has name, "
        "relationship, parental_responsibility ('yes' or 'no'), "
        "lives_with_pupil, address, phone and note. Empty in letters to "
        "parents.",
        [EXAMPLE_PARENT],
    ),
    Field(
        "history",
        "referral",
        "What has happened so far, a list; each has date and text. Empty in "
        "letters to parents.",
        [{"date": "29 September 2025", "text": "Letter 1 sent."}],
    ),
    Field(
        "concern_summary",
        "referral",
        "The safeguarding lead's summary of the concern (MASH record), or empty.",
        "",
    ),
)

FIELD_NAMES: frozenset[str] = frozenset(field.name for field in FIELDS)


def example_context() -> dict[str, object]:
    """Return a context holding every field's example value."""
    return {field.name: field.example for field in FIELDS}


def markdown_table() -> str:
    """Return the fields as a Markdown table, as docs/letters.md shows them."""
    lines = ["| field | group | what it holds |", "|---|---|---|"]
    for field in FIELDS:
        lines.append(f"| `{field.name}` | {field.group} | {field.help} |")
    return "\n".join(lines) + "\n"
