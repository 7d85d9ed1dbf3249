"""`up`, `status`, `logs` and `down` on a real stack: data survives, nothing is left behind."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil
import pytest

from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.local.layout import COMPONENT_NAMES, Layout
from ticketing_harness.local.state import StackState
from ticketing_harness.ports import ensure_free, free_port
from ticketing_harness.testing.stacks import (
    RunningStack,
    make_state_dir,
    processes_using,
    run_ticketing,
    start_stack,
    stop_stack,
    unique,
)
from ticketing_harness.waiting import wait_until

# A whole stack starts within the first test of the group: allow it the time.
pytestmark = [pytest.mark.xdist_group("lifecycle"), pytest.mark.timeout(300)]

CREDENTIALS = {"email": f"{unique('keeper')}@example.com", "password": "secret-pass"}


def _status(stack: RunningStack) -> dict[str, object]:
    result = stack.ticketing("status", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    body: dict[str, object] = json.loads(result.stdout)
    return body


def _running(pid: int) -> bool:
    """A zombie has ended: where init does not reap orphans, they linger as zombies."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _assert_nothing_left(stack: RunningStack, pids: list[int], ports: list[int]) -> None:
    assert [pid for pid in pids if _running(pid)] == []
    for port in ports:
        ensure_free(port, "a port the stack used")
    assert processes_using(stack.state_dir) == []


def test_detached_and_foreground_runs_keep_data_and_leave_nothing_behind() -> None:
    stack = start_stack()
    try:
        ready = re.search(r"Ready in ([\d.]+)s", stack.up_output)
        assert ready, stack.up_output
        print(f"cold up to all-ready: {ready.group(1)}s")
        status = _status(stack)
        assert status["ready"] is True
        components = status["components"]
        assert isinstance(components, list)
        assert {item["name"] for item in components} == set(COMPONENT_NAMES)
        signup = httpx.post(f"{stack.url}/api/users/signup", json=CREDENTIALS)
        assert signup.status_code == 201, signup.text

        second = stack.ticketing("up", "--detach", "--port", stack.url.rsplit(":", 1)[1])
        assert second.returncode == 1
        assert "already running" in second.stderr

        logs = stack.ticketing("logs", "auth", "--lines", "5")
        assert logs.returncode == 0
        assert logs.stdout.strip()

        pids, ports = stack.recorded()
        down = stack.ticketing("down")
        assert down.returncode == 0, down.stdout + down.stderr
        _assert_nothing_left(stack, pids, ports)
        again = stack.ticketing("down")
        assert again.returncode == 0
        assert "Nothing is running" in again.stdout

        with _foreground_up(stack) as foreground:
            signin = httpx.post(f"{stack.url}/api/users/signin", json=CREDENTIALS)
            assert signin.status_code == 200, signin.text
            pids, ports = stack.recorded()
            foreground.send_signal(signal.SIGINT)
            output, _ = foreground.communicate(timeout=60)
        assert foreground.returncode == 0, output
        assert "Stopped." in output
        _assert_nothing_left(stack, pids, ports)
    finally:
        stop_stack(stack)


@contextmanager
def _foreground_up(stack: RunningStack) -> Iterator[subprocess.Popen[str]]:
    """`ticketing up` in the foreground, as in a terminal; yields once the stack is ready."""
    port = stack.url.rsplit(":", 1)[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ticketing_harness",
            "up",
            "--port",
            port,
            "--state-dir",
            str(stack.state_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A terminal's Ctrl-C must reach it even if this test runner ignores SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        state_file = Layout(stack.state_dir).state_file

        def ready() -> bool:
            state = StackState.load(state_file) if state_file.exists() else None
            return process.poll() is not None or (state is not None and state.status == "ready")

        assert wait_until(ready, timeout=120)
        assert process.poll() is None, process.communicate()[0]
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_a_service_that_fails_to_start_is_named_with_its_log_and_the_rest_stopped() -> None:
    state_dir = make_state_dir()
    result = run_ticketing(
        "up",
        "--detach",
        "--port",
        str(free_port()),
        "--state-dir",
        str(state_dir),
        env={"LOG_LEVEL": "NOT-A-LEVEL"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = re.search(r"error: (\w+) exited (with code \d+ )?while starting", result.stderr)
    assert failed, result.stderr
    assert failed.group(1) in SERVICE_NAMES
    assert "LOG_LEVEL" in result.stderr
    assert processes_using(state_dir) == []
    assert not (state_dir / "state.json").exists()
