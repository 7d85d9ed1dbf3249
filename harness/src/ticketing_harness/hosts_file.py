"""A marked ticketing.dev block in the hosts file: add, remove, status; atomic, backed up."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ticketing_harness.errors import HarnessError

DEFAULT_HOSTS_FILE = Path("/etc/hosts")
HOSTNAMES = ("ticketing.dev",)
BEGIN = "# BEGIN ticketing (managed by `ticketing hosts`)"
END = "# END ticketing"


class Change(StrEnum):
    """What an add or remove did to the file."""

    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Block:
    """Where our block sits in the file text, and the address it maps the names to."""

    start: int
    end: int
    ip: str


def backup_path(hosts_file: Path) -> Path:
    return hosts_file.with_name(hosts_file.name + ".ticketing-backup")


def status(hosts_file: Path = DEFAULT_HOSTS_FILE) -> str | None:
    """The address ticketing.dev maps to in our block, or None when there is no block."""
    block = _find_block(_read(hosts_file))
    return block.ip if block else None


def add(ip: str = "127.0.0.1", hosts_file: Path = DEFAULT_HOSTS_FILE) -> Change:
    """Map the names to `ip` in one marked block; a second call with the same ip changes nothing."""
    text = _read(hosts_file)
    block = _find_block(text)
    if block is None:
        _write(hosts_file, text, _with_block(text, ip))
        return Change.ADDED
    if block.ip == ip:
        return Change.UNCHANGED
    trailing_newline = text[block.end - 1 : block.end] == "\n"
    replacement = _block_text(ip) + ("\n" if trailing_newline else "")
    _write(hosts_file, text, text[: block.start] + replacement + text[block.end :])
    return Change.UPDATED


def remove(hosts_file: Path = DEFAULT_HOSTS_FILE) -> Change:
    """Take our block out, leaving the file exactly as it was before `add`."""
    text = _read(hosts_file)
    block = _find_block(text)
    if block is None:
        return Change.UNCHANGED
    start = block.start
    # A block written without a final newline was preceded by one we added.
    if not text[: block.end].endswith("\n") and text[:start].endswith("\n"):
        start -= 1
    _write(hosts_file, text, text[:start] + text[block.end :])
    return Change.REMOVED


def _block_text(ip: str) -> str:
    return f"{BEGIN}\n{ip} {' '.join(HOSTNAMES)}\n{END}"


def _with_block(text: str, ip: str) -> str:
    """Append the block; when the file lacks a final newline, keep that shape for removal."""
    if text and not text.endswith("\n"):
        return f"{text}\n{_block_text(ip)}"
    return f"{text}{_block_text(ip)}\n"


def _find_block(text: str) -> Block | None:
    start = text.find(BEGIN + "\n")
    if start == -1 or (start > 0 and text[start - 1] != "\n"):
        return None
    end_marker = text.find(END, start)
    if end_marker == -1:
        raise HarnessError(f"the hosts file has '{BEGIN}' without '{END}'; fix it by hand")
    end = end_marker + len(END)
    if text[end : end + 1] == "\n":
        end += 1
    body = text[start + len(BEGIN) + 1 : end_marker].split()
    ip = body[0] if body else ""
    return Block(start, end, ip)


def _read(hosts_file: Path) -> str:
    try:
        return hosts_file.read_bytes().decode()
    except FileNotFoundError:
        return ""
    except PermissionError as error:
        raise _permission_error(hosts_file, "read") from error


def _write(hosts_file: Path, old: str, new: str) -> None:
    """Keep a backup of the old text, then replace the file atomically with the same mode."""
    try:
        if hosts_file.exists():
            shutil.copy2(hosts_file, backup_path(hosts_file))
        _replace(hosts_file, new.encode())
    except PermissionError as error:
        raise _permission_error(hosts_file, "write") from error


def _replace(hosts_file: Path, data: bytes) -> None:
    mode = hosts_file.stat() if hosts_file.exists() else None
    descriptor, temp_name = tempfile.mkstemp(dir=hosts_file.parent, prefix=f".{hosts_file.name}.")
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode.st_mode & 0o7777)
            if os.geteuid() == 0:
                os.chown(temp, mode.st_uid, mode.st_gid)
        else:
            os.chmod(temp, 0o644)
        try:
            os.replace(temp, hosts_file)
        except OSError as error:
            # A bind-mounted hosts file (containers, WSL) cannot be renamed over: write in place.
            if error.errno not in (errno.EBUSY, errno.EXDEV):
                raise
            hosts_file.write_bytes(data)
    finally:
        temp.unlink(missing_ok=True)


def _permission_error(hosts_file: Path, action: str) -> HarnessError:
    return HarnessError(
        f"permission denied: cannot {action} {hosts_file}; "
        f"run the command with sudo, e.g. `sudo $(which ticketing) hosts add`"
    )
