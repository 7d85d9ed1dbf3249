"""For tests: run the real `ticketing` command, and whole stacks started with it."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from ticketing_common.contracts import load_catalog
from ticketing_common.recording import read_records
from ticketing_harness.contracts.coverage import measure
from ticketing_harness.evidence.access import StackAccess, local_access
from ticketing_harness.local.layout import Layout
from ticketing_harness.ports import free_port
from ticketing_harness.waiting import eventually


def run_ticketing(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a child process and capture its output, as a CI log
    would: no terminal, 80 columns."""
    return subprocess.run(
        [sys.executable, "-m", "ticketing_harness", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
        check=False,
    )


def make_state_dir() -> Path:
    """A state directory PostgreSQL's own user can reach (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="ticketing-test-"))
    path.chmod(0o711)
    return path


RECORDED_EVENTS = "recorded-events"


@dataclass(frozen=True)
class RunningStack:
    """A stack started by the real CLI: its gateway URL, state directory and `up` output."""

    url: str
    state_dir: Path
    up_output: str

    @property
    def recorded_events(self) -> Path:
        """Where its services record their messages, if started with `record_events`."""
        return self.state_dir / RECORDED_EVENTS

    def ticketing(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run a `ticketing` command against this stack's state directory."""
        return run_ticketing(*args, "--state-dir", str(self.state_dir), env=env, timeout=timeout)

    def access(self) -> StackAccess:
        """Where the stack's servers listen, with their credentials."""
        return local_access(Layout(self.state_dir))

    def recorded(self) -> tuple[list[int], list[int]]:
        """The pids and the ports the state file lists."""
        state = json.loads((self.state_dir / "state.json").read_text())
        components = state["components"]
        return [item["pid"] for item in components], [item["port"] for item in components]


PORT_ATTEMPTS = 3


def start_stack(
    *options: str, env: dict[str, str] | None = None, record_events: bool = False
) -> RunningStack:
    """`ticketing up --detach` on a free port in a new state directory; raise with its output.

    With `record_events`, the services record every message they publish and consume
    (the bus's recording switch) in the stack's `recorded_events` directory.
    """
    state_dir = make_state_dir()
    if record_events:
        env = {**(env or {}), "RECORD_EVENTS_DIR": str(state_dir / RECORDED_EVENTS)}
    for _ in range(PORT_ATTEMPTS):
        # A free port may be taken by another test before nginx binds it: then try another.
        port = str(free_port())
        args = ("up", "--detach", "--port", port, "--state-dir", str(state_dir), *options)
        result = run_ticketing(*args, env=env, timeout=180)
        if f"port {port} (gateway) is already in use" not in result.stderr + result.stdout:
            break
    if result.returncode != 0:
        shutil.rmtree(state_dir, ignore_errors=True)
        raise AssertionError(f"ticketing up failed:\n{result.stdout}\n{result.stderr}")
    url = json.loads((state_dir / "state.json").read_text())["url"]
    return RunningStack(url, state_dir, result.stdout)


def stop_stack(stack: RunningStack) -> None:
    """`ticketing down`, then remove the state directory."""
    result = stack.ticketing("down")
    if result.returncode != 0:
        raise AssertionError(f"ticketing down failed:\n{result.stdout}\n{result.stderr}")
    shutil.rmtree(stack.state_dir, ignore_errors=True)


def invalid_recorded_events(recording: Path) -> list[str]:
    """Every message recorded as published that breaks its contract, one line each."""
    return measure(load_catalog(), read_records(recording)).invalid


def processes_using(directory: Path) -> list[psutil.Process]:
    """Processes with a file open (a log, a data file) or their working directory inside."""
    found = []
    for process in psutil.process_iter():
        try:
            paths = [Path(f.path) for f in process.open_files()] + [Path(process.cwd())]
        except psutil.Error:
            continue
        if any(path.is_relative_to(directory) for path in paths):
            found.append(process)
    return found


def unique(prefix: str) -> str:
    """`prefix` with a random suffix, so tests sharing a stack do not see each other's data."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Any:
    """POST until it answers 201 (the service may not have the replicated record yet); the body."""

    async def attempt() -> Any:
        response = await client.post(path, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    return await eventually(attempt, timeout=15, message=f"POST {path} answered 201")


def browser(url: str, **options: Any) -> httpx.AsyncClient:
    """A client of the stack at `url` that connects from a loopback address of its own.

    Like visitors on different machines, each counts alone against sign-in rationing, which
    goes by client address. `options` go to `httpx.AsyncClient`.
    """
    transport = httpx.AsyncHTTPTransport(local_address=loopback_address())
    return httpx.AsyncClient(base_url=url, timeout=10, transport=transport, **options)


def loopback_address() -> str:
    """A random address in 127.0.0.0/8 other than 127.0.0.1; Linux routes them all to lo."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@asynccontextmanager
async def signed_up(url: str, password: str = "secret-pass") -> AsyncIterator[httpx.AsyncClient]:
    """A client holding the session cookie of a new user, as a browser would."""
    async with browser(url) as client:
        email = f"{unique('user')}@example.com"
        body = {"email": email, "password": password}
        response = await client.post("/api/users/signup", json=body)
        if response.status_code != 201:
            raise AssertionError(f"sign-up failed: {response.status_code} {response.text}")
        yield client
