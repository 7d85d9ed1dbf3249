"""Connecting to the stores the evidence is read from, with one clear error when one cannot be
reached."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError

from ticketing_harness.errors import HarnessError

CONNECT_SECONDS = 10.0


class StoreUnreachable(HarnessError):
    """A database, NATS or Stripe the evidence is read from did not answer."""

    def __init__(self, store: str, address: str, error: BaseException) -> None:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        super().__init__(f"cannot reach {store} at {_without_password(address)}: {reason}")


@asynccontextmanager
async def database(name: str, dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a service's database."""
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError, asyncpg.PostgresError) as error:
        raise StoreUnreachable(f"the {name} database", dsn, error) from None
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def bus(url: str) -> AsyncIterator[Client]:
    """A connection to NATS."""
    try:
        # One retry, then NoServersError; errors are raised here, not logged by the client.
        connection = await nats.connect(
            url,
            connect_timeout=CONNECT_SECONDS,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.5,
            allow_reconnect=False,
            error_cb=_ignore,
        )
    except (OSError, TimeoutError, NatsError) as error:
        raise StoreUnreachable("NATS", url, error) from None
    try:
        yield connection
    finally:
        await connection.close()


async def _ignore(error: Exception) -> None:
    pass


def _without_password(address: str) -> str:
    parts = urlsplit(address)
    if parts.password is None:
        return address
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
