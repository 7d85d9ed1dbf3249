"""Durable JetStream consumers: one per (service, event type), with explicit ack decisions.

A handler's outcome maps to the broker like this:
- returns: ack;
- raises `Retry` ("not yet", e.g. a version gap): nak with the declared delay;
- raises `Reject`, or the payload breaks its contract: dead-letter and term;
- raises anything else: logged, nak with backoff; after `max_deliver` attempts, dead-letter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ticketing_common import faults
from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EventData
from ticketing_common.faults.canaries import Canary, disabled
from ticketing_common.tasks import cancel_until_done
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


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the broker redelivers to one consumer."""

    ack_wait: float = 10.0
    max_deliver: int = 10
    # Delay before the n-th redelivery after a Retry or a failure; the last value repeats.
    retry_delays: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 5.0)
    batch: int = 32

    def delay_after(self, deliveries: int) -> float:
        return self.retry_delays[min(deliveries, len(self.retry_delays)) - 1]


Handler = Callable[[E, Envelope], Awaitable[None]]
TransactionalHandler = Callable[[UnitOfWork, E], Awaitable[None]]


@dataclass(frozen=True)
class Listener(Generic[E]):
    """One durable consumer: which event, which handler, how redelivery works."""

    durable: str
    event: type[E]
    handle: Handler[E]
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)

    @classmethod
    def transactional(
        cls,
        *,
        durable: str,
        event: type[E],
        db: Database,
        handle: TransactionalHandler[E],
        policy: DeliveryPolicy | None = None,
    ) -> Listener[E]:
        """A listener whose effect, its events and its processed-event record commit together.

        A redelivered or duplicated event finds its record and changes nothing.
        """

        async def in_transaction(data: E, envelope: Envelope) -> None:
            async with db.unit_of_work() as uow:
                first_time = disabled(Canary.PROCESSED_EVENT_RECORD) or await uow.conn.fetchval(
                    "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)"
                    " ON CONFLICT DO NOTHING RETURNING true",
                    durable,
                    envelope.id,
                )
                if first_time:
                    await handle(uow, data)

        return cls(durable, event, in_transaction, policy or DeliveryPolicy())


# (durable name, event, handler, redelivery): one transactional listener, as a service declares it.
Declaration = tuple[str, type[EventData], TransactionalHandler[Any], DeliveryPolicy]


def transactional_listeners(db: Database, declared: Iterable[Declaration]) -> list[Listener[Any]]:
    """One `Listener.transactional` per declaration, all on the service's database."""
    return [
        Listener.transactional(durable=durable, event=event, db=db, handle=handle, policy=policy)
        for durable, event, handle, policy in declared
    ]


class Consumer:
    """Pulls one listener's messages and settles each one; never lets an error escape."""

    def __init__(self, bus: Bus, listener: Listener[Any]) -> None:
        self.bus = bus
        self.listener = listener
        self.policy = listener.policy
        # `settle` itself, unless a chaos run's fault layer stands in between.
        self.deliver = faults.delivery(listener.durable, self.policy.ack_wait, self.settle)

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.listener.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.policy.ack_wait,
            max_deliver=self.policy.max_deliver,
            filter_subject=self.bus.catalog.subject_for(self.listener.event.event_type),
        )

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

    async def settle(self, msg: Msg) -> None:
        """Process one message and tell the broker the outcome."""
        deliveries = msg.metadata.num_delivered
        try:
            envelope = Envelope.from_bytes(msg.data)
            self.bus.catalog.check_data(envelope.type, envelope.data)
            data = envelope.payload()
            if not isinstance(data, self.listener.event):
                raise ContractViolation(envelope.type, f"expected {self.listener.event.event_type}")
            await self.listener.handle(data, envelope)
        except ContractViolation as exc:
            await self.bus.dead_letter(self.listener.durable, msg, f"contract: {exc}", deliveries)
        except Reject as exc:
            await self.bus.dead_letter(self.listener.durable, msg, f"rejected: {exc}", deliveries)
        except Exception as exc:
            if deliveries >= self.policy.max_deliver:
                await self.bus.dead_letter(self.listener.durable, msg, _reason(exc), deliveries)
                return
            delay = exc.delay if isinstance(exc, Retry) and exc.delay is not None else None
            if not isinstance(exc, Retry):
                log.exception("handler %s failed (delivery %d)", self.listener.durable, deliveries)
            await msg.nak(delay=delay or self.policy.delay_after(deliveries))
        else:
            await msg.ack()


def _reason(exc: Exception) -> str:
    kind = "not applied" if isinstance(exc, Retry) else type(exc).__name__
    return f"{kind}: {exc}"


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
