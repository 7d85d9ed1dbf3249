"""The CLI reports failures as one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import fcntl
import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ticketing_harness.binaries import require_binary
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import StackState
from ticketing_harness.ports import free_port
from ticketing_harness.testing.stacks import run_ticketing as ticketing


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_busy_gateway_port_is_named_with_the_process_holding_it(
    busy_port: int, state_dir: Path
) -> None:
    result = ticketing("up", "--port", str(busy_port), "--state-dir", str(state_dir))
    line = _one_error_line(result)
    me = psutil.Process()
    assert f"port {busy_port} (gateway) is already in use by pid {me.pid} ({me.name()})" in line
    assert not (state_dir / "state.json").exists()


def test_a_second_up_while_one_starts_is_refused(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with layout.lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = ticketing("up", "--port", str(free_port()), "--state-dir", str(tmp_path))
    assert "another `ticketing up` is running" in _one_error_line(result)


def test_up_refuses_when_the_recorded_stack_still_runs(tmp_path: Path) -> None:
    me = psutil.Process()
    StackState(me.pid, me.create_time(), url="http://127.0.0.1:1").save(Layout(tmp_path).state_file)
    result = ticketing("up", "--port", str(free_port()), "--state-dir", str(tmp_path))
    line = _one_error_line(result)
    assert "already running at http://127.0.0.1:1" in line
    assert "ticketing down" in line


def test_a_live_stripe_key_is_refused(tmp_path: Path) -> None:
    result = ticketing("up", "--state-dir", str(tmp_path), env={"STRIPE_SECRET_KEY": "sk_live_123"})
    assert "test-mode key" in _one_error_line(result)


def test_an_unknown_log_component_lists_the_known_ones(tmp_path: Path) -> None:
    line = _one_error_line(ticketing("logs", "nope", "--state-dir", str(tmp_path)))
    assert "no component 'nope'" in line
    assert "auth" in line
    assert "gateway" in line


def test_down_with_nothing_running_succeeds_and_says_so(tmp_path: Path) -> None:
    result = ticketing("down", "--state-dir", str(tmp_path))
    assert result.returncode == 0
    assert "Nothing is running" in result.stdout


def test_status_of_a_stopped_stack_exits_3(tmp_path: Path) -> None:
    result = ticketing("status", "--json", "--state-dir", str(tmp_path))
    assert result.returncode == 3
    assert json.loads(result.stdout)["running"] is False


def test_a_missing_program_comes_with_the_command_that_installs_it() -> None:
    with pytest.raises(HarnessError) as raised:
        require_binary("no-such-program-here", "some-package")
    message = str(raised.value)
    assert message.startswith("no-such-program-here is not installed: ")
    expected = "apt-get install some-package" if Path("/usr/bin/apt-get").exists() else "install"
    assert expected in message


def test_hosts_commands_add_report_and_remove_the_entry(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    added = ticketing("hosts", "add", "--hosts-file", str(hosts))
    assert added.returncode == 0
    assert "ticketing.dev -> 127.0.0.1: added" in added.stdout
    assert "127.0.0.1" in ticketing("hosts", "status", "--hosts-file", str(hosts)).stdout
    assert "unchanged" in ticketing("hosts", "add", "--hosts-file", str(hosts)).stdout
    removed = ticketing("hosts", "remove", "--hosts-file", str(hosts))
    assert "removed" in removed.stdout
    assert hosts.read_text() == "127.0.0.1 localhost\n"


def test_certs_creates_the_files_and_says_how_to_trust_the_ca(tmp_path: Path) -> None:
    result = ticketing("certs", "--state-dir", str(tmp_path))
    assert result.returncode == 0
    assert (tmp_path / "certs" / "ca.pem").exists()
    assert "update-ca-certificates" in result.stdout
    assert "Kept the existing" in ticketing("certs", "--state-dir", str(tmp_path)).stdout
