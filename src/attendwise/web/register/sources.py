"""Saving a school's named register sources (the mapping of its export).

A source is checked as a whole (attendwise.sources.mapped.SourceSpec)
before it is saved: a mapping that could not read a file is refused with
every reason, so an import never starts from a broken declaration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from attendwise.sources.base import Encoding, FileFormat
from attendwise.sources.dates import DateFormat
from attendwise.sources.mapped import PupilKey, SourceError, SourceSpec
from attendwise.sources.presets import PRESETS
from attendwise.web.register.models import School, Source

__all__ = ["SourceError", "save_source", "spec_of"]


E = TypeVar("E", DateFormat, Encoding, FileFormat, PupilKey)


def _enum(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(repr(item.value) for item in kind)
        raise SourceError(f"{value!r} is not a {what}; use one of {known}") from None


def spec_of(source: Source) -> SourceSpec:
    """Return the SourceSpec a saved source declares.

    Raises SourceError when a stored value is no longer one we know.
    """
    return SourceSpec(
        name=source.name,
        columns=dict(source.columns),
        date_format=_enum(DateFormat, source.date_format, "date format"),
        encoding=_enum(Encoding, source.encoding, "file encoding"),
        file_format=_enum(FileFormat, source.file_format, "file format"),
        sheet=source.sheet or None,
        code_table=dict(source.code_table),
        session_names=dict(source.session_names) or {"AM": "AM", "PM": "PM"},
        several_registers=source.several_registers,
        pupil_key=_enum(PupilKey, source.pupil_key, "way of naming pupils"),
    )


def save_source(
    school: School,
    name: str,
    *,
    preset: str | None = None,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
    file_format: str | None = None,
    sheet: str | None = None,
    code_table: Mapping[str, str] | None = None,
    session_names: Mapping[str, str] | None = None,
    several_registers: bool | None = None,
    pupil_key: str | None = None,
) -> Source:
    """Return the school's source `name`, created or changed as given.

    A new source starts from `preset` (or, with none, must give every
    required column); an existing one keeps what is not given. `columns`
    are merged into what is there (an empty heading removes a role); a
    `code_table` given replaces the whole table (an empty one clears it),
    so the table is exactly what the save says. Raises SourceError naming
    every problem; nothing is saved then.
    """
    with transaction.atomic():
        source = Source.objects.filter(school=school, name=name).first()
        if preset is not None:
            if preset not in PRESETS:
                raise SourceError(
                    f"no preset {preset!r}; the presets are {', '.join(PRESETS)}"
                )
            base = PRESETS[preset].spec
        elif source is not None:
            base = spec_of(source)
        else:
            base = SourceSpec(name=name, columns={}, date_format=DateFormat.UK)
        merged_columns = {**base.columns, **(columns or {})}
        spec = SourceSpec(
            name=name,
            columns={role: h for role, h in merged_columns.items() if h},
            date_format=_enum(
                DateFormat, date_format or base.date_format.value, "date format"
            ),
            encoding=_enum(Encoding, encoding or base.encoding.value, "file encoding"),
            file_format=_enum(
                FileFormat, file_format or base.file_format.value, "file format"
            ),
            sheet=(sheet or None) if sheet is not None else base.sheet,
            code_table=dict(base.code_table if code_table is None else code_table),
            session_names=dict(session_names or base.session_names),
            several_registers=(
                base.several_registers
                if several_registers is None
                else several_registers
            ),
            pupil_key=_enum(
                PupilKey, pupil_key or base.pupil_key.value, "way of naming pupils"
            ),
        ).check()
        now = timezone.now()
        if source is None:
            source = Source(school=school, name=name, created_at=now)
        if preset is not None:
            source.preset = preset
        source.columns = dict(spec.columns)
        source.date_format = spec.date_format.value
        source.encoding = spec.encoding.value
        source.file_format = spec.file_format.value
        source.sheet = spec.sheet or ""
        source.code_table = dict(spec.code_table)
        source.session_names = dict(spec.session_names)
        source.several_registers = spec.several_registers
        source.pupil_key = spec.pupil_key.value
        source.updated_at = now
        source.save()
    return source
