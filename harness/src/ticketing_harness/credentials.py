"""Generated credentials kept in files only their owner can read: passwords and signing keys."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret_in(path: Path) -> str:
    """The secret stored at `path`, made (random, URL-safe, mode 0600) the first time it is asked.

    The same file answers the same secret across restarts, so data protected by it stays
    reachable; deleting the file (with the data, as `ticketing up --fresh` does) makes a new one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """Write a file that holds a credential, readable by its owner only."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)
