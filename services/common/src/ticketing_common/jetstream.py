"""The JetStream configuration, declared once: the streams, and each durable consumer's settings.

The services create the streams and consumers from these functions, and
`ticketing contracts check --live` compares a running server with the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from ticketing_common.contracts import Catalog

DEAD_LETTER_STREAM = "DEADLETTER"
DEAD_LETTER_PREFIX = "deadletter"


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the broker redelivers to one consumer."""

    ack_wait: float = 10.0
    max_deliver: int = 10
    # Delay before the n-th redelivery after a Retry or a failure; the last value repeats.
    retry_delays: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 5.0)
    batch: int = 32
    # Messages handed out and not yet settled; at least `batch`, so a fetch is never starved.
    max_ack_pending: int = 1000

    def delay_after(self, deliveries: int) -> float:
        return self.retry_delays[min(deliveries, len(self.retry_delays)) - 1]


def stream_configs(catalog: Catalog) -> list[StreamConfig]:
    """The events stream the catalog declares, and the dead-letter stream."""
    return [
        StreamConfig(
            name=catalog.stream_name,
            subjects=list(catalog.stream_subjects),
            storage=StorageType.FILE,
            duplicate_window=catalog.duplicate_window,
        ),
        StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=[f"{DEAD_LETTER_PREFIX}.>"],
            storage=StorageType.FILE,
            duplicate_window=catalog.duplicate_window,
        ),
    ]


def consumer_config(durable: str, subject: str, policy: DeliveryPolicy) -> ConsumerConfig:
    """The durable consumer of one listener: explicit acks, from the start of the stream."""
    return ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=policy.ack_wait,
        max_deliver=policy.max_deliver,
        max_ack_pending=policy.max_ack_pending,
        filter_subject=subject,
    )
