"""Named register sources: a school's own export, mapped once and saved.

A source says which column of the school's export holds each value
(pupil, date, session, mark and, optionally, minutes late), how the file
is read (CSV in UTF-8 or Windows-1252, or an .xlsx sheet), how its dates
are written (declared, never guessed), what its sessions are called, how
its pupils are named (MIS id or UPN), its local code table, and whether it
keeps several registers per session. Presets (presets.py) are sources
that ship ready-made; the web app saves a school's own as a Source row.

Columns the mapping does not name are ignored: real exports carry many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from attendwise.core.codes import ALL_CODES
from attendwise.sources.base import (
    Column,
    Encoding,
    FileFormat,
    Layout,
    Reading,
    quoted,
)
from attendwise.sources.dates import DateFormat
from attendwise.sources.register import MAX_SOURCE_CODE, SESSIONS, RegisterLayout
from attendwise.sources.upns import upn_problem


class SourceError(ValueError):
    """A source that cannot be used as declared; the message says why."""


class PupilKey(StrEnum):
    """How a register names its pupils."""

    MIS_ID = "mis_id"
    UPN = "upn"


#: The values a register mapping names, and whether each is required.
ROLES: Mapping[str, bool] = {
    "pupil": True,
    "date": True,
    "session": True,
    "mark": True,
    "minutes_late": False,
}

ROLE_HELP: Mapping[str, str] = {
    "pupil": "The pupil: their MIS id, or their UPN when the source says so.",
    "date": "The date of the session, in the source's declared date format.",
    "session": "The session: AM or PM, or the source's own names for them.",
    "mark": "The mark: a statutory code or a local code in the code table.",
    "minutes_late": "Minutes after the start of the session, for L and U only.",
}


@dataclass(frozen=True)
class SourceSpec:
    """A register source as declared; `check()` says what is wrong with it.

    `columns` maps each role of ROLES to the column heading in the file;
    `code_table` maps local codes to statutory codes (statutory codes the
    table does not name stand for themselves); `session_names` maps the
    file's session names to AM and PM.
    """

    name: str
    columns: Mapping[str, str]
    date_format: DateFormat
    encoding: Encoding = Encoding.UTF8
    file_format: FileFormat = FileFormat.CSV
    sheet: str | None = None
    code_table: Mapping[str, str] = field(default_factory=dict)
    session_names: Mapping[str, str] = field(
        default_factory=lambda: {"AM": "AM", "PM": "PM"}
    )
    several_registers: bool = False
    pupil_key: PupilKey = PupilKey.MIS_ID
    description: str = ""

    def problems(self) -> list[str]:
        """Return every problem with the declaration (an empty list: usable)."""
        found = []
        if not self.name.strip():
            found.append("a source needs a name")
        for role, required in ROLES.items():
            if required and not self.columns.get(role, "").strip():
                found.append(f"say which column holds the {role.replace('_', ' ')}")
        unknown = sorted(set(self.columns) - set(ROLES))
        if unknown:
            found.append(
                f"unknown role(s) {', '.join(unknown)}; the roles are "
                f"{', '.join(ROLES)}"
            )
        headings = [h for h in self.columns.values() if h]
        if len(set(headings)) != len(headings):
            found.append("two roles name the same column")
        for local, code in self.code_table.items():
            if not local or len(local) > MAX_SOURCE_CODE:
                found.append(
                    f"the local code {quoted(local[:20])} must have 1 to "
                    f"{MAX_SOURCE_CODE} characters"
                )
            if code not in ALL_CODES:
                found.append(
                    f"the code table maps {quoted(local)} to {quoted(code)}, "
                    "which is not a DfE register code"
                )
        for name, session in self.session_names.items():
            if session not in SESSIONS or not name:
                found.append(f"the session name {name!r} must stand for AM or PM")
        if set(self.session_names.values()) != set(SESSIONS):
            found.append("the session names must cover both AM and PM")
        if self.sheet is not None and self.file_format is not FileFormat.XLSX:
            found.append("only an .xlsx source has a sheet")
        return found

    def check(self) -> SourceSpec:
        """Return the spec itself; raise SourceError naming every problem."""
        found = self.problems()
        if found:
            raise SourceError(f"the source {self.name!r}: " + "; ".join(found))
        return self

    def register_layout(self) -> RegisterLayout:
        """Return the RegisterLayout that reads this source's files."""
        self.check()
        columns = tuple(
            Column(heading, ROLE_HELP[role], required=ROLES[role])
            for role, heading in self.columns.items()
            if heading
        )
        minutes = self.columns.get("minutes_late") or None
        return RegisterLayout(
            layout=Layout(self.name, columns, others_allowed=True),
            pupil=self.columns["pupil"],
            date=self.columns["date"],
            session=self.columns["session"],
            mark=self.columns["mark"],
            parse_date=self.date_format.parse,
            minutes_late=minutes,
            code_table=dict(self.code_table),
            reading=Reading(
                file_format=self.file_format,
                encoding=self.encoding,
                sheet=self.sheet,
                cell_text=partial(DateFormat.cell, self.date_format),
            ),
            session_names=dict(self.session_names),
            several_registers=self.several_registers,
            source_name=self.name,
            check_pupil=upn_problem if self.pupil_key is PupilKey.UPN else None,
            quote_pupil=self.pupil_key is not PupilKey.UPN,
        )
