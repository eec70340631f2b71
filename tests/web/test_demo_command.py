"""`attendwise demo` leaves a database that later commands open."""

import pytest

from tests.web.commands_in_a_process import attendwise, counts

pytestmark = pytest.mark.slow

DEMO = ("demo", "--fresh", "--pupils", "50", "--until", "2025-09-04")


def test_the_demo_run_twice_with_fresh_leaves_a_database_a_new_process_opens(
    tmp_path,
):
    home = tmp_path / "demo"

    first = attendwise(*DEMO, home=home)
    second = attendwise(*DEMO, home=home)

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    database = home / "attendwise.sqlite3"
    assert sorted(path.name for path in home.glob("attendwise.sqlite3*")) == [
        "attendwise.sqlite3"
    ]
    assert counts(database, "auth_user", "register_pupil", "register_school") == {
        "auth_user": 6,
        "register_pupil": 50,
        "register_school": 1,
    }
    worklist = attendwise(
        "worklist", "--school", "hollins-park", "--date", "2025-09-04", home=home
    )
    assert worklist.returncode == 0, worklist.stderr


def test_the_demo_replays_only_days_of_the_autumn_term(tmp_path):
    refused = attendwise("demo", "--until", "2026-01-05", home=tmp_path / "demo")

    assert refused.returncode == 1
    assert refused.stderr == (
        "attendwise demo: --until must be a day of the autumn term, "
        "03/09/2025 to 19/12/2025\n"
    )
    assert not (tmp_path / "demo").exists()
