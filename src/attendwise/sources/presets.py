"""Register sources that ship ready-made: a school starts from one of these.

Each preset says where its layout comes from. Where a vendor publishes
no export layout, the preset is a starting point whose column headings
the school checks against its own file (an import names the expected
columns when they differ); docs/import-formats.md says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from attendwise.sources.dates import DateFormat
from attendwise.sources.mapped import PupilKey, SourceSpec


@dataclass(frozen=True)
class Preset:
    """A source that ships, and what its layout rests on."""

    spec: SourceSpec
    provenance: str
    verified: bool


PRESETS: Mapping[str, Preset] = {
    "canonical": Preset(
        SourceSpec(
            name="canonical",
            columns={
                "pupil": "pupil",
                "date": "date",
                "session": "session",
                "mark": "mark",
                "minutes_late": "minutes_late",
            },
            date_format=DateFormat.ISO,
            description="Attendwise's own register CSV.",
        ),
        provenance="Attendwise's own layout (docs/import-formats.md).",
        verified=True,
    ),
    "sims": Preset(
        SourceSpec(
            name="sims",
            columns={
                "pupil": "Student ID",
                "date": "Date",
                "session": "Session Name",
                "mark": "Mark",
            },
            date_format=DateFormat.UK,
            description="A SIMS session-attendance sync (sessions.csv).",
        ),
        provenance=(
            "The Oakfield sample (shared/samples/oakfield/sessions.csv), a "
            "SIMS session-attendance sync: Date, ID, Mark, Session Name, "
            "Student ID."
        ),
        verified=True,
    ),
    "arbor": Preset(
        SourceSpec(
            name="arbor",
            columns={
                "pupil": "UPN",
                "date": "Date",
                "session": "Session",
                "mark": "Mark",
                "minutes_late": "Minutes Late",
            },
            date_format=DateFormat.UK,
            pupil_key=PupilKey.UPN,
            description=(
                "An Arbor AM/PM attendance export, pupils named by UPN "
                "(check the column headings against your file)."
            ),
        ),
        provenance=(
            "Arbor's help centre (support.arbor-education.com, 'How a member "
            "of the Admin team can take attendance') documents AM and PM "
            "registers, present as '/', late as 'L' with the minutes late, "
            "and statutory codes for absence. Arbor publishes no export "
            "column layout: the headings are our starting point."
        ),
        verified=False,
    ),
    "bromcom": Preset(
        SourceSpec(
            name="bromcom",
            columns={
                "pupil": "UPN",
                "date": "Date",
                "session": "Session",
                "mark": "Mark",
            },
            date_format=DateFormat.UK,
            pupil_key=PupilKey.UPN,
            several_registers=True,
            description=(
                "A Bromcom attendance export, pupils named by UPN; local codes "
                "go in the code table (check the headings against your file)."
            ),
        ),
        provenance=(
            "Bromcom's knowledge base (docs.bromcom.com) documents that each "
            "school-defined attendance code has an 'Export Mark' it maps to "
            "(so local codes need a code table), and that teaching-period "
            "marks can update the AM/PM registration mark (so an export can "
            "hold several registers per session). Bromcom publishes no export "
            "column layout: the headings are our starting point."
        ),
        verified=False,
    ),
}


def preset(name: str) -> SourceSpec:
    """Return the preset's SourceSpec; raise KeyError naming the presets."""
    found = PRESETS.get(name)
    if found is None:
        raise KeyError(f"no preset {name!r}; the presets are {', '.join(PRESETS)}")
    return found.spec
