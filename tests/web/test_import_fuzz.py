"""Random and hostile files at every importer: a clear rejection or an import.

Whatever the bytes, an importer either applies the file or raises
ImportRejected with at least one error that names its file; any other
exception fails the test. After every rejected file the database is
exactly as it was.
"""

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.core.upn import upn_check_letter
from attendwise.sources.base import ImportRejected
from attendwise.web.register import services
from attendwise.web.register.sources import save_source
from tests.import_factories import (
    IMPORT_DAY,
    contact_row,
    contacts_csv,
    pupil_row,
    pupils_csv,
    sessions_csv,
    week_of_marks,
)
from tests.source_factories import xlsx_bytes
from tests.web.register_factories import enrol, make_school, snapshot

pytestmark = pytest.mark.django_db

UPN = "A886412318001"
UPN_2 = upn_check_letter("886412318002") + "886412318002"

#: Text that breaks careless readers: separators, quotes, line ends, bytes
#: of other encodings, formulas, symbols used as marks, very long values.
HOSTILE = [
    ",",
    '"',
    '""',
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\ufeff",
    "\ufffd",
    "é",
    "€",
    "\u202e",
    "=1+1",
    "@SUM(A1)",
    "\\",
    "#",
    "|",
    "-",
    "/",
    "N",
    "I01",
    "AM",
    "PM",
    "4001",
    UPN,
    "886412318001",
    "8.86412E+11",
    "08/09/2025",
    "2025-09-08",
    "2025-10-06T23:30:00Z",
    "31/02/2025",
    "01/01/0001",
    "31/12/9999",
    "9999-12-31T23:59:59-14:00",
    "²",
    "٣",
    "Y",
    "x" * 300,
    " ",
    "",
]

field = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


def hostile_csv(header: list[str]) -> st.SearchStrategy[bytes]:
    """Files with the right header (or a near one) and hostile rows."""
    rows = st.lists(
        st.lists(field, min_size=max(len(header) - 1, 0), max_size=len(header) + 1),
        max_size=6,
    )
    encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        names = draw(st.permutations(header))
        if draw(st.booleans()):
            names = [*names[:-1], draw(field)]
        lines = [",".join(names)] + [",".join(row) for row in draw(rows)]
        end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = end.join(lines) + draw(st.sampled_from(["", end, end * 3, ",,,\n"]))
        return text.encode(draw(encodings), "replace")

    return build()


def mutated(valid: bytes) -> st.SearchStrategy[bytes]:
    """A valid file with a few bytes changed, inserted or cut off."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            action = draw(st.sampled_from(["flip", "insert", "cut"]))
            if action == "flip" and data:
                data[at] = draw(st.integers(0, 255))
            elif action == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=4))
            else:
                del data[at:]
        return bytes(data)

    return build()


def files(header: list[str], valid: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), hostile_csv(header), mutated(valid))


@pytest.fixture
def school():
    school = make_school()
    enrol(
        school,
        pupil_row("4001", upn=UPN, entry="01/09/2025"),
        pupil_row("4002", upn=UPN_2, entry="01/09/2025"),
    )
    return school


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def imports_or_rejects_cleanly(run: Callable[[bytes], object], data: bytes) -> None:
    before = snapshot()
    rejection: ImportRejected | None = None
    try:
        run(data)
    except ImportRejected as rejected:
        rejection = rejected
    if rejection is not None:
        assert rejection.report.error_count > 0
        assert rejection.report.errors
        assert snapshot() == before


MONDAY = dt.date(2025, 9, 8)
SESSIONS = sessions_csv(*week_of_marks("4001", MONDAY, days=2))
CANONICAL = b"pupil,date,session,mark,minutes_late\n4001,2025-09-08,AM,L,5\n"
PUPILS = pupils_csv(pupil_row("4001", upn=UPN), pupil_row("4003"))
CONTACTS = contacts_csv(contact_row("4001"), contact_row("4002", "1"))
ARBOR = b"UPN,Date,Session,Mark,Minutes Late\n" + UPN.encode() + b",08/09/2025,AM,/,\n"


@FUZZ
@given(data=files(["Date", "ID", "Mark", "Session Name", "Student ID"], SESSIONS))
def test_the_sims_register_importer(school, data):
    imports_or_rejects_cleanly(
        lambda d: services.import_register(school, d, "s.csv", "sims"), data
    )


@FUZZ
@given(data=files(["pupil", "date", "session", "mark", "minutes_late"], CANONICAL))
def test_the_canonical_register_importer(school, data):
    imports_or_rejects_cleanly(
        lambda d: services.import_register(school, d, "r.csv"), data
    )


@FUZZ
@given(data=files(["Student ID", "UPN", "Legal Surname", "Entry Date"], PUPILS))
def test_the_pupils_importer(school, data):
    imports_or_rejects_cleanly(
        lambda d: services.import_pupils(school, d, "p.csv", on=IMPORT_DAY), data
    )


@FUZZ
@given(data=files(["Student ID", "Priority", "Forename", "Postcode"], CONTACTS))
def test_the_contacts_importer(school, data):
    imports_or_rejects_cleanly(
        lambda d: services.import_contacts(school, d, "c.csv"), data
    )


@FUZZ
@given(data=files(["UPN", "Date", "Session", "Mark", "Minutes Late"], ARBOR))
def test_a_named_csv_source_by_upn_in_windows_1252(school, data):
    source = save_source(
        school, "Arbor", preset="arbor", encoding="cp1252", code_table={"I01": "I"}
    )
    imports_or_rejects_cleanly(
        lambda d: services.import_register(school, d, "a.csv", source=source), data
    )


XLSX = xlsx_bytes(
    ["UPN", "Date", "Session", "Mark"],
    [[UPN, MONDAY, "AM", "/"], [UPN_2, MONDAY, "PM", "\\"]],
)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        mutated(XLSX),
        st.lists(st.lists(field, min_size=4, max_size=4), max_size=4).map(
            lambda rows: xlsx_bytes(["UPN", "Date", "Session", "Mark"], rows)
        ),
    )
)
def test_a_named_xlsx_source(school, data):
    source = save_source(
        school, "Sheet", preset="bromcom", file_format="xlsx", code_table={"0": "I"}
    )
    imports_or_rejects_cleanly(
        lambda d: services.import_register(school, d, "b.xlsx", source=source), data
    )
