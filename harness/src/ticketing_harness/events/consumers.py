"""The durable consumers of the events stream and how far behind each one is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import nats.js.errors
from nats.js.api import ConsumerInfo

from ticketing_common.bus import Bus


@dataclass(frozen=True)
class ConsumerLag:
    """One durable consumer's backlog: messages not yet delivered or not yet acknowledged."""

    name: str
    subject: str
    pending: int
    ack_pending: int
    redelivered: int
    lag_messages: int
    lag_seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def consumer_lags(bus: Bus) -> list[ConsumerLag]:
    """Every durable consumer of the events stream, by name."""
    stream = bus.catalog.stream_name
    infos = await bus.js.consumers_info(stream)
    lags = [await _lag(bus, info) for info in infos if info.config.durable_name]
    return sorted(lags, key=lambda lag: lag.name)


async def _lag(bus: Bus, info: ConsumerInfo) -> ConsumerLag:
    pending, ack_pending = info.num_pending or 0, info.num_ack_pending or 0
    subject = info.config.filter_subject or ">"
    return ConsumerLag(
        name=str(info.name),
        subject=subject,
        pending=pending,
        ack_pending=ack_pending,
        redelivered=info.num_redelivered or 0,
        lag_messages=pending + ack_pending,
        lag_seconds=await _oldest_unacked_age(bus, info, subject) if pending + ack_pending else 0.0,
    )


async def _oldest_unacked_age(bus: Bus, info: ConsumerInfo, subject: str) -> float:
    """Seconds since the oldest message the consumer has not acknowledged was stored."""
    floor = info.ack_floor.stream_seq if info.ack_floor and info.ack_floor.stream_seq else 0
    try:
        oldest = await bus.js.get_msg(
            bus.catalog.stream_name, seq=floor + 1, subject=subject, next=True
        )
    except nats.js.errors.NotFoundError:
        return 0.0
    if oldest.time is None:
        return 0.0
    return max(0.0, (datetime.now(UTC) - oldest.time).total_seconds())
