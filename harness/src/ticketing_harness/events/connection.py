"""How the commands reach the broker of a running stack, found from its state file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats

from ticketing_common.bus import Bus
from ticketing_common.contracts import Catalog, load_catalog
from ticketing_harness.components import Server
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.control import running_stack
from ticketing_harness.local.layout import Layout


def stack_nats_url(layout: Layout) -> str:
    """The NATS URL of the stack recorded in `layout`: the one place the commands learn it."""
    state = running_stack(layout)
    if state is None:
        raise HarnessError(
            f"no stack is running (state in {layout.root}); start it with `ticketing up`"
        )
    ports = [c.port for c in state.components if c.name == Server.NATS.value and c.record.alive()]
    if not ports:
        raise HarnessError("the stack's NATS server is not running; restart the stack")
    return f"nats://127.0.0.1:{ports[0]}"


@asynccontextmanager
async def tool_bus(url: str, catalog: Catalog | None = None) -> AsyncIterator[Bus]:
    """A connection for inspecting the broker: it creates nothing and publishes as no service."""
    try:
        nc = await nats.connect(
            url, name="ticketing-cli", connect_timeout=2, max_reconnect_attempts=0
        )
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        raise HarnessError(f"cannot reach NATS at {url}: {exc}") from None
    try:
        yield Bus(nc, catalog or load_catalog())
    finally:
        await nc.close()
