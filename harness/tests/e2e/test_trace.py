"""`ticketing trace` on a purchase through the session's stack: every step, in causal order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, created, unique
from ticketing_harness.waiting import eventually

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

# Depth first, as the tree prints: what the order's request caused, then the payment's.
PURCHASE = [
    ("request", "POST /api/orders", "orders"),
    ("event", "order.created", "orders"),
    ("delivery", "tickets-order-created", "tickets"),
    ("event", "ticket.updated", "tickets"),
    ("delivery", "orders-ticket-updated", "orders"),
    ("request", "POST /api/payments", "payments"),
    ("event", "payment.created", "payments"),
    ("delivery", "orders-payment-created", "orders"),
    ("event", "order.completed", "orders"),
    ("delivery", "tickets-order-completed", "tickets"),
    ("delivery", "payments-order-completed", "payments"),
]
ALSO_UNDER_ORDER_CREATED = {"expiration-order-created", "payments-order-created"}


def _walk(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        yield from _walk(step["steps"])


async def test_trace_of_an_order_shows_every_step_of_its_purchase_in_order(
    stack: RunningStack, seller: httpx.AsyncClient, buyer: httpx.AsyncClient
) -> None:
    ticket = await created(seller, "/api/tickets", {"title": unique("traced"), "price": 25})
    order = await created(buyer, "/api/orders", {"ticketId": ticket["id"]})
    await created(buyer, "/api/payments", {"orderId": order["id"], "token": "pm_card_visa"})

    async def traced() -> list[dict[str, Any]] | None:
        result = stack.ticketing("trace", order["id"], "--json")
        assert result.returncode == 0, result.stderr
        roots: list[dict[str, Any]] = json.loads(result.stdout)
        titles = {step["title"] for step in _walk(roots)}
        return roots if "payments-order-completed" in titles else None

    roots = await eventually(traced, timeout=30, message="the purchase never fully traced")
    assert roots is not None
    steps = [
        (step["kind"], step["title"], step["service"].partition("#")[0])
        for step in _walk(roots)
        if step["kind"] != "log"
    ]
    assert [step for step in steps if step[1] not in ALSO_UNDER_ORDER_CREATED] == PURCHASE
    order_created = next(step for step in _walk(roots) if step["title"] == "order.created")
    deliveries = {child["title"]: child["outcome"] for child in order_created["steps"]}
    assert deliveries == dict.fromkeys(
        ALSO_UNDER_ORDER_CREATED | {"tickets-order-created"}, "applied, ack"
    )
    assert order_created["id"] and order_created["version"] == 0
    offsets = [step["offset_seconds"] for step in _walk(roots) if step["kind"] != "log"]
    assert offsets[0] == 0
    assert all(offset >= 0 for offset in offsets)

    text = stack.ticketing("trace", order["id"]).stdout
    assert f"event {order_created['id']}" in text
    assert "order.created v0" in text
    assert "+0.000s" in text


async def test_trace_of_a_request_id_shows_that_request_s_chain_only(
    stack: RunningStack, seller: httpx.AsyncClient
) -> None:
    request_id = f"{unique('mine')}-request"
    response = await seller.post(
        "/api/tickets",
        json={"title": unique("traced"), "price": 5},
        headers={"X-Request-Id": request_id},
    )
    assert response.status_code == 201
    assert response.headers.get_list("x-request-id") == [request_id]  # kept, answered once

    async def traced() -> list[dict[str, Any]] | None:
        result = stack.ticketing("trace", request_id, "--json")
        roots: list[dict[str, Any]] = json.loads(result.stdout or "[]")
        done = any(step["title"] == "orders-ticket-created" for step in _walk(roots))
        return roots if done else None

    roots = await eventually(traced, timeout=30, message="the request never fully traced")
    assert roots is not None
    assert [(root["kind"], root["title"], root["id"]) for root in roots] == [
        ("request", "POST /api/tickets", request_id)
    ]


def test_trace_of_something_unknown_says_so_in_one_line(stack: RunningStack) -> None:
    result = stack.ticketing("trace", "no-such-id-anywhere")
    assert result.returncode == 1
    assert result.stderr.startswith("error: nothing in the stream or the logs")
    assert "Traceback" not in result.stderr
