"""I6 no event lost, none unexplained, each applied once by each consumer; I7 every event on
the wire kept its contract."""

from __future__ import annotations

from collections import Counter, defaultdict

from ticketing_harness.evidence.results import CheckResult, Violation, ids, not_run
from ticketing_harness.evidence.snapshot import (
    EVENT_DATABASES,
    Evidence,
    StreamMessage,
    event_id_of,
)

I6 = ("I6", "no event lost; each applied once by each consumer")
I7 = ("I7", "every event on the wire kept its contract")
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
    if missing := evidence.missing(*EVENT_DATABASES, history=True, broker=True):
        return not_run(*I6, missing)
    stream = evidence.snapshot.stream or []
    on_wire = {m.event_id for m in stream if m.event_id}
    violations = [*_published(evidence, on_wire), *_explained(evidence, stream)]
    violations += _applied_once(evidence, stream)
    violations += [
        Violation(
            f"consumer {c.name} still has {c.pending} pending and {c.ack_pending} unacknowledged",
            (c.name,),
        )
        for c in evidence.snapshot.consumers or []
        if c.pending or c.ack_pending
    ]
    violations += [
        Violation(
            f"dead letter from {letter.consumer} after {letter.deliveries} deliveries:"
            f" {letter.reason}",
            ids(event_id_of(letter.payload)),
        )
        for letter in evidence.snapshot.dead_letters or []
        if not evidence.explanations.dead_letter(letter)
    ]
    committed = sum(len(_outbox(evidence, name)) for name in EVENT_DATABASES)
    return CheckResult(*I6, f"{committed} committed events, {len(stream)} on the wire", violations)


def _outbox(evidence: Evidence, database: str) -> list[dict[str, object]]:
    return evidence.snapshot.databases[database].outbox or []


def _published(evidence: Evidence, on_wire: set[str]) -> list[Violation]:
    violations = []
    for service in EVENT_DATABASES:
        for row in _outbox(evidence, service):
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
    """Every event on the wire was committed by a service, or has an origin the run knows of
    (an expiry its service announced, a copy its faults made)."""
    committed = {row["event_id"] for name in EVENT_DATABASES for row in _outbox(evidence, name)}
    return [
        Violation(
            f"{message.event_type} {message.event_id} (seq {message.seq}) has no origin",
            ids(message.event_id),
        )
        for message in stream
        if message.event_id not in committed and not evidence.explanations.origin(message)
    ]


def _applied_once(evidence: Evidence, stream: list[StreamMessage]) -> list[Violation]:
    by_subject: dict[str, set[str]] = defaultdict(set)
    for message in stream:
        if message.event_id:
            by_subject[message.subject].add(message.event_id)
    subjects = {c.name: c.subject for c in evidence.snapshot.consumers or []}
    violations = []
    for service, consumers in RECORDS_EFFECTS.items():
        processed = evidence.snapshot.databases[service].processed or {}
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
            unknown = {
                event
                for event in applied.keys() - expected
                if not evidence.explanations.delivered_alone(consumer, event)
            }
            if unknown:
                violations.append(
                    Violation(
                        f"{consumer} applied {len(unknown)} events never published",
                        ids(*sorted(unknown)[:10]),
                    )
                )
    known = {c for consumers in RECORDS_EFFECTS.values() for c in consumers}
    violations += [
        Violation(
            f"consumer {name} is unknown to the checks: say how its effects are checked", (name,)
        )
        for name in subjects.keys() - known - set(EFFECTS_CHECKED_ELSEWHERE)
    ]
    return violations


def contracts_kept(evidence: Evidence) -> CheckResult:
    """Every message on the events stream validates against its contract; none was refused."""
    if missing := evidence.missing(broker=True):
        return not_run(*I7, missing)
    stream = evidence.snapshot.stream or []
    violations = [
        Violation(
            f"message {m.seq} on {m.subject} breaks its contract: {m.invalid}", ids(m.event_id)
        )
        for m in stream
        if m.invalid
    ]
    violations += [
        Violation(
            f"{letter.consumer} refused {letter.subject}: {letter.reason}",
            ids(event_id_of(letter.payload)),
        )
        for letter in evidence.snapshot.dead_letters or []
        if letter.reason.startswith("contract")
    ]
    return CheckResult(*I7, f"{len(stream)} messages", violations)
