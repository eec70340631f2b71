from __future__ import annotations

import pytest

from tests.ui.factories import TODAY


@pytest.fixture(autouse=True)
def _today_and_folders(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TODAY = TODAY.isoformat()
    settings.UPLOADS_DIR = tmp_path / "uploads"
    settings.PRINT_RUNS_DIR = tmp_path / "print-runs"
    # Argon2 is the hasher in use (test_security checks it); tests that
    # create many users hash with a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
