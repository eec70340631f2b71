"""The web application's secret key when none is configured: a file of its own.

`attendwise serve` and the demo work with no set-up: the first start
writes a random key to a file only its owner may read, and every later
start reads it back, so sessions survive a restart. A deployment may set
ATTENDWISE_SECRET_KEY instead.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The file's name in ATTENDWISE_HOME.
FILE_NAME = "secret-key"


class SecretKeyError(RuntimeError):
    """The key file can be neither read nor written."""


def secret_key(folder: Path, *, keep: bool = True) -> str:
    """Return the key kept in `folder`, writing a new random one on first use.

    A folder that does not exist yet is not created, and without `keep`
    (nothing to serve there yet) no file is written: the key returned then
    lasts for this process only, unless a file is there already.

    The new file is written whole under a temporary name (mode 0600) and
    then linked into place, so a second process starting at the same
    moment reads the first one's key rather than a half-written file.
    An empty key file (not written by us) is an error, not replaced.
    """
    path = folder / FILE_NAME
    if not folder.is_dir() or not (keep or path.exists()):
        # Nowhere to keep it yet, or nothing to serve (a command that will
        # say there is no database, or the one that creates it): a key for
        # this process alone, so that nothing is created before it is needed.
        return secrets.token_urlsafe(50)
    try:
        if not path.exists():
            _write_once(path, secrets.token_urlsafe(50))
        key = path.read_text(encoding="ascii").strip()
    except OSError as error:
        raise SecretKeyError(
            f"cannot read or write the secret key file {path} ({error.strerror}): "
            "make ATTENDWISE_HOME writable, or set ATTENDWISE_SECRET_KEY"
        ) from None
    if not key:
        raise SecretKeyError(
            f"the secret key file {path} is empty: delete it to have a new key "
            "made, or set ATTENDWISE_SECRET_KEY"
        )
    return key


def _write_once(path: Path, key: str) -> None:
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process wrote it first: theirs is read
    finally:
        temporary.unlink(missing_ok=True)
