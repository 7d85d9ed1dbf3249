"""Each invariant holds on a consistent system and names what broke when it does not."""

from __future__ import annotations

import uuid
from decimal import Decimal

from ticketing_common.bus import DeadLetter
from ticketing_harness.evidence.invariants.booking import no_double_booking, orders_ended
from ticketing_harness.evidence.invariants.delivery import contracts_kept, nothing_lost
from ticketing_harness.evidence.invariants.money import money
from ticketing_harness.evidence.invariants.replicas import (
    consecutive_versions,
    replicas_equal_sources,
)
from ticketing_harness.evidence.snapshot import (
    ConsumerState,
    Explanations,
    StreamMessage,
    event_id_of,
)
from ticketing_harness.evidence.stripe import Refund
from ticketing_harness.testing.evidence import EPOCH, RESERVES, Scene, message, uid


def test_a_sold_ticket_keeps_every_invariant_the_state_shows() -> None:
    evidence = Scene().sold().evidence()
    for check in (
        no_double_booking,
        replicas_equal_sources,
        consecutive_versions,
        orders_ended,
        money,
    ):
        assert check(evidence).ok, check(evidence).violations


def test_two_live_orders_on_one_ticket_at_once_are_double_booking() -> None:
    scene = Scene().sold()
    other = scene.double_booked()
    [violation] = no_double_booking(scene.evidence()).violations
    assert "held by 2 live orders" in violation.message
    assert set(violation.entities) == {scene.ticket, scene.order, other}


def test_a_new_order_after_the_cancel_of_the_last_is_no_double_booking() -> None:
    scene = Scene()
    scene.order_change(1.0, "created", 0)
    scene.order_change(2.0, "cancelled", 1)
    scene.order_change(2.1, "created", 0, uid())
    assert no_double_booking(scene.evidence()).ok


def test_a_replica_that_differs_from_its_source_is_named_with_the_field() -> None:
    scene = Scene().sold()
    scene.table("orders", "tickets")[0]["price"] = Decimal("25.00")
    [violation] = replicas_equal_sources(scene.evidence()).violations
    assert violation.message.endswith("differs: price 25.00 (source 20.00)")
    assert violation.entities == (scene.ticket,)


def test_tickets_holding_another_order_than_the_live_one_is_caught() -> None:
    scene = Scene().sold()
    scene.table("tickets", "tickets")[0]["order_id"] = None
    scene.table("orders", "tickets")[0]["order_id"] = None
    messages = [v.message for v in replicas_equal_sources(scene.evidence()).violations]
    assert messages == [
        f"tickets says ticket {scene.ticket} is held by None, orders says by {scene.order}"
    ]


def test_tickets_freeing_a_ticket_before_orders_cancelled_its_order_runs_ahead() -> None:
    scene = Scene().sold()
    scene.hold(2.5, None, 2)
    violations = replicas_equal_sources(scene.evidence()).violations
    assert any("freed while order" in v.message and scene.order in v.entities for v in violations)


def test_tickets_freeing_a_ticket_after_its_cancel_follows_orders() -> None:
    scene = Scene()
    scene.order_change(1.0, "created", 0)
    scene.hold(1.1, scene.order, 1)
    scene.order_change(2.0, "cancelled", 1)
    scene.hold(2.1, None, 2)
    assert replicas_equal_sources(scene.evidence()).ok


def test_a_replica_that_skips_or_repeats_a_version_is_caught() -> None:
    scene = Scene()
    skipped, repeated = uid(), uid()
    for version in (0, 1, 3):
        scene.audit("orders", "tickets", float(version), id=skipped, version=version)
    for version in (0, 1, 1):
        scene.audit("payments", "orders", 1.0, id=repeated, version=version)
    messages = sorted(v.message for v in consecutive_versions(scene.evidence()).violations)
    assert messages == [
        f"orders' copy of ticket {skipped} applied versions [0, 1, 3]: 1->3 (skipped)",
        f"payments' copy of order {repeated} applied versions [0, 1, 1]: 1->1 (applied twice)",
    ]


def test_a_refund_noted_on_an_order_is_no_new_version_but_a_rewritten_replica_is() -> None:
    scene = Scene()
    scene.order_change(1.0, "cancelled", 1)
    refund = {"status": "cancelled", "version": 1, "refunded_at": "2026-01-01T00:00:00Z"}
    for at in (2.0, 3.0):  # noted, then noted again by a copy under a fresh event id
        scene.audit("orders", "orders", at, id=scene.order, ticket_id=scene.ticket, **refund)
    for at in (1.0, 2.0):
        scene.audit("payments", "orders", at, id=scene.order, status="cancelled", version=1)
    [violation] = consecutive_versions(scene.evidence()).violations
    assert violation.message.startswith(f"payments' copy of order {scene.order} applied versions")


def test_an_order_still_created_after_its_window_has_not_ended() -> None:
    scene = Scene().sold()
    scene.table("orders", "orders")[0]["status"] = "created"
    [violation] = orders_ended(scene.evidence()).violations
    assert violation.entities == (scene.order, scene.ticket)


def test_a_charge_kept_for_a_cancelled_order_breaks_the_money() -> None:
    scene = Scene().sold()
    scene.table("orders", "orders")[0]["status"] = "cancelled"
    messages = [v.message for v in money(scene.evidence()).violations]
    assert f"charge pi_1 kept for cancelled order {scene.order}" in messages
    assert "charges minus refunds are 2000 cents; complete orders cost 0 cents" in messages


def test_a_refunded_charge_of_a_cancelled_order_keeps_the_money_right() -> None:
    scene = Scene().sold()
    scene.table("orders", "orders")[0]["status"] = "cancelled"
    scene.table("payments", "payments")[0]["state"] = "refunded"
    scene.refunds.append(Refund("re_1", "pi_1", 2000, "succeeded"))
    scene.table("orders", "orders")[0]["refunded_at"] = EPOCH
    assert money(scene.evidence()).ok


def test_an_order_that_does_not_show_its_refund_is_named() -> None:
    scene = Scene().sold()
    scene.table("orders", "orders")[0]["status"] = "cancelled"
    scene.table("payments", "payments")[0]["state"] = "refunded"
    scene.refunds.append(Refund("re_1", "pi_1", 2000, "succeeded"))
    [violation] = money(scene.evidence()).violations
    assert violation.message == f"order {scene.order} shows refunded False; payments says True"


def test_a_partial_refund_and_a_stuck_claim_are_named() -> None:
    scene = Scene().sold()
    scene.refunds.append(Refund("re_1", "pi_1", 500, "succeeded"))
    scene.table("payments", "payments").append(
        {"order_id": uuid.uuid4(), "state": "pending", "stripe_id": None}
    )
    messages = " | ".join(v.message for v in money(scene.evidence()).violations)
    assert "charge pi_1 of 2000 cents refunded 500 cents" in messages
    assert "left pending" in messages


def test_a_committed_event_on_the_wire_and_applied_once_is_not_lost() -> None:
    scene = Scene()
    scene.delivered()
    assert nothing_lost(scene.evidence()).violations == []


def test_an_event_never_applied_by_a_consumer_is_lost() -> None:
    scene = Scene()
    event_id = scene.delivered()
    scene.processed("tickets")[RESERVES] = []
    [violation] = nothing_lost(scene.evidence()).violations
    assert violation.message == f"{RESERVES} has no record of applying 1 of 1 events"
    assert violation.entities == (event_id,)


class Known(Explanations):
    """A run that knows of these copies and caused these dead letters."""

    def __init__(self, copies: set[str], letters: set[str]) -> None:
        self.copies, self.letters = copies, letters

    def origin(self, message: StreamMessage) -> bool:
        return message.event_id in self.copies

    def dead_letter(self, letter: DeadLetter) -> bool:
        return event_id_of(letter.payload) in self.letters


def test_an_event_of_no_origin_is_unexplained_unless_the_run_knows_where_it_came_from() -> None:
    scene = Scene()
    scene.delivered()
    copy = scene.copied()
    [violation] = nothing_lost(scene.evidence()).violations
    assert "has no origin" in violation.message
    scene.explanations = Known({str(copy.event_id)}, set())
    assert nothing_lost(scene.evidence()).ok


def test_a_dead_letter_is_a_loss_unless_the_run_caused_it() -> None:
    scene = Scene()
    event_id = scene.delivered()
    scene.dead_letter(event_id)
    [violation] = nothing_lost(scene.evidence()).violations
    assert violation.message == f"dead letter from {RESERVES} after 10 deliveries: gap"
    scene.explanations = Known(set(), {event_id})
    assert nothing_lost(scene.evidence()).ok


def test_an_event_applied_but_never_published_is_named_unless_given_to_that_consumer_alone() -> (
    None
):
    scene = Scene()
    scene.delivered()
    alone = uid()
    scene.processed("tickets")[RESERVES].append(alone)
    [violation] = nothing_lost(scene.evidence()).violations
    assert violation.message == f"{RESERVES} applied 1 events never published"

    class GivenAlone(Explanations):
        def delivered_alone(self, to: str, event_id: str) -> bool:
            return (to, event_id) == (RESERVES, alone)

    scene.explanations = GivenAlone()
    assert nothing_lost(scene.evidence()).ok


def test_a_consumer_the_checks_do_not_know_must_be_declared() -> None:
    scene = Scene()
    scene.consumers.append(ConsumerState("reports-order-created", "events.order.created", 0, 0))
    [violation] = nothing_lost(scene.evidence()).violations
    assert "unknown to the checks" in violation.message


def test_a_message_that_breaks_its_contract_is_named() -> None:
    scene = Scene()
    scene.stream.append(
        message(7, "order.created", {}, invalid="order.created: data.id: is required")
    )
    [violation] = contracts_kept(scene.evidence()).violations
    assert violation.message == (
        "message 7 on events.order.created breaks its contract: order.created: data.id: is required"
    )
