"""Helpers of the expiration tests: orders announced on the bus, events read back from it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import OrderCreated, OrderStatus, OrderTicket

JWT_KEY = "expiration-test-signing-key"
DURABLE = "expiration-order-created"


def order_created(expires_in: timedelta) -> OrderCreated:
    return OrderCreated(
        id=uuid.uuid4(),
        version=0,
        status=OrderStatus.CREATED,
        user_id=uuid.uuid4(),
        expires_at=datetime.now(UTC) + expires_in,
        ticket=OrderTicket(id=uuid.uuid4(), price=Decimal("20.00")),
    )


async def announce(bus: Bus, order: OrderCreated) -> int:
    """The orders service publishes the order (a new envelope each call); returns its sequence."""
    return (await bus.publish(Envelope.wrap(order))).seq


async def acked(bus: Bus, seq: int) -> bool:
    """For `eventually`: the consumer has acknowledged everything up to `seq`."""
    info = await bus.js.consumer_info(bus.catalog.stream_name, DURABLE)
    return info.ack_floor is not None and bool(info.ack_floor.stream_seq >= seq)
