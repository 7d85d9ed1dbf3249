"""The ticketing.dev block in a hosts file."""

from __future__ import annotations

import os
import pwd
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketing_harness import hosts_file as hosts
from ticketing_harness.errors import HarnessError
from ticketing_harness.hosts_file import Change

ORIGINAL = b"127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n# a comment\n"


@pytest.fixture
def hosts_file(tmp_path: Path) -> Path:
    path = tmp_path / "hosts"
    path.write_bytes(ORIGINAL)
    path.chmod(0o644)
    return path


def test_add_maps_ticketing_dev_to_the_ip(hosts_file: Path) -> None:
    assert hosts.add("127.0.0.1", hosts_file) is Change.ADDED
    assert hosts.status(hosts_file) == "127.0.0.1"
    assert "127.0.0.1 ticketing.dev\n" in hosts_file.read_text()
    assert hosts_file.read_bytes().startswith(ORIGINAL)


def test_add_twice_changes_nothing_the_second_time(hosts_file: Path) -> None:
    hosts.add("127.0.0.1", hosts_file)
    after_first = hosts_file.read_bytes()
    assert hosts.add("127.0.0.1", hosts_file) is Change.UNCHANGED
    assert hosts_file.read_bytes() == after_first


def test_add_with_another_ip_updates_the_block_in_place(hosts_file: Path) -> None:
    hosts.add("127.0.0.1", hosts_file)
    assert hosts.add("10.1.2.3", hosts_file) is Change.UPDATED
    assert hosts.status(hosts_file) == "10.1.2.3"
    assert hosts_file.read_text().count(hosts.BEGIN) == 1


@pytest.mark.parametrize(
    "original",
    [ORIGINAL, b"127.0.0.1 localhost", b"", b"a\n\n\n", b"x\r\ny\r\n"],
    ids=["normal", "no-final-newline", "empty", "blank-lines", "crlf"],
)
def test_remove_restores_the_file_byte_for_byte(tmp_path: Path, original: bytes) -> None:
    path = tmp_path / "hosts"
    path.write_bytes(original)
    hosts.add("127.0.0.1", path)
    hosts.add("10.0.0.1", path)
    assert hosts.remove(path) is Change.REMOVED
    assert path.read_bytes() == original


def test_remove_without_a_block_changes_nothing(hosts_file: Path) -> None:
    assert hosts.remove(hosts_file) is Change.UNCHANGED
    assert hosts.status(hosts_file) is None
    assert hosts_file.read_bytes() == ORIGINAL


def test_remove_keeps_lines_added_after_the_block(hosts_file: Path) -> None:
    hosts.add("127.0.0.1", hosts_file)
    with hosts_file.open("ab") as handle:
        handle.write(b"192.0.2.1 later.example\n")
    hosts.remove(hosts_file)
    assert hosts_file.read_bytes() == ORIGINAL + b"192.0.2.1 later.example\n"


def test_a_change_keeps_a_backup_of_the_previous_file(hosts_file: Path) -> None:
    hosts.add("127.0.0.1", hosts_file)
    assert hosts.backup_path(hosts_file).read_bytes() == ORIGINAL


def test_the_write_keeps_the_file_mode(hosts_file: Path) -> None:
    hosts_file.chmod(0o640)
    hosts.add("127.0.0.1", hosts_file)
    assert stat.S_IMODE(hosts_file.stat().st_mode) == 0o640
    assert [p.name for p in hosts_file.parent.iterdir() if p.name.startswith(".hosts")] == []


@pytest.fixture
def unwritable_hosts_file() -> Iterator[Path]:
    """A hosts file the test process may read but not change (as root: one it runs as nobody)."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        folder.chmod(0o755)
        path = folder / "hosts"
        path.write_bytes(ORIGINAL)
        path.chmod(0o644)
        if os.geteuid() != 0:
            path.chmod(0o444)
            folder.chmod(0o555)
        yield path
        folder.chmod(0o755)


def _add_as_nobody(path: Path) -> str:
    """Run `hosts.add` in a forked child that dropped root; return the error it reported."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        message = "no error"
        try:
            nobody = pwd.getpwnam("nobody")
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            hosts.add("127.0.0.1", path)
        except HarnessError as error:
            message = str(error)
        finally:
            os.write(write_end, message.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        message = reader.read()
    os.waitpid(pid, 0)
    return message


def test_lacking_permission_gives_a_clear_message(unwritable_hosts_file: Path) -> None:
    if os.geteuid() == 0:
        message = _add_as_nobody(unwritable_hosts_file)
    else:
        with pytest.raises(HarnessError) as raised:
            hosts.add("127.0.0.1", unwritable_hosts_file)
        message = str(raised.value)
    assert message.startswith(f"permission denied: cannot write {unwritable_hosts_file}")
    assert "sudo" in message
    assert unwritable_hosts_file.read_bytes() == ORIGINAL
