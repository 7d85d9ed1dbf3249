"""A simulated bus: a stream in memory, and for each consumer the deliveries it has not
acknowledged yet, handed to the real `Consumer.settle` in whatever order the test picks."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg

from ticketing_common.bus import Bus, DeadLetter
from ticketing_common.contracts import load_catalog
from ticketing_common.listeners import Consumer, Listener
from ticketing_harness.evidence.snapshot import ConsumerState, StreamMessage
from ticketing_harness.evidence.stream import checked_message


@dataclass
class Message:
    """One message of the simulated stream."""

    seq: int
    subject: str
    payload: bytes

    @functools.cached_property
    def body(self) -> dict[str, Any]:
        return dict(json.loads(self.payload))

    @property
    def event_id(self) -> str:
        return str(self.body["id"])

    @functools.cached_property
    def on_stream(self) -> StreamMessage:
        """The message as the evidence reads a stream's, checked against its contract once."""
        return checked_message(
            seq=self.seq, subject=self.subject, msg_id=self.event_id, at=0.0, data=self.payload
        )


@dataclass
class Delivery:
    """A message a consumer has not acknowledged; `deliveries` counts the tries so far."""

    message: Message
    deliveries: int = 0


@dataclass
class SimulatedMsg(Msg):
    """A delivery as nats-py hands it over; the outcome is kept instead of sent."""

    outcome: str | None = None

    async def ack(self) -> None:
        self.outcome = "ack"

    async def nak(self, delay: float | None = None) -> None:
        self.outcome = "nak"

    async def term(self) -> None:
        self.outcome = "term"


@dataclass
class SimulatedConsumer:
    """A real consumer (`settle` and all) reading from the simulated stream."""

    consumer: Consumer
    subject: str
    pending: list[Delivery] = field(default_factory=list)
    settled: list[Message] = field(default_factory=list)
    consumer_seq: int = 0
    alone: set[str] = field(default_factory=set)  # event ids of copies given to it alone

    @property
    def name(self) -> str:
        return self.consumer.listener.durable

    async def deliver(self, index: int, *, lose_ack: bool = False) -> str:
        """Hand the `index`-th pending message to the consumer; returns how it settled."""
        delivery = self.pending[index]
        delivery.deliveries += 1
        self.consumer_seq += 1
        msg = SimulatedMsg(
            _client=None,  # type: ignore[arg-type]  # never used: the outcome stays here
            subject=delivery.message.subject,
            reply=_ack_subject(self.name, delivery, self.consumer_seq, len(self.pending)),
            data=delivery.message.payload,
        )
        await self.consumer.settle(msg)
        if msg.outcome in ("ack", "term") and not lose_ack:
            self.pending.remove(delivery)
            self.settled.append(delivery.message)
        return msg.outcome or "none"

    def copy_late(self, message: Message, *, fresh_id: bool) -> None:
        """A copy of `message` for this consumer alone, e.g. one that took a long way round."""
        payload = _with_new_id(message.payload) if fresh_id else message.payload
        copy = Message(message.seq, message.subject, payload)
        if fresh_id:
            self.alone.add(copy.event_id)
        self.pending.append(Delivery(copy))

    @property
    def state(self) -> ConsumerState:
        """As JetStream would report it: what it has not acknowledged yet."""
        return ConsumerState(self.name, self.subject, len(self.pending), 0)


def _ack_subject(consumer: str, delivery: Delivery, consumer_seq: int, pending: int) -> str:
    """The reply subject JetStream gives a delivery; nats-py reads its metadata from it."""
    seq, count = delivery.message.seq, delivery.deliveries
    return f"$JS.ACK.EVENTS.{consumer}.{count}.{seq}.{consumer_seq}.{time.time_ns()}.{pending}"


class SimulatedBus(Bus):
    """The bus the relays publish to and the consumers read from, all in memory."""

    def __init__(self) -> None:  # no connection: nothing leaves the process
        self.catalog = load_catalog()
        self.service = None  # it carries every service's events
        self.recorder = None
        self.stream: list[Message] = []
        self.consumers: list[SimulatedConsumer] = []
        self.dead: list[DeadLetter] = []
        self.copies: set[str] = set()  # event ids of copies made under a fresh id

    def attach(self, listeners: Sequence[Listener[Any]]) -> None:
        for listener in listeners:
            subject = self.catalog.subject_for(listener.event.event_type)
            self.consumers.append(SimulatedConsumer(Consumer(self, listener), subject))

    def append(self, subject: str, payload: bytes) -> Message:
        """Store a message and make it pending for every consumer of its subject."""
        message = Message(len(self.stream) + 1, subject, payload)
        self.stream.append(message)
        for consumer in self.consumers:
            if consumer.subject == subject:
                consumer.pending.append(Delivery(message))
        return message

    def copy(self, message: Message, *, fresh_id: bool) -> None:
        """A duplicate of a message, with its own event id when `fresh_id`."""
        copy = self.append(
            message.subject, _with_new_id(message.payload) if fresh_id else message.payload
        )
        if fresh_id:
            self.copies.add(copy.event_id)

    async def publish_batch(
        self, messages: Sequence[tuple[str, bytes, str]], *, timeout: float = 5.0
    ) -> list[bool]:
        for subject, payload, _ in messages:
            self.append(subject, payload)
        return [True] * len(messages)

    async def dead_letter(self, consumer: str, msg: Msg, reason: str, deliveries: int) -> None:
        self.dead.append(DeadLetter(consumer, msg.subject, reason, deliveries, msg.data))
        await msg.term()


def _with_new_id(payload: bytes) -> bytes:
    body = json.loads(payload)
    body["id"] = str(uuid.uuid4())
    return json.dumps(body, separators=(",", ":")).encode()
