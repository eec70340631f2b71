"""An import killed mid-way leaves the database exactly as it was.

The import runs in a child process on a database file of its own (SQLite
in tmp_path, or a fresh PostgreSQL database in the PostgreSQL pass of
`make test`), and is killed with SIGKILL after it has written its first
chunk of marks inside its transaction.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def child(phase: str, database_url: str, home: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ATTENDWISE_HOME": str(home),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.web.interrupted_import", phase],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.database
def test_an_import_killed_during_apply_changes_nothing(database_url, tmp_path):
    assert child("setup", database_url, tmp_path).returncode == 0
    before = child("snapshot", database_url, tmp_path).stdout

    killed = child("kill", database_url, tmp_path)
    after_kill = child("snapshot", database_url, tmp_path).stdout

    assert killed.returncode == -signal.SIGKILL
    assert after_kill == before
    assert '"Mark": [' in before
    completed = child("import", database_url, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert child("snapshot", database_url, tmp_path).stdout != before
