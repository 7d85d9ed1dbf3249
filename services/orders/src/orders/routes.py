"""The /api/orders routes: thin, each builds a command and calls its handler."""

from __future__ import annotations

from fastapi import APIRouter, Response

from orders import handlers
from orders.deps import OrderId, OrdersDep
from orders.schemas import OrderIn, OrderOut
from ticketing_common.auth import UserId

router = APIRouter(prefix="/api/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderOut)
async def create_order(body: OrderIn, buyer: UserId, orders: OrdersDep) -> OrderOut:
    """Reserve a ticket for the expiration window."""
    order = await handlers.place_order(
        orders.db,
        user_id=buyer,
        ticket_id=body.ticket_id,
        window=orders.settings.expiration_window,
    )
    return OrderOut.of(order)


@router.get("", response_model=list[OrderOut])
async def list_orders(buyer: UserId, orders: OrdersDep) -> list[OrderOut]:
    """The signed-in user's orders, oldest first."""
    return [OrderOut.of(order) for order in await handlers.orders_of(orders.db, buyer)]


@router.get("/{order_id}", response_model=OrderOut)
async def show_order(buyer: UserId, order_id: OrderId, orders: OrdersDep) -> OrderOut:
    """One of the signed-in user's orders."""
    return OrderOut.of(await handlers.show_order(orders.db, user_id=buyer, order_id=order_id))


@router.delete("/{order_id}", status_code=204)
async def cancel_order(buyer: UserId, order_id: OrderId, orders: OrdersDep) -> Response:
    """Cancel an unpaid order; cancelling a cancelled one is a no-op."""
    await handlers.cancel_order(orders.db, user_id=buyer, order_id=order_id)
    return Response(status_code=204)
