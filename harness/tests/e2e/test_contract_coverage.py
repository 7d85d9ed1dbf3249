"""Producer side, on the whole running system: every event the services publish is recorded
(the bus's recording switch), every one validates, and every declared event is published
and consumed by each of its declared consumers."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import httpx
import pytest
from redis.asyncio import Redis

from expiration.jobs import QUEUE
from ticketing_common.contracts import load_catalog
from ticketing_common.recording import read_records
from ticketing_harness.contracts.coverage import Coverage, measure
from ticketing_harness.testing.stacks import RunningStack, created, run_ticketing, unique
from ticketing_harness.waiting import eventually

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.contract, pytest.mark.timeout(300)]

RACES = 12


async def _listed(seller: httpx.AsyncClient) -> str:
    ticket = await created(seller, "/api/tickets", {"title": unique("cover"), "price": 12})
    return str(ticket["id"])


async def _ordered(buyer: httpx.AsyncClient, ticket_id: str) -> str:
    order = await created(buyer, "/api/orders", {"ticketId": ticket_id})
    return str(order["id"])


async def _payable(buyer: httpx.AsyncClient, order_id: str) -> None:
    async def known() -> bool:
        body = {"orderId": order_id, "token": "pm_card_unknown"}
        response = await buyer.post("/api/payments", json=body)
        return response.status_code == 400 and response.json()["errors"][0]["field"] == "token"

    await eventually(known, timeout=15, message="payments never replicated the order")


async def _expire_now(stack: RunningStack, order_id: str) -> None:
    """Make the order's scheduled expiry due now, as if its window had passed."""
    redis = Redis.from_url(stack.access().redis())
    try:
        await eventually(
            lambda: redis.zscore(QUEUE, order_id), timeout=15, message="expiry never scheduled"
        )
        await redis.zadd(QUEUE, {order_id: int(time.time() * 1000)}, xx=True)
    finally:
        await redis.aclose()


async def _race(seller: httpx.AsyncClient, buyer: httpx.AsyncClient, delay: float) -> None:
    order_id = await _ordered(buyer, await _listed(seller))
    await _payable(buyer, order_id)

    async def cancel() -> None:
        await asyncio.sleep(delay)  # this race's head start for the payment
        await buyer.delete(f"/api/orders/{order_id}")

    body = {"orderId": order_id, "token": "pm_card_visa"}
    await asyncio.gather(buyer.post("/api/payments", json=body), cancel())


def _coverage(stack: RunningStack) -> Coverage:
    return measure(load_catalog(), read_records(stack.recorded_events))


async def test_every_declared_event_is_published_valid_and_consumed(
    stack: RunningStack, seller: httpx.AsyncClient, buyer: httpx.AsyncClient
) -> None:
    ticket_id = await _listed(seller)
    edited = await seller.put(f"/api/tickets/{ticket_id}", json={"title": unique("e"), "price": 13})
    assert edited.status_code == 200, edited.text
    cancelled = await _ordered(buyer, ticket_id)
    assert (await buyer.delete(f"/api/orders/{cancelled}")).status_code == 204
    paid = await _ordered(buyer, await _listed(seller))
    await _payable(buyer, paid)
    payment = await buyer.post("/api/payments", json={"orderId": paid, "token": "pm_card_visa"})
    assert payment.status_code == 201, payment.text
    await _expire_now(stack, str(UUID(await _ordered(buyer, await _listed(seller)))))
    # A payment racing a cancel: some of these are refunded.
    await asyncio.gather(*(_race(seller, buyer, i * 0.1) for i in range(RACES)))

    async def complete() -> Coverage | None:
        found = _coverage(stack)
        return found if found.complete else None

    try:
        await eventually(complete, timeout=30, message="contract coverage incomplete")
    except AssertionError:
        found = _coverage(stack)
        pytest.fail("\n".join(["not covered:", *found.missing, *found.invalid]))
    result = run_ticketing("contracts", "coverage", str(stack.recorded_events))
    assert result.returncode == 0, result.stderr
    assert "order.created: published" in result.stdout
