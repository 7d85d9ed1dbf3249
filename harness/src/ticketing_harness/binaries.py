"""Finding the system programs the stack runs, with an install hint when one is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ticketing_harness.errors import HarnessError

_INSTALLERS: tuple[tuple[str, str], ...] = (
    ("apt-get", "apt-get install {package}"),
    ("dnf", "dnf install {package}"),
    ("brew", "brew install {package}"),
    ("pacman", "pacman -S {package}"),
)
# Where nginx lies when it is not on a user's PATH (Debian puts it in /usr/sbin).
_NGINX_DIRS = ("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin", "/usr/local/bin")


def install_hint(package: str) -> str:
    """The command that installs `package` with this system's package manager."""
    for manager, command in _INSTALLERS:
        if shutil.which(manager):
            return command.format(package=package)
    return f"install {package} with your system's package manager"


def find_binary(name: str, extra_dirs: tuple[str, ...] = ()) -> Path | None:
    """`name` on PATH or in one of `extra_dirs` (e.g. /usr/sbin, not on every user's PATH)."""
    search = ":".join((*extra_dirs, os.environ.get("PATH", "")))
    found = shutil.which(name, path=search)
    return Path(found) if found else None


def require_binary(name: str, package: str, extra_dirs: tuple[str, ...] = ()) -> Path:
    """The path of `name`, or a HarnessError saying how to install it."""
    found = find_binary(name, extra_dirs)
    if found is None:
        raise HarnessError(f"{name} is not installed: {install_hint(package)}")
    return found


def nginx_binary() -> Path:
    """The nginx executable the local gateway runs, or a HarnessError saying how to install it."""
    return require_binary("nginx", "nginx", _NGINX_DIRS)
