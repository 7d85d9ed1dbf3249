"""What the chaos suite adds to the shared invariants: its faults explain the copies and dead
letters they made, the expiration service announces each expiry without an outbox, and every
order whose window passed got its expiry."""

from __future__ import annotations

import dataclasses
import uuid

from expiration.jobs import expiry_event_id
from ticketing_chaos.explanations import ChaosExplanations, explained_by
from ticketing_chaos.invariants import check, nothing_lost
from ticketing_common.faults.plan import FaultKind
from ticketing_common.faults.record import EventRef, InjectedFault
from ticketing_harness.testing.evidence import EPOCH, RESERVES, Scene, message


def _delivered(scene: Scene) -> str:
    """The sale's order.created on the stream and applied, and the order's expiry, announced by
    expiration; the run's explanations, those of a chaos run without faults."""
    event_id = scene.delivered()
    expiry = str(expiry_event_id(uuid.UUID(scene.order)))
    scene.stream.append(message(2, "expiration.complete", {"orderId": scene.order}, expiry))
    scene.explanations = ChaosExplanations()
    return event_id


def _fault(kind: FaultKind, event_id: str | None, consumer: str | None = None) -> InjectedFault:
    return InjectedFault(EPOCH, kind, "r", "events.order.created", EventRef(event_id=event_id),
                         consumer=consumer)  # fmt: skip


def test_a_sold_ticket_keeps_every_invariant_of_the_chaos_suite() -> None:
    scene = Scene().sold()
    _delivered(scene)
    assert [r.id for r in check(scene.evidence())] == [f"I{n}" for n in range(1, 8)]
    assert [r.violations for r in check(scene.evidence()) if not r.ok] == []


def test_a_copy_under_a_fresh_id_is_explained_only_by_the_fault_that_made_it() -> None:
    scene = Scene().sold()
    _delivered(scene)
    copy = scene.copied()
    assert not nothing_lost(scene.evidence()).ok
    scene.explanations = explained_by([_fault(FaultKind.DUPLICATE_FRESH_ID, copy.event_id)])
    assert nothing_lost(scene.evidence()).ok


def test_a_dead_letter_is_explained_only_by_a_fault_on_that_event_at_that_consumer() -> None:
    scene = Scene().sold()
    event_id = _delivered(scene)
    scene.dead_letter(event_id)
    elsewhere = _fault(FaultKind.DROP_DELIVERY, event_id, "payments-order-created")
    scene.explanations = explained_by([elsewhere])
    assert not nothing_lost(scene.evidence()).ok
    scene.explanations = explained_by([_fault(FaultKind.DROP_DELIVERY, event_id, RESERVES)])
    assert nothing_lost(scene.evidence()).ok


def test_an_expiry_under_another_event_id_has_no_origin() -> None:
    scene = Scene().sold()
    _delivered(scene)
    scene.stream.append(message(3, "expiration.complete", {"orderId": scene.order}))
    [violation] = nothing_lost(scene.evidence()).violations
    assert violation.message.startswith("expiration.complete ") and "has no origin" in (
        violation.message
    )


def test_an_order_whose_window_passed_without_its_expiry_is_lost_until_then_it_is_not() -> None:
    scene = Scene().sold()
    _delivered(scene)
    del scene.stream[1]
    [violation] = nothing_lost(scene.evidence()).violations
    assert violation.message == f"order {scene.order} never got its expiration.complete"
    running = dataclasses.replace(scene.evidence(), expired=frozenset())
    assert nothing_lost(running).ok
