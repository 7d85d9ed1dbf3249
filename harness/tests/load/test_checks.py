"""Each check of the verdict, on stores that agree and on stores that break its rule."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from ticketing_harness.load.checks import (
    CHECKS,
    Status,
    money_balances,
    one_order_per_ticket,
    paid_orders_complete,
    replicas_converged,
    winners_hold_tickets,
)
from ticketing_harness.load.drain import Drain
from ticketing_harness.load.ledger import Charge
from ticketing_harness.load.outcomes import Tally
from ticketing_harness.load.plan import PlannedTicket
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.snapshot import OrderRow, PaymentRow, Snapshot, TicketRow
from ticketing_harness.load.verdict import Verdict

DRAINED = Drain(drained=True, seconds=0.1, checked=("outboxes", "consumers"))


def _run() -> tuple[RunRecord, Snapshot]:
    """Two tickets: t1 sold to order o1 (paid), t2 reserved by o2 after o3 was cancelled."""
    tally = Tally(won=[("o1", "t1"), ("o3", "t2"), ("o2", "t2")], paid=["o1"], cancelled=["o3"])
    tickets = [
        PlannedTicket("t1", "hot 1", Decimal(25), True),
        PlannedTicket("t2", "seat 2", Decimal(10), False),
    ]
    record = RunRecord("drop", "r1", "http://gateway", users=3, tickets=tickets, tally=tally)
    ticket_rows = {
        "t1": TicketRow("t1", "hot 1", Decimal(25), 1, "o1"),
        "t2": TicketRow("t2", "seat 2", Decimal(10), 3, "o2"),
    }
    orders = {
        "o1": OrderRow("o1", "t1", "u1", "complete", 1),
        "o2": OrderRow("o2", "t2", "u2", "created", 0),
        "o3": OrderRow("o3", "t2", "u3", "cancelled", 1),
    }
    snapshot = Snapshot(
        tickets=ticket_rows,
        ticket_replicas=dict(ticket_rows),
        orders=orders,
        order_replicas={key: dataclasses.replace(o, ticket_id=None) for key, o in orders.items()},
        payments={"o1": PaymentRow("p1", "o1", "charged", 2500)},
        charges=[Charge("pi_1", "o1", 2500, 0)],
    )
    return record, snapshot


def test_every_check_passes_when_the_stores_agree() -> None:
    record, snapshot = _run()
    checks = [check(record, snapshot, DRAINED) for check in CHECKS]
    assert [check.status for check in checks] == [Status.PASSED] * len(CHECKS), checks


def test_a_double_reservation_is_named() -> None:
    record, snapshot = _run()
    assert snapshot.orders is not None
    snapshot.orders["o4"] = OrderRow("o4", "t1", "u4", "created", 0)
    check = one_order_per_ticket(record, snapshot, DRAINED)
    assert check.status is Status.FAILED
    assert check.problems == ["ticket t1: 2 live or complete orders (o1, o4)"]
    winners = winners_hold_tickets(record, snapshot, DRAINED)
    assert "order o4 on ticket t1: no buyer was told they won it" in winners.problems


def test_a_ticket_held_by_another_order_in_the_tickets_service_is_named() -> None:
    record, snapshot = _run()
    assert snapshot.tickets is not None
    snapshot.tickets["t2"] = dataclasses.replace(snapshot.tickets["t2"], order_id="o3")
    check = winners_hold_tickets(record, snapshot, DRAINED)
    assert check.problems == ["ticket t2: held by o3 in tickets, by o2 in orders"]


def test_a_replica_difference_is_named_with_its_field() -> None:
    record, snapshot = _run()
    assert snapshot.ticket_replicas is not None and snapshot.order_replicas is not None
    replica = snapshot.ticket_replicas["t2"]
    snapshot.ticket_replicas["t2"] = dataclasses.replace(replica, price=Decimal(11))
    del snapshot.order_replicas["o2"]
    check = replicas_converged(record, snapshot, DRAINED)
    assert check.status is Status.FAILED
    assert check.problems == [
        "ticket t2: price is 11 in orders, 10 at its source",
        "order o2: payments has no replica",
    ]


def test_consumers_that_never_drained_fail_the_replica_check() -> None:
    record, snapshot = _run()
    stuck = Drain(False, 60.0, {"consumer orders-ticket-updated": 4}, ("consumers",))
    check = replicas_converged(record, snapshot, stuck)
    assert check.problems == [
        "consumers had not drained after 60s: consumer orders-ticket-updated 4"
    ]


def test_a_paid_order_that_is_not_complete_is_named() -> None:
    record, snapshot = _run()
    assert snapshot.orders is not None
    snapshot.orders["o1"] = dataclasses.replace(snapshot.orders["o1"], status="created")
    check = paid_orders_complete(record, snapshot, DRAINED)
    assert check.problems == ["order o1: payment charged, order created"]


def test_a_charge_stripe_holds_for_a_cancelled_order_unbalances_the_money() -> None:
    record, snapshot = _run()
    assert snapshot.charges is not None
    snapshot.charges.append(Charge("pi_2", "o3", 1000, 0))
    check = money_balances(record, snapshot, DRAINED)
    assert check.problems == [
        "order o3 (cancelled): price 0 cents, payments charged 0, Stripe kept 1000"
    ]


def test_checks_without_their_stores_do_not_run_and_say_what_they_need() -> None:
    record, _ = _run()
    nothing = Snapshot(None, None, None, None, None, None)
    checks = {check.rule: check for check in (c(record, nothing, DRAINED) for c in CHECKS)}
    ran = {rule for rule, check in checks.items() if check.status is not Status.NOT_RUN}
    assert ran == {
        "no 5xx, no dropped connection, no timeout",
        "every other answer was one the rules allow",
    }
    assert (
        "the orders database"
        in checks["each ticket has at most one live or complete order"].summary
    )


def test_a_verdict_with_a_check_not_run_is_incomplete_never_passed() -> None:
    record, snapshot = _run()
    passed = [check(record, snapshot, DRAINED) for check in CHECKS]
    unreachable = Snapshot(snapshot.tickets, None, None, None, None, None)
    partial = [check(record, unreachable, DRAINED) for check in CHECKS]
    assert Verdict("drop", "r1", "http://gateway", passed).exit_code == 0
    incomplete = Verdict("drop", "r1", "http://gateway", partial)
    assert incomplete.status is Status.NOT_RUN and incomplete.exit_code == 2
    failed = [*partial, dataclasses.replace(passed[0], status=Status.FAILED)]
    assert Verdict("drop", "r1", "http://gateway", failed).exit_code == 1
