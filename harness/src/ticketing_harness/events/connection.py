"""How the commands reach the broker: a connection that inspects and creates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats

from ticketing_common.bus import Bus, without_credentials
from ticketing_common.contracts import Catalog, load_catalog
from ticketing_harness.errors import HarnessError


@asynccontextmanager
async def tool_bus(url: str, catalog: Catalog | None = None) -> AsyncIterator[Bus]:
    """A connection for inspecting the broker: it creates nothing and publishes as no service."""
    try:
        nc = await nats.connect(
            url, name="ticketing-cli", connect_timeout=2, max_reconnect_attempts=0
        )
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        raise HarnessError(f"cannot reach NATS at {without_credentials(url)}: {exc}") from None
    try:
        yield Bus(nc, catalog or load_catalog())
    finally:
        await nc.close()
