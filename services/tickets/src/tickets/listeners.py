"""Which order events the tickets service consumes, and how their redelivery works."""

from __future__ import annotations

from typing import Any

from ticketing_common.events import OrderCancelled, OrderCompleted, OrderCreated
from ticketing_common.listeners import DeliveryPolicy, Listener, transactional_listeners
from ticketing_common.unit_of_work import Database
from tickets import handlers
from tickets.config import Settings

# A delay doubles on each redelivery, up to this many times the first one.
_BACKOFF_STEPS = 4


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """Redeliver an event that cannot apply yet with growing delays, then dead-letter it."""
    first = settings.event_retry_delay_seconds
    return DeliveryPolicy(
        max_deliver=settings.event_max_deliveries,
        retry_delays=tuple(first * 2**step for step in range(_BACKOFF_STEPS)),
    )


def listeners(db: Database, settings: Settings) -> list[Listener[Any]]:
    """order.created reserves the ticket, order.cancelled releases it, order.completed
    marks it sold."""
    policy = delivery_policy(settings)
    return transactional_listeners(
        db,
        [
            ("tickets-order-created", OrderCreated, handlers.reserve_ticket, policy),
            ("tickets-order-cancelled", OrderCancelled, handlers.release_ticket, policy),
            ("tickets-order-completed", OrderCompleted, handlers.record_sale, policy),
        ],
    )
