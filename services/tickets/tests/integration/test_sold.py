"""order.completed marks the ticket its order holds as sold; the API tells sold from reserved."""

from __future__ import annotations

from typing import Any

import httpx

from ticketing_common.bus import Bus
from ticketing_harness.testing.bus import caught_up, publish, settled
from ticketing_harness.waiting import eventually

from .events import order_cancelled, order_completed, order_created
from .tickets import create_ticket, show_ticket

COMPLETED = "tickets-order-completed"


async def _state(client: httpx.AsyncClient, ticket: dict[str, Any]) -> tuple[str | None, bool]:
    shown = await show_ticket(client, ticket["id"])
    return shown["orderId"], shown["sold"]


async def _reaches(
    client: httpx.AsyncClient, ticket: dict[str, Any], holder: object, sold: bool
) -> None:
    expected = (str(holder), sold)

    async def reached() -> bool:
        return await _state(client, ticket) == expected

    await eventually(reached, message=f"the ticket never reached {expected}")


async def test_a_new_ticket_is_not_sold(seller: httpx.AsyncClient) -> None:
    ticket = await create_ticket(seller)
    assert ticket["sold"] is False
    assert await _state(seller, ticket) == (None, False)


async def test_a_reserved_ticket_is_sold_once_its_order_is_paid(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, sold=False)
    await settled(bus, COMPLETED, await publish(bus, order_completed(order)))
    assert await _state(seller, ticket) == (str(order.id), True)
    assert (await show_ticket(seller, ticket["id"]))["version"] == 1  # its own state is unchanged
    assert await caught_up(bus, COMPLETED)
    assert await bus.dead_letters(COMPLETED) == []


async def test_a_payment_heard_before_the_reservation_still_sells_the_ticket(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await settled(bus, COMPLETED, await publish(bus, order_completed(order)))
    assert await _state(seller, ticket) == (None, False)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, sold=True)


async def test_another_order_s_payment_does_not_sell_a_ticket_released_and_reserved_again(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    first, second = order_created(ticket), order_created(ticket)
    await publish(bus, first)
    await publish(bus, order_cancelled(first))
    await publish(bus, second)
    await _reaches(seller, ticket, second.id, sold=False)
    # A stray completion of the cancelled order (it cannot be paid) sells nothing.
    await settled(bus, COMPLETED, await publish(bus, order_completed(first)))
    assert await _state(seller, ticket) == (str(second.id), False)
