"""For tests: evidence built by hand, a small consistent system at rest that a test then breaks
in one place (one ticket, its orders, their writes, events and charges)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ticketing_common.bus import DeadLetter
from ticketing_harness.evidence.snapshot import (
    AuditRow,
    ConsumerState,
    Evidence,
    Explanations,
    Row,
    ServiceRecords,
    Snapshot,
    StreamMessage,
)
from ticketing_harness.evidence.stripe import PaymentIntent, Refund, StripeRecords

EPOCH = 1_000_000.0  # when the scene starts, in epoch seconds
CREATED = "events.order.created"
RESERVES = "tickets-order-created"  # the consumer of order.created that records its effects


def uid() -> str:
    return str(uuid.uuid4())


@dataclass
class Scene:
    """A system at rest with its stores' contents; `sold()` fills it with one sale."""

    ticket: str = field(default_factory=uid)
    order: str = field(default_factory=uid)
    buyer: str = field(default_factory=uid)
    databases: dict[str, ServiceRecords] = field(default_factory=dict)
    stream: list[StreamMessage] = field(default_factory=list)
    intents: list[PaymentIntent] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    consumers: list[ConsumerState] = field(default_factory=list)
    explanations: Explanations = field(default_factory=Explanations)

    def __post_init__(self) -> None:
        for name in ("tickets", "orders", "payments"):
            self.databases[name] = ServiceRecords(
                tables={"tickets": [], "orders": [], "payments": []},
                outbox=[],
                processed={},
                audit=[],
            )

    def table(self, database: str, table: str) -> list[Row]:
        return self.databases[database].tables[table]

    def outbox(self, database: str) -> list[Row]:
        outbox = self.databases[database].outbox
        assert outbox is not None
        return outbox

    def processed(self, database: str) -> dict[str, list[str]]:
        """Consumer to the event ids it recorded as applied."""
        processed = self.databases[database].processed
        assert processed is not None
        return processed

    def audit(self, database: str, relation: str, at: float, **row: Any) -> None:
        """A write of `row` to `relation` at `at` seconds into the scene."""
        rows = self.databases[database].audit
        assert rows is not None
        rows.append(
            AuditRow(len(rows) + 1, EPOCH + at, relation, json.loads(json.dumps(row, default=str)))
        )

    def sold(self, price: str = "20.00") -> Scene:
        """The ticket listed at version 0, ordered (v1 reserved) and paid: one charge kept."""
        ticket = {
            "id": uuid.UUID(self.ticket),
            "title": "Show",
            "price": Decimal(price),
            "version": 1,
            "order_id": uuid.UUID(self.order),
        }
        self.table("tickets", "tickets").append(ticket)
        self.table("orders", "tickets").append(dict(ticket))
        order = {
            "id": uuid.UUID(self.order),
            "user_id": uuid.UUID(self.buyer),
            "status": "complete",
            "version": 1,
        }
        self.table("orders", "orders").append(
            {**order, "ticket_id": uuid.UUID(self.ticket), "refunded_at": None}
        )
        self.table("payments", "orders").append({**order, "price": Decimal(price)})
        cents = int(Decimal(price) * 100)
        self.table("payments", "payments").append(
            {
                "id": uuid.uuid4(),
                "order_id": uuid.UUID(self.order),
                "state": "charged",
                "amount_cents": cents,
                "stripe_id": "pi_1",
            }
        )
        self.intents.append(PaymentIntent("pi_1", self.order, cents, "usd", "succeeded"))
        self.order_change(1.0, "created", 0)
        self.hold(1.1, self.order, 1)
        self.order_change(2.0, "complete", 1)
        return self

    def double_booked(self) -> str:
        """A second order that held the sold ticket for a while; returns its id."""
        other = uid()
        self.order_change(1.5, "created", 0, other)
        self.order_change(3.0, "cancelled", 1, other)
        return other

    def order_change(self, at: float, status: str, version: int, order: str | None = None) -> None:
        """An order of the scene's ticket (its own, unless another) written at `at`."""
        row = {"id": order or self.order, "ticket_id": self.ticket}
        self.audit("orders", "orders", at, **row, status=status, version=version)

    def hold(self, at: float, order: str | None, version: int) -> None:
        """The tickets service sets the ticket's holder at `at`."""
        self.audit("tickets", "tickets", at, id=self.ticket, order_id=order, version=version)

    def delivered(self) -> str:
        """An order.created of the scene's order, committed by orders, on the stream, applied
        by tickets' consumer; returns its event id."""
        event_id = uid()
        self.outbox("orders").append(
            {"seq": 1, "event_id": event_id, "event_type": "order.created",
             "subject": CREATED, "sent": True, "at": EPOCH}
        )  # fmt: skip
        self.stream.append(
            message(len(self.stream) + 1, "order.created", {"id": self.order}, event_id)
        )
        self.consumers.append(ConsumerState(RESERVES, CREATED, 0, 0))
        self.processed("tickets")[RESERVES] = [event_id]
        return event_id

    def copied(self) -> StreamMessage:
        """A copy of the scene's order.created under a fresh event id, on the stream and applied
        by tickets' consumer, which no outbox committed."""
        copy = message(len(self.stream) + 1, "order.created", {"id": self.order})
        self.stream.append(copy)
        self.processed("tickets")[RESERVES].append(str(copy.event_id))
        return copy

    def dead_letter(self, event_id: str, consumer: str = "tickets-order-created") -> None:
        """The consumer gave up on the event after ten deliveries."""
        payload = json.dumps({"id": event_id}).encode()
        self.dead_letters.append(DeadLetter(consumer, CREATED, "gap", 10, payload))

    def snapshot(self) -> Snapshot:
        stripe = StripeRecords(self.intents, self.refunds)
        return Snapshot(self.databases, self.stream, self.dead_letters, self.consumers, stripe)

    def evidence(self) -> Evidence:
        return Evidence(self.snapshot(), self.explanations)


def message(
    seq: int,
    event_type: str,
    data: dict[str, Any],
    event_id: str | None = None,
    invalid: str | None = None,
) -> StreamMessage:
    """A message of the events stream, `seq` seconds into the scene."""
    event_id = event_id or uid()
    body = {"id": event_id, "type": event_type, "data": data}
    return StreamMessage(seq, f"events.{event_type}", event_id, EPOCH + seq, body, invalid)
