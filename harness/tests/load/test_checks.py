"""Each check of the verdict, on stores that agree and on stores that break its rule."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from ticketing_harness.evidence.drain import Drain
from ticketing_harness.evidence.results import Status, Violation
from ticketing_harness.evidence.snapshot import Evidence, Row, ServiceRecords, Snapshot
from ticketing_harness.evidence.stripe import PaymentIntent, StripeRecords
from ticketing_harness.load.outcomes import Tally
from ticketing_harness.load.plan import PlannedTicket
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.verdict import Verdict, checks

DRAINED = Drain(drained=True, seconds=0.1, checked=("outboxes", "consumers"))


def _ticket(ticket: str, title: str, price: int, version: int, order: str | None) -> Row:
    return {"id": ticket, "title": title, "price": Decimal(price), "version": version,
            "order_id": order}  # fmt: skip


def _order(order: str, ticket: str, status: str, version: int) -> Row:
    return {"id": order, "ticket_id": ticket, "user_id": f"u-{order}", "status": status,
            "version": version, "refunded_at": None}  # fmt: skip


def _run() -> tuple[RunRecord, Snapshot]:
    """Two tickets: t1 sold to order o1 (paid), t2 reserved by o2 after o3 was cancelled."""
    tally = Tally(won=[("o1", "t1"), ("o3", "t2"), ("o2", "t2")], paid=["o1"], cancelled=["o3"])
    tickets = [
        PlannedTicket("t1", "hot 1", Decimal(25), True),
        PlannedTicket("t2", "seat 2", Decimal(10), False),
    ]
    record = RunRecord("drop", "r1", "http://gateway", users=3, tickets=tickets, tally=tally)
    ticket_rows = [_ticket("t1", "hot 1", 25, 1, "o1"), _ticket("t2", "seat 2", 10, 3, "o2")]
    orders = [
        _order("o1", "t1", "complete", 1),
        _order("o2", "t2", "created", 0),
        _order("o3", "t2", "cancelled", 1),
    ]
    prices = {"o1": 25, "o2": 10, "o3": 10}
    replicas = [
        {"id": o["id"], "user_id": o["user_id"], "status": o["status"], "version": o["version"],
         "price": Decimal(prices[o["id"]])}
        for o in orders
    ]  # fmt: skip
    payment = {"id": "p1", "order_id": "o1", "state": "charged", "amount_cents": 2500,
               "stripe_id": "pi_1"}  # fmt: skip
    snapshot = Snapshot(
        databases={
            "tickets": ServiceRecords({"tickets": ticket_rows}),
            "orders": ServiceRecords({"tickets": [dict(t) for t in ticket_rows], "orders": orders}),
            "payments": ServiceRecords({"orders": replicas, "payments": [payment]}),
        },
        stripe=StripeRecords([PaymentIntent("pi_1", "o1", 2500, "usd", "succeeded")], []),
    )
    return record, snapshot


def _rows(snapshot: Snapshot, database: str, table: str) -> list[Row]:
    return snapshot.databases[database].tables[table]


def _verdict(record: RunRecord, snapshot: Snapshot, drain: Drain = DRAINED) -> dict[str, Any]:
    return {check.id: check for check in checks(record, Evidence(snapshot), drain)}


def _problems(record: RunRecord, snapshot: Snapshot, check: str) -> list[str]:
    return [violation.message for violation in _verdict(record, snapshot)[check].violations]


def test_every_check_passes_when_the_stores_agree() -> None:
    record, snapshot = _run()
    verdict = _verdict(record, snapshot)
    assert list(verdict) == ["I1", "L1", "L2", "L3", "L4", "I2", "I5"]
    assert [check.status for check in verdict.values()] == [Status.PASSED] * 7, verdict


def test_a_double_reservation_is_named() -> None:
    record, snapshot = _run()
    _rows(snapshot, "orders", "orders").append(_order("o4", "t1", "created", 0))
    assert _problems(record, snapshot, "I1") == ["ticket t1 held by 2 live orders (o1, o4)"]
    winners = _problems(record, snapshot, "L1")
    assert "order o4 on ticket t1: no buyer was told they won it" in winners


def test_a_ticket_held_by_another_order_in_the_tickets_service_is_named() -> None:
    record, snapshot = _run()
    _rows(snapshot, "tickets", "tickets")[1]["order_id"] = "o3"
    assert "tickets says ticket t2 is held by o3, orders says by o2" in _problems(
        record, snapshot, "I2"
    )


def test_a_replica_difference_is_named_with_its_field() -> None:
    record, snapshot = _run()
    _rows(snapshot, "orders", "tickets")[1]["price"] = Decimal(11)
    replicas = _rows(snapshot, "payments", "orders")
    replicas.remove(next(o for o in replicas if o["id"] == "o2"))
    assert _problems(record, snapshot, "I2") == [
        "orders' copy of ticket t2 differs: price 11 (source 10)",
        "payments' copy of order o2 is missing",
    ]


def test_consumers_that_never_drained_fail_the_replica_check() -> None:
    record, snapshot = _run()
    stuck = Drain(False, 60.0, {"consumer orders-ticket-updated": 4}, ("consumers",))
    replicas = _verdict(record, snapshot, stuck)["I2"]
    assert [v.message for v in replicas.violations] == [
        "consumers had not drained after 60s: consumer orders-ticket-updated 4"
    ]


def test_a_paid_order_that_is_not_complete_is_named() -> None:
    record, snapshot = _run()
    _rows(snapshot, "orders", "orders")[0]["status"] = "created"
    assert _problems(record, snapshot, "L4") == ["order o1: payment charged, order created"]


def test_a_charge_stripe_holds_for_a_cancelled_order_unbalances_the_money() -> None:
    record, snapshot = _run()
    assert snapshot.stripe is not None
    snapshot.stripe.intents.append(PaymentIntent("pi_2", "o3", 1000, "usd", "succeeded"))
    assert _problems(record, snapshot, "I5") == [
        "charge pi_2 kept for cancelled order o3",
        "charges minus refunds are 3500 cents; complete orders cost 2500 cents",
    ]


def test_checks_without_their_stores_do_not_run_and_say_what_they_need() -> None:
    record, _ = _run()
    nothing = _verdict(record, Snapshot({}))
    ran = {key for key, check in nothing.items() if check.status is not Status.NOT_RUN}
    assert ran == {"L2", "L3"}
    assert nothing["I1"].needs == ("the orders database",)
    verdict = Verdict("drop", "r1", "http://gateway", list(nothing.values()))
    assert "needs access to the orders database (see --database" in verdict.to_json()


def test_a_verdict_with_a_check_not_run_is_incomplete_never_passed() -> None:
    record, snapshot = _run()
    passed = list(_verdict(record, snapshot).values())
    tickets_only = Snapshot({"tickets": snapshot.databases["tickets"]})
    partial = list(_verdict(record, tickets_only).values())
    assert Verdict("drop", "r1", "http://gateway", passed).exit_code == 0
    incomplete = Verdict("drop", "r1", "http://gateway", partial)
    assert incomplete.status is Status.NOT_RUN and incomplete.exit_code == 2
    broken = dataclasses.replace(passed[0], violations=[Violation("planted")])
    assert Verdict("drop", "r1", "http://gateway", [*partial, broken]).exit_code == 1
