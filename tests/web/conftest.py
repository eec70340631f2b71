"""Fixtures of the web tests that run the command in a process of its own."""

import os
import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """A database of the test's own, on the backend this test pass uses."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path}/own.sqlite3"
        return
    import psycopg

    server, _, _ = url.rpartition("/")
    name = f"attendwise_own_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
