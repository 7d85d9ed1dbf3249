"""What the invariants read: the stores of a stack at rest, and what the run knows beyond them.

A part that was not read (a store a tool cannot reach, a stream a load test does not read)
is None or absent, and the checks that need it do not run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ticketing_common.bus import DeadLetter
from ticketing_harness.evidence.stripe import StripeRecords

Row = dict[str, Any]  # a row as the database has it, column to value

EVENT_DATABASES = ("tickets", "orders", "payments")  # the services with an outbox
# The replicated tables of each service's database: what the checks read and the audit keeps.
TABLES = {
    "tickets": ("tickets",),
    "orders": ("tickets", "orders"),
    "payments": ("orders", "payments"),
}


@dataclass(frozen=True)
class AuditRow:
    """One insert or update of an audited table, in the order the database made them."""

    seq: int
    at: float
    relation: str
    row: Row


@dataclass(frozen=True)
class ServiceRecords:
    """One service's database: its tables now and, when read, its outbox, what it processed
    (consumer to event ids) and the audit of its writes (None where it keeps none)."""

    tables: dict[str, list[Row]]
    outbox: list[Row] | None = None
    processed: dict[str, list[str]] | None = None
    audit: list[AuditRow] | None = None


@dataclass(frozen=True)
class StreamMessage:
    """A message of the events stream; `invalid` says how it breaks its contract, if it does."""

    seq: int
    subject: str
    msg_id: str | None
    at: float
    body: Any
    invalid: str | None

    @property
    def event_id(self) -> str | None:
        return self.body.get("id") if isinstance(self.body, dict) else None

    @property
    def event_type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None

    @property
    def data(self) -> dict[str, Any]:
        data = self.body.get("data") if isinstance(self.body, dict) else None
        return data if isinstance(data, dict) else {}


def event_id_of(payload: bytes) -> str | None:
    """The event id a message's body names (a dead letter's, say), if it is an event at all."""
    try:
        event_id = json.loads(payload).get("id")
    except (ValueError, AttributeError):
        return None
    return event_id if isinstance(event_id, str) else None


@dataclass(frozen=True)
class ConsumerState:
    """A durable consumer: its subject, and what it has not been given or not acknowledged."""

    name: str
    subject: str
    pending: int
    ack_pending: int


@dataclass(frozen=True)
class Snapshot:
    """What the stores held once the run came to rest; a database absent could not be read."""

    databases: dict[str, ServiceRecords]
    stream: list[StreamMessage] | None = None
    dead_letters: list[DeadLetter] | None = None
    consumers: list[ConsumerState] | None = None
    stripe: StripeRecords | None = None


class Explanations:
    """Why the evidence shows what an undisturbed system would not; this one explains nothing.

    A run that disturbs the system on purpose (the chaos suite's faults, its simulated
    network) says which messages it copied, which dead letters it caused, and which events
    its services announce without an outbox.
    """

    def origin(self, message: StreamMessage) -> bool:
        """Whether a message that no outbox committed has an origin the run knows of."""
        return False

    def dead_letter(self, letter: DeadLetter) -> bool:
        """Whether the run caused this dead letter on purpose."""
        return False

    def delivered_alone(self, consumer: str, event_id: str) -> bool:
        """Whether the run gave this consumer alone an event the stream does not hold."""
        return False


@dataclass(frozen=True)
class Evidence:
    """A snapshot, with what the run knows: its explanations and whose windows have passed."""

    snapshot: Snapshot
    explanations: Explanations = field(default_factory=Explanations)
    expired: frozenset[str] | None = None
    """The orders whose window has passed; None when every order's has."""

    def missing(
        self, *databases: str, history: bool = False, broker: bool = False, stripe: bool = False
    ) -> list[str]:
        """What of these parts the snapshot lacks, named for a reader; empty when it has all."""
        found = self.snapshot.databases
        lacking = [f"the {name} database" for name in databases if name not in found]
        if history and any(found[name].outbox is None for name in databases if name in found):
            lacking.append("the outboxes and processed events")
        if broker and None in (self.snapshot.stream, self.snapshot.consumers):
            lacking.append("NATS")
        if stripe and self.snapshot.stripe is None:
            lacking.append("Stripe (localstripe)")
        return lacking

    def rows(self, database: str, table: str) -> list[Row]:
        return self.snapshot.databases[database].tables[table]

    def audited(self, *databases: str) -> bool:
        """Whether each of these databases kept an audit of its writes."""
        return all(self.snapshot.databases[name].audit is not None for name in databases)

    def audit(self, database: str, relation: str) -> list[AuditRow]:
        audit = self.snapshot.databases[database].audit or []
        return [row for row in audit if row.relation == relation]

    def window_passed(self, order_id: str) -> bool:
        return self.expired is None or order_id in self.expired
