"""Evidence for the invariant checks, built by hand: one ticket, its orders, their events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ticketing_chaos.checks import Evidence
from ticketing_chaos.live.nemesis import Outage
from ticketing_chaos.live.snapshot import (
    AuditRow,
    Charge,
    ConsumerState,
    DeadLetterMessage,
    Refund,
    ServiceData,
    Snapshot,
    StreamMessage,
)
from ticketing_chaos.workload.history import Operation
from ticketing_common.faults.record import InjectedFault

EPOCH = 1_000_000.0


def uid() -> str:
    return str(uuid.uuid4())


@dataclass
class Scene:
    """A small, consistent system at rest; tests then break one thing in it."""

    ticket: str = field(default_factory=uid)
    order: str = field(default_factory=uid)
    databases: dict[str, ServiceData] = field(default_factory=dict)
    stream: list[StreamMessage] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    faults: list[InjectedFault] = field(default_factory=list)
    dead_letters: list[DeadLetterMessage] = field(default_factory=list)
    consumers: list[ConsumerState] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    openapi: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("tickets", "orders", "payments"):
            self.databases[name] = ServiceData(
                tables={"tickets": [], "orders": [], "payments": []},
                outbox=[],
                processed={},
                audit=[],
            )

    def table(self, database: str, table: str) -> list[dict[str, Any]]:
        return self.databases[database].tables[table]

    def audit(self, database: str, relation: str, at: float, **row: Any) -> None:
        rows = self.databases[database].audit
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
            "ticket_id": uuid.UUID(self.ticket),
            "status": "complete",
            "version": 1,
        }
        self.table("orders", "orders").append({**order, "refunded_at": None})
        self.table("payments", "orders").append({**order, "price": Decimal(price)})
        self.table("payments", "payments").append(
            {"order_id": uuid.UUID(self.order), "state": "charged", "stripe_id": "pi_1"}
        )
        self.charges.append(Charge("pi_1", self.order, int(Decimal(price) * 100)))
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

    def evidence(self) -> Evidence:
        snapshot = Snapshot(
            self.databases,
            self.stream,
            self.dead_letters,
            self.consumers,
            self.charges,
            self.refunds,
            self.faults,
        )
        return Evidence(snapshot, self.operations, EPOCH, self.outages, self.openapi)


def message(
    seq: int,
    event_type: str,
    data: dict[str, Any],
    event_id: str | None = None,
    invalid: str | None = None,
) -> StreamMessage:
    event_id = event_id or uid()
    body = {"id": event_id, "type": event_type, "data": data}
    return StreamMessage(seq, f"events.{event_type}", event_id, EPOCH + seq, body, invalid)
