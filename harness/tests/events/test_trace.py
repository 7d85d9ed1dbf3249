"""Building a purchase's causal chains from stream events and log lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ticketing_common.contracts import load_catalog
from ticketing_harness.events.stream import StreamEvent
from ticketing_harness.events.trace import Kind, Step, build, chains_of, read_logs

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
ORDER, TICKET, OTHER_ORDER = "order-0001", "ticket-0001", "order-0002"
BUY, PAY, LIST = "request-buy-0001", "request-pay-0001", "request-list-001"


def _event(
    seq: int, event_type: str, producer: str, cause: str, chain: str, **data: Any
) -> StreamEvent:
    return StreamEvent(
        seq=seq,
        time=T0 + timedelta(milliseconds=10 * seq),
        subject=f"events.{event_type}",
        type=event_type,
        id=f"event-{seq:04d}",
        producer=producer,
        record=str(data.get("id", "-")),
        version=data.get("version"),
        valid=True,
        problem="",
        correlation_id=chain,
        causation_id=cause,
        data=data,
    )


EVENTS = [
    _event(1, "ticket.created", "tickets", LIST, LIST, id=TICKET, version=0),
    _event(2, "order.created", "orders", BUY, BUY, id=ORDER, version=0, ticket={"id": TICKET}),
    _event(3, "ticket.updated", "tickets", "event-0002", BUY, id=TICKET, orderId=ORDER, version=1),
    _event(4, "payment.created", "payments", PAY, PAY, id="payment-1", orderId=ORDER),
    _event(5, "order.completed", "orders", "event-0004", PAY, id=ORDER, ticket={"id": TICKET}),
    _event(6, "order.created", "orders", "request-else-01", "request-else-01", id=OTHER_ORDER),
]


def _line(at: int, logger: str, cause: str | None, message: str, **fields: Any) -> str:
    entry = {
        "time": (T0 + timedelta(milliseconds=at)).isoformat(),
        "level": "INFO",
        "logger": logger,
        "message": message,
        **({"correlation_id": cause, "causation_id": cause} if cause else {}),
        **fields,
    }
    return json.dumps(entry)


def _delivery(
    at: int, consumer: str, event_id: str, outcome: str = "applied", times: int = 1
) -> str:
    ack = "ack" if outcome == "applied" else "nak"
    fields = {"consumer": consumer, "event_id": event_id, "outcome": outcome, "ack": ack}
    return _line(at, "ticketing_common.listeners", event_id, "settled", **fields, deliveries=times)


def _request(at: int, request_id: str, method: str, path: str, status: int, ms: int = 5) -> str:
    fields = {"method": method, "path": path, "status": status, "ms": ms}
    return _line(at, "ticketing.requests", request_id, f"{method} {path}", **fields)


def _logs(tmp_path: Path) -> list[tuple[str, Path]]:
    lines = {
        "orders": [
            _request(8, BUY, "POST", "/api/orders", 201),
            _delivery(45, "orders-ticket-updated", "event-0003"),
            _delivery(46, "orders-payment-created", "event-0004", "retry"),
            _delivery(47, "orders-payment-created", "event-0004", times=2),
        ],
        "tickets#2": [
            _delivery(25, "tickets-order-created", "event-0002"),
            _delivery(61, "tickets-order-completed", "event-0005"),
        ],
        "expiration": [
            _delivery(24, "expiration-order-created", "event-0002"),
            _line(23, "expiration.listeners", "event-0002", "order expires at 18:15"),
        ],
        "payments": [
            _request(30, PAY, "POST", "/api/payments", 201),
            _delivery(60, "payments-order-completed", "event-0005"),
        ],
        # The web client's page, which called the payments API with its own request id.
        "client": [_request(40, PAY, "POST", "/orders/order-0001/pay", 303, ms=35), "not json"],
    }
    paths = []
    for process, texts in lines.items():
        path = tmp_path / f"{process}.log"
        path.write_text("\n".join(texts) + "\n")
        paths.append((process, path))
    return paths


def _shape(step: Step, depth: int = 0) -> list[str]:
    own = [f"{'  ' * depth}{step.kind.value} {step.title} {step.service} {step.outcome}".rstrip()]
    return own + [line for child in step.steps for line in _shape(child, depth + 1)]


def test_an_order_s_chains_are_its_purchase_and_payment_each_under_its_cause(
    tmp_path: Path,
) -> None:
    logged = read_logs(_logs(tmp_path))
    chains = chains_of(ORDER, EVENTS, logged)
    assert chains == {BUY, PAY}
    roots = build(chains, EVENTS, logged, load_catalog())
    assert [line for root in roots for line in _shape(root)] == [
        "request POST /api/orders orders 201",
        "  event order.created orders",
        "    delivery expiration-order-created expiration applied, ack",
        "      log order expires at 18:15 expiration INFO",
        "    delivery tickets-order-created tickets#2 applied, ack",
        "      event ticket.updated tickets",
        "        delivery orders-ticket-updated orders applied, ack",
        "    waiting no delivery logged yet payments",
        "request POST /orders/order-0001/pay client 303",
        "  request POST /api/payments payments 201",
        "    event payment.created payments",
        "      delivery orders-payment-created orders applied, ack, 2 deliveries",
        "        event order.completed orders",
        "          delivery payments-order-completed payments applied, ack",
        "          delivery tickets-order-completed tickets#2 applied, ack",
    ]


def test_a_ticket_s_chains_include_its_listing_and_every_order_that_touched_it(
    tmp_path: Path,
) -> None:
    logged = read_logs(_logs(tmp_path))
    assert chains_of(TICKET, EVENTS, logged) == {LIST, BUY, PAY}
    assert chains_of(BUY, EVENTS, logged) == {BUY}
    assert chains_of("event-0003", EVENTS, logged) == {BUY}
    assert chains_of("nothing-at-all", EVENTS, logged) == set()


def test_an_event_without_a_request_starts_its_own_chain(tmp_path: Path) -> None:
    lone = _event(9, "order.created", "orders", "", "", id="order-0009")
    lone = StreamEvent(**{**lone.__dict__, "correlation_id": None, "causation_id": None})
    roots = build({lone.id}, [lone], read_logs([]), load_catalog())
    assert [root.kind for root in roots] == [Kind.EVENT]
    assert roots[0].id == lone.id
