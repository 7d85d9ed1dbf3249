"""An order's expiry job: scheduled once per order, announced once however often it runs."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import nats.errors
from arq import ArqRedis
from arq.worker import Retry, func

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import ExpirationComplete, OrderCreated

log = logging.getLogger(__name__)

QUEUE = "expiration:orders"
EXPIRE_ORDER = "expire_order"
MAX_RETRY_DELAY = timedelta(seconds=30)


def expiry_event_id(order_id: UUID) -> UUID:
    """The one event id of an order's expiry: every run of its job publishes the same event."""
    return uuid.uuid5(order_id, ExpirationComplete.event_type)


async def schedule_expiry(redis: ArqRedis, order: OrderCreated) -> bool:
    """Schedule the order's expiry at its expiresAt; False if it already was (same job id).

    An order announced after its window passed (the service was down) expires at once.
    """
    job = await redis.enqueue_job(
        EXPIRE_ORDER,
        str(order.id),
        _job_id=str(order.id),
        _queue_name=QUEUE,
        _defer_until=max(order.expires_at, datetime.now(UTC)),
    )
    return job is not None


async def expire_order(ctx: dict[str, Any], order_id: str) -> None:
    """Announce that the order's window has passed; while the bus is down, retry later."""
    bus: Bus = ctx["bus"]
    event = ExpirationComplete(order_id=UUID(order_id))
    envelope = Envelope.wrap(event, event_id=expiry_event_id(event.order_id))
    try:
        await bus.publish(envelope)
    except (nats.errors.Error, TimeoutError, OSError) as exc:
        delay = min(timedelta(seconds=2 ** ctx["job_try"]), MAX_RETRY_DELAY)
        log.warning("cannot announce the expiry of order %s (%s); retrying", order_id, exc)
        raise Retry(defer=delay) from exc


EXPIRE_ORDER_JOB = func(
    expire_order,
    name=EXPIRE_ORDER,
    # A finished job's result keeps its id taken, so a late duplicate order.created
    # does not schedule the expiry again.
    keep_result=timedelta(days=1),
    timeout=timedelta(seconds=30),
    # Bounded in time by arq's job expiry (one day after the due time), not by count.
    max_tries=100_000,
)
