"""The event bus on NATS JetStream: connection, stream, validated publishing, dead letters."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import Header, PubAck, StorageType, StreamConfig

from ticketing_common import faults
from ticketing_common.contracts import Catalog, load_catalog, validate_envelope
from ticketing_common.envelope import Envelope

log = logging.getLogger(__name__)

DEAD_LETTER_STREAM = "DEADLETTER"
DEAD_LETTER_PREFIX = "deadletter"
DUPLICATE_WINDOW_SECONDS = 120.0


class BusUnavailable(Exception):
    """The broker could not be reached within the deadline."""


@dataclass(frozen=True)
class DeadLetter:
    """A message no handler could apply, kept in the dead-letter stream for inspection."""

    consumer: str
    subject: str
    reason: str
    deliveries: int
    payload: bytes


class Bus:
    """A JetStream connection that publishes only contract-valid envelopes."""

    def __init__(self, nc: NatsClient, catalog: Catalog) -> None:
        self.nc = nc
        self.js: JetStreamContext = faults.jetstream(nc)  # plain unless a chaos run is on
        self.catalog = catalog

    @classmethod
    async def connect(cls, url: str, *, name: str, timeout: float = 30.0) -> Bus:
        """Connect, retrying until `timeout`; once connected, reconnect forever."""
        deadline = time.monotonic() + timeout
        delay = 0.1
        while True:
            try:
                nc = await nats.connect(
                    url,
                    name=name,
                    connect_timeout=2,
                    reconnect_time_wait=1,
                    max_reconnect_attempts=-1,
                    allow_reconnect=True,
                )
            except (TimeoutError, OSError, nats.errors.Error) as exc:
                if time.monotonic() + delay > deadline:
                    raise BusUnavailable(f"cannot reach NATS at {url}: {exc}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            bus = cls(nc, load_catalog())
            await bus.ensure_streams()
            return bus

    @property
    def is_connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def ready(self) -> bool:
        """Readiness: connected to the broker now."""
        return self.is_connected

    async def ensure_streams(self) -> None:
        """Create (or update to) the events stream and the dead-letter stream."""
        for config in (
            StreamConfig(
                name=self.catalog.stream_name,
                subjects=list(self.catalog.stream_subjects),
                storage=StorageType.FILE,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            ),
            StreamConfig(
                name=DEAD_LETTER_STREAM,
                subjects=[f"{DEAD_LETTER_PREFIX}.>"],
                storage=StorageType.FILE,
            ),
        ):
            try:
                await self.js.add_stream(config)
            except nats.js.errors.BadRequestError:
                await self.js.update_stream(config)

    async def publish(self, envelope: Envelope, *, timeout: float = 5.0) -> PubAck:
        """Validate against the contract and publish with the event id as Nats-Msg-Id."""
        validate_envelope(envelope.model_dump(mode="json", by_alias=True))
        return await self.publish_raw(
            self.catalog.subject_for(envelope.type),
            envelope.to_bytes(),
            str(envelope.id),
            timeout=timeout,
        )

    async def publish_raw(
        self, subject: str, payload: bytes, event_id: str, *, timeout: float = 5.0
    ) -> PubAck:
        """Publish bytes already validated (the outbox validated them when it stored them)."""
        return await self.js.publish(
            subject, payload, timeout=timeout, headers={Header.MSG_ID: event_id}
        )

    async def publish_batch(
        self, messages: Sequence[tuple[str, bytes, str]], *, timeout: float = 5.0
    ) -> list[bool]:
        """Publish (subject, payload, event id) triples pipelined; returns which were stored.

        A message that fails or gets no PubAck within `timeout` is reported False.
        """
        futures: list[asyncio.Future[PubAck]] = []
        try:
            for subject, payload, event_id in messages:
                futures.append(
                    await self.js.publish_async(
                        subject, payload, wait_stall=timeout, headers={Header.MSG_ID: event_id}
                    )
                )
        except Exception as exc:
            log.warning("publishing stopped after %d of %d: %s", len(futures), len(messages), exc)
        if futures:
            _, pending = await asyncio.wait(futures, timeout=timeout)
            for future in pending:
                future.cancel()
        stored = [f.done() and not f.cancelled() and f.exception() is None for f in futures]
        return stored + [False] * (len(messages) - len(futures))

    async def dead_letter(self, consumer: str, msg: Msg, reason: str, deliveries: int) -> None:
        """Keep a message that will never apply, visibly, then stop its redelivery."""
        log.error(
            "dead-lettered %s for %s after %d deliveries: %s",
            msg.subject,
            consumer,
            deliveries,
            reason,
        )
        await self.js.publish(
            f"{DEAD_LETTER_PREFIX}.{consumer}",
            msg.data,
            headers={
                "Ticketing-Consumer": consumer,
                "Ticketing-Subject": msg.subject,
                "Ticketing-Reason": reason[:1000],
                "Ticketing-Deliveries": str(deliveries),
            },
        )
        await msg.term()

    async def dead_letters(self, consumer: str) -> list[DeadLetter]:
        """The dead letters a consumer has produced, oldest first."""
        subject = f"{DEAD_LETTER_PREFIX}.{consumer}"
        info = await self.js.stream_info(DEAD_LETTER_STREAM, subjects_filter=subject)
        count = (info.state.subjects or {}).get(subject, 0)
        if not count:
            return []
        sub = await self.js.pull_subscribe(subject, stream=DEAD_LETTER_STREAM)
        try:
            msgs = await sub.fetch(count, timeout=2)
        finally:
            await sub.unsubscribe()
        return [
            DeadLetter(
                consumer=consumer,
                subject=(m.headers or {}).get("Ticketing-Subject", ""),
                reason=(m.headers or {}).get("Ticketing-Reason", ""),
                deliveries=int((m.headers or {}).get("Ticketing-Deliveries", "0")),
                payload=m.data,
            )
            for m in msgs
        ]

    async def close(self) -> None:
        # Not drain(): it would wait for messages left in stopped pull subscriptions.
        # Whatever was not acked is redelivered anyway.
        if not self.nc.is_closed:
            await self.nc.close()
