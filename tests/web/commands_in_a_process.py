"""Run the attendwise command in a process of its own, as a person would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def attendwise(
    *args: str, home: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Return the finished `attendwise ARGS` run with ATTENDWISE_HOME=`home`.

    Without `database_url` the command uses the SQLite file in `home`.
    """
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["ATTENDWISE_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "attendwise.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def counts(database: Path, *tables: str) -> dict[str, int]:
    """Return the rows in each table of the SQLite file, read by a new process."""
    script = (
        "import json, sqlite3, sys\n"
        "db = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True)\n"
        "print(json.dumps({t: db.execute(f'SELECT count(*) FROM {t}').fetchone()[0]"
        " for t in sys.argv[2:]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(database), *tables],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: dict[str, int] = json.loads(done.stdout)
    return found
