"""Durable JetStream consumers: one per (service, event type), with explicit ack decisions.

A handler's outcome maps to the broker like this:
- returns: ack;
- raises `Retry` ("not yet", e.g. a version gap): nak with the declared delay;
- raises `Reject`, or the payload breaks its contract: dead-letter and term;
- raises anything else: logged, nak with backoff; after `max_deliver` attempts, dead-letter;
- a replayed dead letter meant for another consumer: ack, untouched.

A transactional listener applies each fetched batch in one unit of work, in stream order,
and acks the batch once it has committed; if any message of the batch fails, the batch
rolls back and its messages are settled one at a time as above.

Messages are read as a tolerant reader does: properties the contract does not know are
ignored, so a producer may add optional ones within a major version.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Generic, TypeVar

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from ticketing_common import faults
from ticketing_common.bus import REPLAY_FOR_HEADER, Bus
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EventData
from ticketing_common.faults.canaries import Canary, disabled
from ticketing_common.jetstream import DeliveryPolicy as DeliveryPolicy  # for the services
from ticketing_common.jetstream import consumer_config
from ticketing_common.tasks import cancel_until_done
from ticketing_common.tracing import caused_by
from ticketing_common.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

E = TypeVar("E", bound=EventData)


class Retry(Exception):
    """Not yet: the event cannot apply now but will later (nak with delay)."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class Reject(Exception):
    """The event can never apply: dead-letter it."""


Handler = Callable[[E, Envelope], Awaitable[None]]
TransactionalHandler = Callable[[UnitOfWork, E], Awaitable[None]]
# Messages applied in one unit of work, in order: their processed-event records, then effects.
Apply = Callable[[UnitOfWork, Sequence[tuple[E, Envelope]]], Awaitable[None]]


@dataclass(frozen=True)
class Batching(Generic[E]):
    """How a transactional listener applies several messages in one unit of work."""

    db: Database
    apply: Apply[E]


@dataclass(frozen=True)
class Listener(Generic[E]):
    """One durable consumer: which event, which handler, how redelivery works.

    During a migration to a new major version a listener reads both: `event` is one model
    and `also_reads` the other major versions of the same event, and its handler accepts each.
    """

    durable: str
    event: type[E]
    handle: Handler[E]
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    also_reads: tuple[type[EventData], ...] = ()
    batching: Batching[E] | None = None

    @property
    def models(self) -> tuple[type[EventData], ...]:
        """Every model this listener reads, one per major version of its event."""
        return (self.event, *self.also_reads)

    @classmethod
    def transactional(
        cls,
        *,
        durable: str,
        event: type[E],
        db: Database,
        handle: TransactionalHandler[E],
        policy: DeliveryPolicy | None = None,
        also_reads: tuple[type[EventData], ...] = (),
    ) -> Listener[E]:
        """A listener whose effect, its events and its processed-event record commit together.

        A redelivered or duplicated event finds its record and changes nothing.
        """

        async def apply(uow: UnitOfWork, events: Sequence[tuple[E, Envelope]]) -> None:
            first_time = {envelope.id for _, envelope in events}
            if not disabled(Canary.PROCESSED_EVENT_RECORD):
                # One statement records the whole batch; only events seen for the first time apply.
                rows = await uow.conn.fetch(
                    "INSERT INTO processed_events (consumer, event_id)"
                    " SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id",
                    durable,
                    list(first_time),
                )
                first_time = {row["event_id"] for row in rows}
            for data, envelope in events:
                if envelope.id in first_time:
                    first_time.discard(envelope.id)  # a copy later in the batch changes nothing
                    # Each event's effects are written caused by that event, in stream order.
                    uow.cause = envelope.caused()
                    with caused_by(uow.cause):
                        await handle(uow, data)
                        await uow.write_events()

        async def in_transaction(data: E, envelope: Envelope) -> None:
            async with db.unit_of_work() as uow:
                await apply(uow, [(data, envelope)])

        return cls(
            durable,
            event,
            in_transaction,
            policy or DeliveryPolicy(),
            also_reads,
            Batching(db, apply),
        )


# The event models of a declaration: one, or one per major version read during a migration.
Models = type[EventData] | tuple[type[EventData], ...]
# (durable name, event model(s), handler, redelivery): one transactional listener, as declared.
Declaration = tuple[str, Models, TransactionalHandler[Any], DeliveryPolicy]


def transactional_listeners(db: Database, declared: Iterable[Declaration]) -> list[Listener[Any]]:
    """One `Listener.transactional` per declaration, all on the service's database."""
    listeners: list[Listener[Any]] = []
    for durable, models, handle, policy in declared:
        first, *others = models if isinstance(models, tuple) else (models,)
        listeners.append(
            Listener.transactional(
                durable=durable,
                event=first,
                db=db,
                handle=handle,
                policy=policy,
                also_reads=tuple(others),
            )
        )
    return listeners


class Verdict(StrEnum):
    """How one delivery ended, and so what the broker is told."""

    APPLIED = "applied"  # ack
    RETRY = "retry"  # not yet: nak with a delay
    REJECTED = "rejected"  # never: dead-letter
    FAILED = "failed"  # an unexpected error: nak with backoff, dead-letter after max_deliver
    SKIPPED = "skipped"  # a replay meant for another consumer: ack


@dataclass(frozen=True)
class Outcome:
    """What processing one message came to, and the envelope when it could be read."""

    verdict: Verdict
    reason: str = ""
    delay: float | None = None
    envelope: Envelope | None = None


class Consumer:
    """Pulls one listener's messages and settles each one; never lets an error escape."""

    def __init__(self, bus: Bus, listener: Listener[Any]) -> None:
        self.bus = bus
        self.listener = listener
        self.policy = listener.policy
        # `settle` itself, unless a chaos run's fault layer stands in between.
        self.deliver = faults.delivery(listener.durable, self.policy.ack_wait, self.settle)
        # A fault layer must see every message on its own: no batches then.
        self.batches = faults.active() is None

    def consumer_config(self) -> ConsumerConfig:
        event_type = self.listener.event.event_type
        subject = self.bus.catalog.subject_for(event_type)
        return consumer_config(self.listener.durable, subject, self.policy)

    async def run(self) -> None:
        sub = await self.subscribe()
        while True:
            try:
                msgs = await sub.fetch(self.policy.batch, timeout=1.0)
            except TimeoutError:  # nats-py raises its own subclass or asyncio's: nothing to fetch
                continue
            except Exception:
                log.exception("fetch failed for %s; retrying", self.listener.durable)
                await asyncio.sleep(1.0)
                continue
            if self.batches and len(msgs) > 1 and await self.settle_together(msgs):
                continue
            for msg in msgs:
                try:
                    await self.deliver(msg)
                except Exception:
                    # The broker is unreachable; ack_wait brings the message back.
                    log.exception("could not settle a message for %s", self.listener.durable)

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        """Create or bind the durable consumer, waiting out a broker that is not there yet."""
        config = self.consumer_config()
        assert config.filter_subject is not None
        while True:
            try:
                return await self.bus.js.pull_subscribe(
                    config.filter_subject,
                    durable=self.listener.durable,
                    stream=self.bus.catalog.stream_name,
                    config=config,
                )
            except Exception:
                log.exception("cannot subscribe %s; retrying", self.listener.durable)
                await asyncio.sleep(1.0)

    async def settle_together(self, msgs: Sequence[Msg]) -> bool:
        """Apply `msgs` in one unit of work, in order, and ack them after it commits.

        False (nothing applied, nothing acked) when the listener is not transactional, a
        message is a replay or unreadable, or any handler raises: the caller then settles
        the messages one at a time, each with its own outcome.
        """
        batching = self.listener.batching
        if batching is None or any(REPLAY_FOR_HEADER in (msg.headers or {}) for msg in msgs):
            return False
        started = time.perf_counter()
        try:
            events = [self.read(msg.data) for msg in msgs]
            async with batching.db.unit_of_work() as uow:
                await batching.apply(uow, events)
        except Exception as exc:
            log.info(
                "a batch of %d for %s falls back to one at a time: %r",
                len(msgs),
                self.listener.durable,
                exc,
            )
            return False
        seconds = (time.perf_counter() - started) / len(msgs)
        for msg, (_, envelope) in zip(msgs, events, strict=True):
            if self.bus.recorder is not None:
                self.bus.recorder.consumed(
                    self.listener.durable, msg.subject, msg.data, Verdict.APPLIED
                )
            told = "ack"
            try:
                await msg.ack()
            except Exception:
                # Redelivered after ack_wait; its processed-event record makes it a no-op.
                log.exception("could not ack a message for %s", self.listener.durable)
                told = "ack failed"
            outcome = Outcome(Verdict.APPLIED, envelope=envelope)
            self._log(outcome, told, msg.metadata.num_delivered, seconds)
        return True

    def read(self, body: bytes) -> tuple[Any, Envelope]:
        """The event a message carries, as this listener's model, and its envelope.

        Raises:
            ContractViolation: the message breaks its contract.
        """
        envelope = Envelope.from_bytes(body, self.bus.catalog)
        return envelope.payload(self.listener.models), envelope

    async def settle(self, msg: Msg) -> None:
        """Process one message and tell the broker the outcome."""
        started = time.perf_counter()
        deliveries = msg.metadata.num_delivered
        replay_for = (msg.headers or {}).get(REPLAY_FOR_HEADER)
        outcome = await self.process(msg.data, deliveries, replay_for=replay_for)
        if self.bus.recorder is not None:
            durable = self.listener.durable
            self.bus.recorder.consumed(durable, msg.subject, msg.data, outcome.verdict)
        if outcome.verdict in (Verdict.APPLIED, Verdict.SKIPPED):
            await msg.ack()
            told = "ack"
        elif outcome.verdict is Verdict.REJECTED or deliveries >= self.policy.max_deliver:
            await self.bus.dead_letter(self.listener.durable, msg, outcome.reason, deliveries)
            told = "dead-letter"
        else:
            await msg.nak(delay=outcome.delay or self.policy.delay_after(deliveries))
            told = "nak"
        self._log(outcome, told, deliveries, time.perf_counter() - started)

    def _log(self, outcome: Outcome, told: str, deliveries: int, seconds: float) -> None:
        """One line per delivery, with the event's ids: what `ticketing trace` reads."""
        envelope = outcome.envelope
        fields = {
            "consumer": self.listener.durable,
            "event_id": str(envelope.id) if envelope else None,
            "event_type": envelope.type if envelope else None,
            "outcome": outcome.verdict.value,
            "ack": told,
            "deliveries": deliveries,
            "ms": round(seconds * 1000, 1),
        }
        with caused_by(envelope.caused() if envelope else None):
            log.info(
                "%s %s: %s (%s)%s",
                self.listener.durable,
                fields["event_type"] or "message",
                outcome.verdict.value,
                told,
                f" {outcome.reason}" if outcome.reason else "",
                extra={"fields": fields},
            )

    async def process(
        self, body: bytes, deliveries: int = 1, *, replay_for: str | None = None
    ) -> Outcome:
        """Read and handle one message body; every error becomes an outcome, none escapes."""
        if replay_for is not None and replay_for != self.listener.durable:
            return Outcome(Verdict.SKIPPED, f"a replay for {replay_for}")
        try:
            envelope = Envelope.from_bytes(body, self.bus.catalog)
        except ContractViolation as exc:
            return Outcome(Verdict.REJECTED, f"contract: {exc}")
        with caused_by(envelope.caused()):
            outcome = await self._handle(envelope, deliveries)
        return replace(outcome, envelope=envelope)

    async def _handle(self, envelope: Envelope, deliveries: int) -> Outcome:
        try:
            data = envelope.payload(self.listener.models)
            await self.listener.handle(data, envelope)
        except ContractViolation as exc:
            return Outcome(Verdict.REJECTED, f"contract: {exc}")
        except Reject as exc:
            return Outcome(Verdict.REJECTED, f"rejected: {exc}")
        except Retry as exc:
            return Outcome(Verdict.RETRY, f"not applied: {exc}", exc.delay)
        except Exception as exc:
            log.exception("handler %s failed (delivery %d)", self.listener.durable, deliveries)
            return Outcome(Verdict.FAILED, f"{type(exc).__name__}: {exc}")
        return Outcome(Verdict.APPLIED)


class ConsumerGroup:
    """Runs a service's consumers as background tasks."""

    def __init__(self, bus: Bus, listeners: Sequence[Listener[Any]]) -> None:
        self.consumers = [Consumer(bus, listener) for listener in listeners]
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for consumer in self.consumers:
            self.tasks.append(asyncio.create_task(consumer.run(), name=consumer.listener.durable))

    async def stop(self) -> None:
        await cancel_until_done(self.tasks)
        self.tasks.clear()
