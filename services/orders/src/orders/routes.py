"""The /api/orders routes: thin, each builds a command and calls its handler."""

from __future__ import annotations

from fastapi import APIRouter, Response

from orders import handlers
from orders.deps import OrderId, OrdersDep
from orders.domain import Order
from orders.schemas import OrderIn, OrderOut
from ticketing_common import idempotency
from ticketing_common.auth import UserId
from ticketing_common.idempotency import Answer, IdempotencyKey, IdempotentRequest
from ticketing_common.paging import DEFAULT_PAGE_SIZE, Limit, Offset

router = APIRouter(prefix="/api/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderOut, responses=idempotency.RESPONSES)
async def create_order(
    body: OrderIn, buyer: UserId, orders: OrdersDep, key: IdempotencyKey = None
) -> Response:
    """Reserve a ticket for the window; a retry with the same Idempotency-Key gets its answer."""
    answer = await handlers.place_order(
        orders.db,
        user_id=buyer,
        ticket_id=body.ticket_id,
        window=orders.settings.expiration_window,
        request=IdempotentRequest.of(buyer, key, "POST /api/orders", body),
        answer=_created,
    )
    return answer.response()


def _created(order: Order) -> Answer:
    return Answer(201, OrderOut.of(order).model_dump(mode="json", by_alias=True))


@router.get("", response_model=list[OrderOut])
async def list_orders(
    buyer: UserId, orders: OrdersDep, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> list[OrderOut]:
    """The signed-in user's orders, oldest first, 20 per page unless `limit` says."""
    mine = await handlers.orders_of(orders.db, buyer, limit=limit, offset=offset)
    return [OrderOut.of(order) for order in mine]


@router.get("/{order_id}", response_model=OrderOut)
async def show_order(buyer: UserId, order_id: OrderId, orders: OrdersDep) -> OrderOut:
    """One of the signed-in user's orders."""
    return OrderOut.of(await handlers.show_order(orders.db, user_id=buyer, order_id=order_id))


@router.delete("/{order_id}", status_code=204)
async def cancel_order(buyer: UserId, order_id: OrderId, orders: OrdersDep) -> Response:
    """Cancel an unpaid order; cancelling a cancelled one is a no-op."""
    await handlers.cancel_order(orders.db, user_id=buyer, order_id=order_id)
    return Response(status_code=204)
