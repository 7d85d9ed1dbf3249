"""Which event the expiration service consumes: order.created schedules the order's expiry."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from arq import ArqRedis

from expiration.jobs import schedule_expiry
from ticketing_common.envelope import Envelope
from ticketing_common.events import OrderCreated
from ticketing_common.listeners import DeliveryPolicy, Listener

log = logging.getLogger(__name__)

# Only fails while Redis is unreachable: keep trying for about a minute.
SCHEDULING = DeliveryPolicy(max_deliver=20, retry_delays=(0.5, 1.0, 2.0, 5.0))


def listeners(redis: ArqRedis) -> Sequence[Listener[Any]]:
    """The expiration service's consumer."""

    async def schedule(order: OrderCreated, envelope: Envelope) -> None:
        if await schedule_expiry(redis, order, envelope.caused()):
            log.info("order %s expires at %s", order.id, order.expires_at.isoformat())

    return [Listener("expiration-order-created", OrderCreated, schedule, SCHEDULING)]
