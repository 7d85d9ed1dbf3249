"""The history behind a failure: every request, event, fault and row change that touched the
records a broken invariant names, in time order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ticketing_chaos.live.journal import Journal
from ticketing_common.faults.record import InjectedFault
from ticketing_harness.evidence.results import CheckResult
from ticketing_harness.evidence.snapshot import Evidence, StreamMessage

# A failure names many records at times; the first few tell the story.
MAX_ENTITIES = 6


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: seconds since the workload started, where, what."""

    at: float
    source: str
    text: str

    def line(self) -> str:
        return f"{self.at:8.3f}s {self.source:<9} {self.text}"


def involved(results: Iterable[CheckResult]) -> list[str]:
    """The records the broken invariants name, first ones first."""
    seen: dict[str, None] = {}
    for result in results:
        for violation in result.violations[:3]:
            for entity in violation.entities:
                seen.setdefault(entity)
    return list(seen)[:MAX_ENTITIES]


def timeline(evidence: Evidence, journal: Journal, entities: list[str]) -> list[Entry]:
    """Everything that happened to `entities`, oldest first."""
    wanted = set(entities)
    epoch = journal.epoch
    entries = [
        *(
            Entry(op.invoked, "http", op.describe())
            for op in journal.operations
            if op.mentions(wanted)
        ),
        *_messages_and_faults(evidence, journal, wanted),
        *_row_changes(evidence, epoch, wanted),
        *_money(evidence, epoch, wanted),
        *(
            Entry(o.down_at - epoch, "outage", f"{o.component} down ({o.cause})")
            for o in journal.outages
        ),
    ]
    return sorted(entries, key=lambda entry: entry.at)


def _messages_and_faults(evidence: Evidence, journal: Journal, wanted: set[str]) -> list[Entry]:
    """The events about the records, and the faults that hit those events."""
    messages = [m for m in evidence.snapshot.stream or [] if _about(m, wanted)]
    event_ids = {m.event_id for m in messages} | wanted
    faults = [
        f for f in journal.faults if f.event.event_id in event_ids or f.event.record_id in wanted
    ]
    epoch = journal.epoch
    return [Entry(m.at - epoch, "event", _event(m)) for m in messages] + [
        Entry(f.at - epoch, "fault", _fault(f)) for f in faults
    ]


def _row_changes(evidence: Evidence, epoch: float, wanted: set[str]) -> list[Entry]:
    """Every write to an audited row of the records, in each service's database."""
    return [
        Entry(row.at - epoch, database, f"{row.relation} {_row(row.row)}")
        for database, records in evidence.snapshot.databases.items()
        for row in records.audit or []
        if wanted & {str(row.row.get(key)) for key in ("id", "ticket_id", "order_id")}
    ]


def _money(evidence: Evidence, epoch: float, wanted: set[str]) -> list[Entry]:
    """The records' charges on Stripe, and their refunds."""
    stripe = evidence.snapshot.stripe
    if stripe is None:
        return []
    charges = [c for c in stripe.charges if wanted & {c.id, str(c.order_id)}]
    charged = {c.id for c in charges}
    return [
        Entry(c.at - epoch, "stripe", f"charge {c.id} of {c.amount} cents for order {c.order_id}")
        for c in charges
    ] + [
        Entry(r.at - epoch, "stripe", f"refund {r.id} of {r.amount} cents of {r.payment_intent}")
        for r in stripe.refunds
        if r.payment_intent in charged
    ]


def _about(message: StreamMessage, wanted: set[str]) -> bool:
    data = message.data
    ticket = data.get("ticket")
    refs = {message.event_id, data.get("id"), data.get("orderId"), data.get("order_id")}
    if isinstance(ticket, dict):
        refs.add(ticket.get("id"))
    return bool(wanted & {str(ref) for ref in refs if ref})


def _event(message: StreamMessage) -> str:
    data = message.data
    version = f" v{data['version']}" if "version" in data else ""
    record = data.get("id") or data.get("orderId")
    extra = "".join(f" {key}={data[key]}" for key in ("price", "orderId", "status") if key in data)
    event = f"(event {message.event_id})"
    return f"#{message.seq} {message.event_type}{version} of {record}{extra} {event}"


def _row(row: dict[str, object]) -> str:
    fields = ("id", "version", "status", "order_id", "ticket_id", "price", "state")
    return " ".join(f"{key}={row[key]}" for key in fields if key in row)


def _fault(fault: InjectedFault) -> str:
    consumer = f" to {fault.consumer}" if fault.consumer else ""
    detail = ", ".join(f"{k} {v}" for k, v in fault.detail.items())
    what = f"{fault.kind} ({fault.rule}) on {fault.event.event_type} {fault.event.event_id}"
    return what + consumer + (f" ({detail})" if detail else "")
