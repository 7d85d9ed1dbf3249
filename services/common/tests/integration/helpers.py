"""Sample events, and consumers running for a block, for the library tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence, Sized
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from ticketing_common.bus import Bus
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import ConsumerGroup, Listener


def ticket_created(version: int = 0, title: str = "Concert") -> TicketCreated:
    return TicketCreated(
        id=uuid.uuid4(),
        version=version,
        title=title,
        price=Decimal("19.99"),
        user_id=uuid.uuid4(),
    )


async def reached(items: Sized, count: int) -> bool:
    """For `eventually`: the list has grown to `count` items."""
    return len(items) >= count


@asynccontextmanager
async def consuming(bus: Bus, listeners: Sequence[Listener[Any]]) -> AsyncIterator[None]:
    """The listeners' consumers, running for the block."""
    group = ConsumerGroup(bus, listeners)
    await group.start()
    try:
        yield
    finally:
        await group.stop()


async def at_least(found: Awaitable[Any], count: int) -> Any:
    """For `eventually`: the awaited list, once it has `count` items (Any: `eventually` would
    otherwise hand the caller an optional list)."""
    items = await found
    return items if len(items) >= count else None
