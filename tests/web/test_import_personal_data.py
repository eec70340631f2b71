"""Personal data stays out of the technical log and the stored import record.

Reports may quote codes, session dates, headings and Student IDs (they help
staff find the row); they never repeat a name, an address, a date of
birth, a phone number, an email or a UPN (docs/import-formats.md).
"""

import json
import logging

import pytest

from attendwise.sources.base import ImportRejected
from attendwise.web.register.models import ImportRun
from attendwise.web.register.services import import_contacts, import_pupils
from tests.import_factories import (
    IMPORT_DAY,
    contact_row,
    contacts_csv,
    pupil_row,
    pupils_csv,
)
from tests.web.register_factories import make_school

pytestmark = pytest.mark.django_db

UPN = "A886412318001"
#: Every personal value the files below hold, as they are written.
PERSONAL = [
    "Featherstonehaugh",
    "Ottoline",
    UPN,
    "29/02/2012",
    "30/02/2013",
    "01/01/1980",
    "Clarissa",
    "Dalloway",
    "23 Mulberry Walk",
    "Saraville",
    "LA90 8SP",
    "07700 900123",
    "clarissa@example.org",
]


def _logged(records: list[logging.LogRecord]) -> str:
    return "\n".join(
        f"{record.getMessage()} {json.dumps(record.__dict__, default=str)}"
        for record in records
    )


def test_no_personal_value_reaches_the_log_or_the_import_record(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="attendwise")
    school = make_school()
    good = pupil_row(
        "4001",
        upn=UPN,
        surname="Featherstonehaugh",
        forename="Ottoline",
        born="29/02/2012",
    )
    seen = []

    # Rejected: a date of birth that is no date, and one with a stored UPN.
    with pytest.raises(ImportRejected) as bad_date:
        import_pupils(
            school,
            pupils_csv([*good[:5], "30/02/2013", *good[6:]]),
            "pupils.csv",
            on=IMPORT_DAY,
        )
    seen += [str(bad_date.value), *bad_date.value.report.error_lines()]
    seen.append(repr(bad_date.value.report))

    # Applied, with warnings: an unusual age, and a pupil left out later.
    import_pupils(
        school,
        pupils_csv(good, pupil_row("4002", surname="Dalloway", born="01/01/1980")),
        "pupils.csv",
        on=IMPORT_DAY,
    )
    import_pupils(school, pupils_csv(good), "some.csv", on=IMPORT_DAY)
    with pytest.raises(ImportRejected) as taken:
        import_pupils(
            school,
            pupils_csv(good, pupil_row("4003", upn=UPN)),
            "more.csv",
            on=IMPORT_DAY,
        )
    seen += [str(taken.value), *taken.value.report.error_lines()]

    contact = contact_row(
        "4001",
        forename="Clarissa",
        surname="Dalloway",
        address="23 Mulberry Walk",
        town="Saraville",
        postcode="LA90 8SP",
        mobile="07700 900123",
        email="clarissa@example.org",
    )
    import_contacts(school, contacts_csv(contact), "contacts.csv")
    with pytest.raises(ImportRejected) as long_values:
        import_contacts(
            school,
            contacts_csv(
                [
                    *contact[:5],
                    "Clarissa" * 20,
                    *contact[6:8],
                    "23 Mulberry Walk" * 20,
                    *contact[9:],
                ]
            ),
            "contacts.csv",
        )
    seen += [str(long_values.value), *long_values.value.report.error_lines()]
    import_contacts(school, contacts_csv(contact_row("4001")), "contacts.csv")

    records = json.dumps(list(ImportRun.objects.values("file_name", "warnings")))
    shown = "\n".join(seen)
    logged = _logged(caplog.records)
    assert caplog.records  # the imports were logged, by counts and ids
    for value in PERSONAL:
        assert value not in logged, value
        assert value not in records, value
        assert value not in shown, value
