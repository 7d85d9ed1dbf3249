"""Sample events for the library tests."""

from __future__ import annotations

import uuid
from collections.abc import Sized
from decimal import Decimal

from ticketing_common.events import TicketCreated


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
