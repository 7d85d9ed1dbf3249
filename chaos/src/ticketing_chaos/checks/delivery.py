"""I6 no event lost, none unexplained, each applied once by each consumer; I7 every event on
the wire kept its contract."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

from expiration.jobs import expiry_event_id
from ticketing_chaos.checks.base import CheckResult, Evidence, Violation, ids
from ticketing_chaos.live.snapshot import StreamMessage
from ticketing_common.faults.plan import FaultKind

# The consumers that record each event they apply, with its effect, in their database.
# The other consumers' effects are checked where they show: expiration's by every order's
# expiry event, payments' cancellation handling by the money.
RECORDS_EFFECTS = {
    "tickets": ("tickets-order-created", "tickets-order-cancelled", "tickets-order-completed"),
    "orders": (
        "orders-ticket-created",
        "orders-ticket-updated",
        "orders-expiration-complete",
        "orders-payment-created",
        "orders-payment-refunded",
    ),
    "payments": ("payments-order-created", "payments-order-completed"),
}
EFFECTS_CHECKED_ELSEWHERE = ("expiration-order-created", "payments-order-cancelled")


def nothing_lost(evidence: Evidence) -> CheckResult:
    """Committed means published, published means applied by every consumer, once."""
    stream = evidence.snapshot.stream
    on_wire = {m.event_id for m in stream if m.event_id}
    violations = [*_published(evidence, on_wire), *_explained(evidence, stream)]
    violations += _applied_once(evidence, stream)
    violations += _expiries(evidence, on_wire)
    violations += [
        Violation(
            f"consumer {c.name} still has {c.pending} pending and {c.ack_pending} unacknowledged",
            (c.name,),
        )
        for c in evidence.snapshot.consumers
        if c.pending or c.ack_pending
    ]
    violations += _dead_letters(evidence)
    committed = sum(len(data.outbox) for data in evidence.snapshot.databases.values())
    return CheckResult(
        "I6",
        "no event lost; each applied once by each consumer",
        f"{committed} committed events, {len(stream)} on the wire",
        violations,
    )


def _published(evidence: Evidence, on_wire: set[str]) -> list[Violation]:
    violations = []
    for service, data in evidence.snapshot.databases.items():
        for row in data.outbox:
            if not row["sent"] or row["event_id"] not in on_wire:
                violations.append(
                    Violation(
                        f"{service} committed {row['event_type']} {row['event_id']},"
                        " which never reached the stream",
                        ids(row["event_id"]),
                    )
                )
    return violations


def _explained(evidence: Evidence, stream: list[StreamMessage]) -> list[Violation]:
    """Every event on the wire was committed by a service, announced an expiry, or was a
    copy the fault layer made."""
    committed = {
        row["event_id"] for data in evidence.snapshot.databases.values() for row in data.outbox
    }
    copies = {
        f.event.event_id for f in evidence.snapshot.faults if f.kind is FaultKind.DUPLICATE_FRESH_ID
    }
    violations = []
    for message in stream:
        event_id = message.event_id
        if event_id in committed or event_id in copies or _is_expiry(message):
            continue
        violations.append(
            Violation(
                f"{message.event_type} {event_id} (seq {message.seq}) has no origin", ids(event_id)
            )
        )
    return violations


def _is_expiry(message: StreamMessage) -> bool:
    order = message.data.get("orderId")
    return (
        message.event_type == "expiration.complete"
        and isinstance(order, str)
        and message.event_id == str(expiry_event_id(uuid.UUID(order)))
    )


def _applied_once(evidence: Evidence, stream: list[StreamMessage]) -> list[Violation]:
    by_subject: dict[str, set[str]] = defaultdict(set)
    for message in stream:
        if message.event_id:
            by_subject[message.subject].add(message.event_id)
    subjects = {c.name: c.subject for c in evidence.snapshot.consumers}
    violations = []
    for service, consumers in RECORDS_EFFECTS.items():
        processed = evidence.snapshot.databases[service].processed
        for consumer in consumers:
            applied = Counter(processed.get(consumer, []))
            expected = by_subject[subjects.get(consumer, "")]
            missing = expected - applied.keys()
            if missing:
                violations.append(
                    Violation(
                        f"{consumer} has no record of applying {len(missing)}"
                        f" of {len(expected)} events",
                        ids(*sorted(missing)[:10]),
                    )
                )
            unknown = applied.keys() - expected
            if unknown:
                violations.append(
                    Violation(
                        f"{consumer} applied {len(unknown)} events never published",
                        ids(*sorted(unknown)[:10]),
                    )
                )
    known = {c for consumers in RECORDS_EFFECTS.values() for c in consumers} | set(
        EFFECTS_CHECKED_ELSEWHERE
    )
    violations += [
        Violation(
            f"consumer {name} is unknown to the checks: say how its effects are checked", (name,)
        )
        for name in subjects.keys() - known
    ]
    return violations


def _expiries(evidence: Evidence, on_wire: set[str]) -> list[Violation]:
    """Expiration scheduled every order and announced its end."""
    return [
        Violation(f"order {order['id']} never got its expiration.complete", ids(order["id"]))
        for order in evidence.rows("orders", "orders")
        if str(expiry_event_id(order["id"])) not in on_wire
    ]


def _dead_letters(evidence: Evidence) -> list[Violation]:
    """A dead letter is explained only by faults the plan injected on that very event."""
    faulted = {(f.consumer, f.event.event_id) for f in evidence.snapshot.faults}
    return [
        Violation(
            f"dead letter from {letter.consumer} after {letter.deliveries} deliveries:"
            f" {letter.reason}",
            ids(letter.event_id),
        )
        for letter in evidence.snapshot.dead_letters
        if (letter.consumer, letter.event_id) not in faulted
    ]


def contracts_kept(evidence: Evidence) -> CheckResult:
    """Every message on the events stream validates against its contract; none was refused."""
    violations = [
        Violation(
            f"message {m.seq} on {m.subject} breaks its contract: {m.invalid}", ids(m.event_id)
        )
        for m in evidence.snapshot.stream
        if m.invalid
    ]
    violations += [
        Violation(
            f"{letter.consumer} refused {letter.subject}: {letter.reason}", ids(letter.event_id)
        )
        for letter in evidence.snapshot.dead_letters
        if letter.reason.startswith("contract")
    ]
    return CheckResult(
        "I7",
        "every event on the wire kept its contract",
        f"{len(evidence.snapshot.stream)} messages",
        violations,
    )
