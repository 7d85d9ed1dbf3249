"""What a chaos run knows that its stores do not say: the copies its faults (or its simulated
network) made, the dead letters they caused, and the expiries that the expiration service
announces without an outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from expiration.jobs import expiry_event_id
from ticketing_common.bus import DeadLetter
from ticketing_common.faults.plan import FaultKind
from ticketing_common.faults.record import InjectedFault
from ticketing_harness.evidence.snapshot import Explanations, StreamMessage, event_id_of


class ChaosExplanations(Explanations):
    """Explains the copies made under a fresh event id, the dead letters of the (consumer,
    event id) pairs a fault hit, and the events given to one consumer alone."""

    def __init__(
        self,
        copies: Iterable[str] = (),
        faulted: Iterable[tuple[str | None, str | None]] = (),
        alone: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.copies = frozenset(copies)
        self.faulted = frozenset(faulted)
        self.alone = frozenset(alone)

    def origin(self, message: StreamMessage) -> bool:
        return message.event_id in self.copies or _is_expiry(message)

    def dead_letter(self, letter: DeadLetter) -> bool:
        return (letter.consumer, event_id_of(letter.payload)) in self.faulted

    def delivered_alone(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self.alone


def explained_by(faults: Iterable[InjectedFault]) -> ChaosExplanations:
    """What the faults a live run injected explain."""
    faults = list(faults)
    return ChaosExplanations(
        copies=(
            f.event.event_id
            for f in faults
            if f.kind is FaultKind.DUPLICATE_FRESH_ID and f.event.event_id
        ),
        faulted=((f.consumer, f.event.event_id) for f in faults),
    )


def _is_expiry(message: StreamMessage) -> bool:
    """An order's expiration.complete, under the one event id every run of its job uses."""
    order = message.data.get("orderId")
    return (
        message.event_type == "expiration.complete"
        and isinstance(order, str)
        and message.event_id == str(expiry_event_id(uuid.UUID(order)))
    )
