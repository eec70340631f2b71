"""The demo school written as a SIMS export, in Oakfield's layout."""

import csv
import re
import time

import pytest

from attendwise.demo import DEFAULT_SEED, generate_school, write_sims_export
from tests.conftest import SHARED
from tests.demo.counting import LAST_AUTUMN_DAY, autumn_school
from tests.factories import reference_calendar

#: Each test here runs on a whole generated autumn term.
pytestmark = pytest.mark.slow

OAKFIELD = SHARED / "samples" / "oakfield"
FILES = ("pupils.csv", "contacts.csv", "sessions.csv")

DATE = r"\d\d/\d\d/\d{4}"
#: The format of each column both exports share (names, addresses and
#: telephone numbers are free text in an MIS).
FORMATS = {
    "pupils.csv": {
        "Student ID": r"\d+",
        "UPN": r"[A-Z]\d{12}",
        "Gender": r"[MF]",
        "Date of Birth": DATE,
        "Year": r"Year (7|8|9|10|11)",
        "Reg Group": r"(7|8|9|10|11)[A-Z]",
        "FSM": r"[YN]",
        "SEN Status": r"[NKE]",
        "Entry Date": DATE,
        "Leaving Date": f"({DATE})?",
    },
    "contacts.csv": {
        "Student ID": r"\d+",
        "Priority": r"[1-9]",
        "Parental Responsibility": r"[YN]",
        "Title": r"(Mr|Mrs|Ms|Miss|Dr)",
        "Lives With Pupil": r"[YN]",
        "Email": r"[^@\s]+@example\.(org|com|net)",
    },
    "sessions.csv": {
        "Date": DATE,
        "ID": r"\d+",
        "Mark": r"[/\\A-Z]",
        "Session Name": r"(AM|PM)",
        "Student ID": r"\d+",
    },
}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    return write_sims_export(autumn_school(), directory)


def read(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_it_returns_the_path_of_each_file(export):
    assert {key: path.name for key, path in export.items()} == {
        "pupils": "pupils.csv",
        "contacts": "contacts.csv",
        "sessions": "sessions.csv",
    }


@pytest.mark.parametrize("name", FILES)
def test_each_file_has_exactly_oakfields_header(export, name):
    assert read(export[name.removesuffix(".csv")])[0] == read(OAKFIELD / name)[0]


@pytest.mark.parametrize("name", FILES)
def test_each_file_ends_its_lines_as_oakfields_do(export, name):
    ours = export[name.removesuffix(".csv")].read_bytes()
    theirs = (OAKFIELD / name).read_bytes()
    assert theirs.count(b"\r\n") == theirs.count(b"\n")
    assert ours.count(b"\r\n") == ours.count(b"\n")
    assert ours.endswith(b"\r\n")
    assert not ours.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", FILES)
def test_every_value_has_the_format_oakfield_uses(export, name):
    for rows in (read(OAKFIELD / name), read(export[name.removesuffix(".csv")])):
        header, body = rows[0], rows[1:]
        for column, pattern in FORMATS[name].items():
            at = header.index(column)
            bad = [row[at] for row in body if not re.fullmatch(pattern, row[at])]
            assert bad == [], f"{name} {column}"


def test_one_row_per_pupil_contact_and_mark(export):
    school = autumn_school()
    assert len(read(export["pupils"])) == len(school.pupils) + 1
    assert len(read(export["contacts"])) == len(school.contacts) + 1
    assert len(read(export["sessions"])) == len(school.marks) + 1


def test_session_record_ids_are_distinct_and_rise_in_file_order(export):
    ids = [int(row[1]) for row in read(export["sessions"])[1:]]
    assert ids == list(range(ids[0], ids[0] + len(ids)))


def test_the_same_seed_writes_byte_identical_files(tmp_path):
    for run in ("first", "second"):
        school = generate_school(
            seed=DEFAULT_SEED, calendar=reference_calendar(), through=LAST_AUTUMN_DAY
        )
        write_sims_export(school, tmp_path / run)
    for name in FILES:
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes()


def test_another_seed_gives_another_school(tmp_path):
    for seed in (DEFAULT_SEED, DEFAULT_SEED + 1):
        school = generate_school(
            seed=seed, calendar=reference_calendar(), through=LAST_AUTUMN_DAY
        )
        write_sims_export(school, tmp_path / str(seed))
    for name in FILES:
        ours = (tmp_path / str(DEFAULT_SEED) / name).read_bytes()
        assert ours != (tmp_path / str(DEFAULT_SEED + 1) / name).read_bytes()


def test_600_pupils_through_the_autumn_term_take_well_under_five_seconds(tmp_path):
    calendar = reference_calendar()
    assert calendar.school_days  # the calendar's set-up is not the generator's
    started = time.perf_counter()
    school = generate_school(seed=7, calendar=calendar, through=LAST_AUTUMN_DAY)
    write_sims_export(school, tmp_path)
    assert time.perf_counter() - started < 2.5
