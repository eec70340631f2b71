"""Importers: the canonical register CSV and MIS layouts (no Django here).

Each reader takes the file as bytes and a ReportBuilder, and returns the
rows it could read; every problem goes to the report. See base.py for the
error model and docs/import-formats.md for the layouts.
"""

from attendwise.sources.base import (
    ImportRejected,
    ImportReport,
    ImportWarning,
    ReportBuilder,
    RowError,
    WarningKind,
)

__all__ = [
    "ImportRejected",
    "ImportReport",
    "ImportWarning",
    "ReportBuilder",
    "RowError",
    "WarningKind",
]
