"""Pytest fixtures with real servers: one set per session (per xdist worker), clean per test.

Session servers: ``nats_server``, ``postgres_server``, ``redis_server``, ``stripe_server``.
Per test: ``nats_url`` (no streams), ``bus`` (a connection to it), ``database_factory`` and
``database_dsn`` (fresh databases, dropped afterwards), ``redis_url`` (flushed),
``stripe_api_base`` (flushed).
Tests that stop or restart a server use ``private_nats_server``, ``private_postgres_server``,
``private_redis_server`` or ``private_stripe_server``, which belong to that test alone.
Whole system: ``stack``, started with ``ticketing up --detach`` once per session; mark its
tests ``pytest.mark.xdist_group("stack")`` so that one worker runs them all on one stack.
With ``TICKETING_TEST_REPLICAS=orders=3,...`` it runs several processes per service
(``nox -s replicas``). Browser tests: ``chromium``, headless Chromium through Playwright.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
import pytest_asyncio

from ticketing_common.bus import Bus
from ticketing_harness.servers import NatsServer, PostgresServer, RedisServer, StripeServer
from ticketing_harness.testing.chromium import headless_chromium
from ticketing_harness.testing.stacks import (
    RunningStack,
    invalid_recorded_events,
    start_stack,
    stop_stack,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser

REPLICAS_VARIABLE = "TICKETING_TEST_REPLICAS"


class DatabaseFactory(Protocol):
    """Creates a fresh, uniquely named database and returns its DSN."""

    async def __call__(self, prefix: str = "t") -> str: ...


@contextlib.contextmanager
def _postgres_directory(fallback: Path) -> Iterator[Path]:
    """Yield ``fallback``, unless we are root: then a /tmp directory the server user can reach.

    pytest's temporary directories are private to their owner, and PostgreSQL runs as an
    unprivileged user when we are root.
    """
    if os.geteuid() != 0:
        yield fallback
        return
    directory = Path(tempfile.mkdtemp(prefix="ticketing-postgres-"))
    directory.chmod(0o711)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """NATS with JetStream, shared by the session."""
    with NatsServer(tmp_path_factory.mktemp("nats")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """PostgreSQL without durability (fast), shared by the session."""
    with (
        _postgres_directory(tmp_path_factory.mktemp("postgres")) as directory,
        PostgresServer(directory, fast=True) as server,
    ):
        yield server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Redis, shared by the session."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def stripe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeServer]:
    """localstripe, shared by the session."""
    with StripeServer(tmp_path_factory.mktemp("stripe")) as server:
        yield server


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    """The whole system, started by the real CLI in a state directory of its own.

    It records every message its services publish and consume; once stopped, each one
    published must have been valid under its contract, or the session fails here.
    """
    replicas = os.environ.get(REPLICAS_VARIABLE)
    running = start_stack(*(("--replicas", replicas) if replicas else ()), record_events=True)
    yield running
    invalid = invalid_recorded_events(running.recorded_events)
    stop_stack(running)
    assert not invalid, "published events broke their contracts:\n" + "\n".join(invalid)


@pytest_asyncio.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium, for one test."""
    async with headless_chromium() as browser:
        yield browser


@pytest_asyncio.fixture
async def nats_url(nats_server: NatsServer) -> str:
    """URL of the shared NATS server, with every JetStream stream deleted first."""
    await nats_server.delete_streams()
    return nats_server.url


@pytest_asyncio.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    """The test's own connection to the real bus, e.g. to inject other services' events."""
    bus = await Bus.connect(nats_url, name="test")
    yield bus
    await bus.close()


@pytest_asyncio.fixture
async def database_factory(postgres_server: PostgresServer) -> AsyncIterator[DatabaseFactory]:
    """``await make_database(prefix)`` creates a fresh database; all are dropped after the test."""
    names: list[str] = []

    async def make_database(prefix: str = "t") -> str:
        names.append(f"{prefix}_{uuid.uuid4().hex[:12]}")
        return await postgres_server.create_database(names[-1])

    yield make_database
    for name in names:
        await postgres_server.drop_database(name)


@pytest_asyncio.fixture
async def database_dsn(database_factory: DatabaseFactory) -> str:
    """DSN of a fresh database of this test's own."""
    return await database_factory()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """URL of the shared Redis server, flushed first."""
    redis_server.execute("FLUSHALL")
    return redis_server.url


@pytest.fixture
def stripe_api_base(stripe_server: StripeServer) -> str:
    """API base of the shared localstripe, emptied first."""
    stripe_server.flush()
    return stripe_server.api_base


@pytest.fixture
def private_nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS server of this test's own, free to stop, kill and restart."""
    with NatsServer(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def private_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of this test's own, free to stop, kill and restart."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def private_postgres_server(tmp_path: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, free to stop, kill and restart."""
    with (
        _postgres_directory(tmp_path / "postgres") as directory,
        PostgresServer(directory, fast=True) as server,
    ):
        yield server


@pytest.fixture
def private_stripe_server(tmp_path: Path) -> Iterator[StripeServer]:
    """A localstripe of this test's own, free to stop, kill and restart."""
    with StripeServer(tmp_path / "stripe") as server:
        yield server
