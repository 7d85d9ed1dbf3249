"""The event bus on NATS JetStream: connection, stream, validated publishing, dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, Header, PubAck

from ticketing_common import faults
from ticketing_common.config import BusSettings
from ticketing_common.contracts import Catalog, load_catalog
from ticketing_common.envelope import Envelope
from ticketing_common.jetstream import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, stream_configs
from ticketing_common.recording import EventRecorder

log = logging.getLogger(__name__)

# A replayed dead letter carries the consumer it is for; every other consumer skips it.
REPLAY_FOR_HEADER = "Ticketing-Replay-For"


def without_credentials(url: str) -> str:
    """The URL to show in a message: its user and password left out."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


class BusUnavailable(Exception):
    """The broker could not be reached within the deadline."""


class DeadLetterNotFound(Exception):
    """No dead letter has that sequence number (never, or already replayed)."""


@dataclass(frozen=True)
class DeadLetter:
    """A message no handler could apply, kept in the dead-letter stream for inspection."""

    consumer: str
    subject: str
    reason: str
    deliveries: int
    payload: bytes
    seq: int = 0
    time: datetime | None = None


class Bus:
    """A JetStream connection that publishes only contract-valid envelopes.

    A service's bus carries its name: it publishes only the events the catalog lets that
    service publish. A bus without one (a test injecting other services' events, a tool)
    publishes any declared event.
    """

    def __init__(
        self,
        nc: NatsClient,
        catalog: Catalog,
        *,
        service: str | None = None,
        recorder: EventRecorder | None = None,
    ) -> None:
        self.nc = nc
        self.js: JetStreamContext = faults.jetstream(nc)  # plain unless a chaos run is on
        self.catalog = catalog
        self.service = service
        self.recorder = recorder

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        name: str,
        service: str | None = None,
        catalog: Catalog | None = None,
        recorder: EventRecorder | None = None,
        timeout: float = 30.0,
    ) -> Bus:
        """Connect, retrying until `timeout`; once connected, reconnect forever."""
        deadline = time.monotonic() + timeout
        delay = 0.1
        while True:
            try:
                # nats-py retries a first connection forever when it may reconnect forever.
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.1)):
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
                    where, why = without_credentials(url), str(exc) or "no answer in time"
                    raise BusUnavailable(f"cannot reach NATS at {where}: {why}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            bus = cls(nc, catalog or load_catalog(), service=service, recorder=recorder)
            await bus.ensure_streams()
            return bus

    @classmethod
    async def for_service(cls, settings: BusSettings, service: str) -> Bus:
        """The bus of a running service: named as the catalog names it, recording if asked."""
        recorder = (
            EventRecorder(settings.record_events_dir, service)
            if settings.record_events_dir is not None
            else None
        )
        return await cls.connect(
            settings.nats_url, name=settings.service_name, service=service, recorder=recorder
        )

    @property
    def is_connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def ready(self) -> bool:
        """Readiness: connected to the broker now."""
        return self.is_connected

    async def ensure_streams(self) -> None:
        """Create (or update to) the events stream and the dead-letter stream."""
        for config in stream_configs(self.catalog):
            try:
                await self.js.add_stream(config)
            except nats.js.errors.BadRequestError:
                await self.js.update_stream(config)

    async def publish(self, envelope: Envelope, *, timeout: float = 5.0) -> PubAck:
        """Validate against the contract and publish with the event id as Nats-Msg-Id.

        Raises:
            ContractViolation: the envelope breaks its contract, or this bus's service may not
                publish the event.
        """
        if self.service is not None:
            self.catalog.check_publisher(envelope.type, self.service)
        self.catalog.validate_envelope(envelope.to_wire())
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
        ack = await self.js.publish(
            subject, payload, timeout=timeout, headers={Header.MSG_ID: event_id}
        )
        if self.recorder is not None:
            self.recorder.published(subject, payload)
        return ack

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
        if self.recorder is not None:
            for (subject, payload, _), ok in zip(messages, stored, strict=False):
                if ok:
                    self.recorder.published(subject, payload)
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

    async def dead_letters(self, consumer: str | None = None) -> list[DeadLetter]:
        """The dead letters of one consumer (default: of all), oldest first."""
        subject = f"{DEAD_LETTER_PREFIX}.{consumer or '>'}"
        info = await self.js.stream_info(DEAD_LETTER_STREAM, subjects_filter=subject)
        count = sum((info.state.subjects or {}).values())
        if not count:
            return []
        config = ConsumerConfig(ack_policy=AckPolicy.NONE, inactive_threshold=10.0)
        sub = await self.js.pull_subscribe(subject, stream=DEAD_LETTER_STREAM, config=config)
        try:
            msgs = await sub.fetch(count, timeout=5)
        finally:
            await sub.unsubscribe()
        return [
            _dead_letter(m.headers, m.data, m.metadata.sequence.stream, m.metadata.timestamp)
            for m in msgs
        ]

    async def replay_dead_letter(self, seq: int) -> DeadLetter:
        """Send a dead letter back to its consumer alone, once; it leaves the dead-letter stream.

        Raises:
            DeadLetterNotFound: no dead letter has that sequence number.
        """
        try:
            raw = await self.js.get_msg(DEAD_LETTER_STREAM, seq)
        except nats.js.errors.NotFoundError:
            raise DeadLetterNotFound(f"no dead letter {seq}") from None
        letter = _dead_letter(raw.headers, raw.data or b"", seq, raw.time)
        await self.js.publish(
            letter.subject,
            letter.payload,
            headers={
                # Sent once: a second replay of the same letter is a duplicate to the broker.
                Header.MSG_ID: f"replay-{DEAD_LETTER_STREAM}-{seq}",
                REPLAY_FOR_HEADER: letter.consumer,
            },
        )
        await self.js.delete_msg(DEAD_LETTER_STREAM, seq)
        return letter

    async def close(self) -> None:
        # Not drain(): it would wait for messages left in stopped pull subscriptions.
        # Whatever was not acked is redelivered anyway.
        if not self.nc.is_closed:
            # While the broker is gone, flushing the last writes fails: there is nothing to keep.
            with contextlib.suppress(ConnectionError):
                await self.nc.close()


def _dead_letter(
    headers: dict[str, str] | None, payload: bytes, seq: int, at: datetime | None
) -> DeadLetter:
    headers = headers or {}
    return DeadLetter(
        consumer=headers.get("Ticketing-Consumer", ""),
        subject=headers.get("Ticketing-Subject", ""),
        reason=headers.get("Ticketing-Reason", ""),
        deliveries=int(headers.get("Ticketing-Deliveries", "0")),
        payload=payload,
        seq=seq,
        time=at,
    )
