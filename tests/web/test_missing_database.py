"""Commands that need a school say so plainly when there is no database."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.commands_in_a_process import attendwise

NEEDING_A_SCHOOL = [
    ("measures", "--school", "oak", "--as-of", "2025-12-11"),
    ("run", "--school", "oak", "--date", "2025-12-11"),
    ("case", "4059", "--school", "oak"),
    ("worklist", "--school", "oak", "--date", "2025-12-11"),
    ("source-list", "--school", "oak"),
    ("confirm", "31", "--on", "2025-12-11", "--user", "officer"),
    ("add-user", "pat", "--school", "oak", "--role", "officer"),
]


@pytest.mark.parametrize("args", NEEDING_A_SCHOOL, ids=lambda args: args[0])
def test_a_command_in_a_new_folder_says_there_is_no_database_and_creates_nothing(
    args, tmp_path
):
    home = tmp_path / "new"

    done = attendwise(*args, home=home)

    assert done.returncode == 1
    assert done.stderr == (
        f"attendwise {args[0]}: there is no Attendwise database at "
        f"{home / 'attendwise.sqlite3'}: set ATTENDWISE_HOME to the folder that "
        "holds it, or run 'attendwise create-school ...' first\n"
    )
    assert not home.exists()


@pytest.mark.database
def test_a_database_without_the_tables_is_not_set_up(database_url, tmp_path):
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        where = "/" + url.path.lstrip("/")
        Path(where).touch()  # an empty file is an empty SQLite database
    else:
        where = f"{url.path.lstrip('/')} on {url.hostname}"

    done = attendwise(*NEEDING_A_SCHOOL[0], home=tmp_path, database_url=database_url)

    assert done.returncode == 1
    assert done.stderr == (
        f"attendwise measures: the database {where} is not set up for "
        "Attendwise: run 'attendwise create-school ...' first\n"
    )


def test_create_school_creates_the_folder_and_the_database(tmp_path):
    home = tmp_path / "new"
    calendar = Path(__file__).parents[2] / "src/attendwise/calendars"

    created = attendwise(
        "create-school",
        "oak",
        "--name",
        "Oak",
        "--calendar",
        str(calendar / "reference-2025-26.toml"),
        home=home,
    )
    listed = attendwise("source-list", "--school", "oak", home=home)

    assert created.returncode == 0, created.stderr
    assert created.stdout == "Created Oak (oak).\n"
    assert (home / "attendwise.sqlite3").is_file()
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("Oak has no sources yet.\n")
