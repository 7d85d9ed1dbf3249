"""The history behind a failure: every request, event, fault and row change that touched the
records a broken invariant names, in time order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ticketing_chaos.checks import CheckResult, Evidence
from ticketing_chaos.live.snapshot import StreamMessage

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


def timeline(evidence: Evidence, entities: list[str]) -> list[Entry]:
    """Everything that happened to `entities`, oldest first."""
    wanted = set(entities)
    epoch = evidence.epoch
    messages = [m for m in evidence.snapshot.stream if _about(m, wanted)]
    event_ids = {m.event_id for m in messages} | wanted
    entries = [
        Entry(op.invoked, "http", op.describe())
        for op in evidence.operations
        if op.mentions(wanted)
    ]
    entries += [Entry(m.at - epoch, "event", _event(m)) for m in messages]
    entries += [
        Entry(
            f.at - epoch,
            "fault",
            f"{f.kind} ({f.rule}) on {f.event.event_type} {f.event.event_id}"
            + (f" to {f.consumer}" if f.consumer else "")
            + _detail(f.detail),
        )
        for f in evidence.snapshot.faults
        if f.event.event_id in event_ids or f.event.record_id in wanted
    ]
    for database, data in evidence.snapshot.databases.items():
        entries += [
            Entry(row.at - epoch, database, f"{row.relation} {_row(row.row)}")
            for row in data.audit
            if wanted
            & {str(row.row.get("id")), str(row.row.get("ticket_id")), str(row.row.get("order_id"))}
        ]
    entries += [
        Entry(o.down_at - epoch, "outage", f"{o.component} down ({o.cause})")
        for o in evidence.outages
    ]
    return sorted(entries, key=lambda entry: entry.at)


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


def _detail(detail: dict[str, object]) -> str:
    return "" if not detail else " (" + ", ".join(f"{k} {v}" for k, v in detail.items()) + ")"
