"""Exit 0 when the database at the URL given answers, 1 otherwise.

Used by `make test` to decide whether to run the PostgreSQL pass.
"""

from __future__ import annotations

import sys

import psycopg


def main(url: str) -> int:
    try:
        with psycopg.connect(
            url.replace("postgres://", "postgresql://", 1),
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
