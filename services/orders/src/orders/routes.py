"""The /api/orders routes: thin, each builds a command and calls its handler."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from orders import handlers
from orders.config import Settings
from orders.schemas import OrderIn, OrderOut
from ticketing_common.auth import RequiredUser
from ticketing_common.contracts import is_uuid
from ticketing_common.errors import NotAuthorized, NotFound
from ticketing_common.runtime import PoolDep

router = APIRouter(prefix="/api/orders", tags=["orders"])


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _buyer_id(user: RequiredUser) -> UUID:
    """The signed-in user's id; a session whose id is not a UUID is not one of ours."""
    if not is_uuid(user.id):
        raise NotAuthorized()
    return UUID(user.id)


def _order_id(order_id: str) -> UUID:
    """A malformed id names no order: 404, like an absent one."""
    if not is_uuid(order_id):
        raise NotFound()
    return UUID(order_id)


SettingsDep = Annotated[Settings, Depends(_settings)]
BuyerId = Annotated[UUID, Depends(_buyer_id)]
OrderId = Annotated[UUID, Depends(_order_id)]


@router.post("", status_code=201, response_model=OrderOut)
async def create_order(
    body: OrderIn, buyer: BuyerId, pool: PoolDep, settings: SettingsDep
) -> OrderOut:
    """Reserve a ticket for the expiration window."""
    order = await handlers.place_order(
        pool, user_id=buyer, ticket_id=body.ticket_id, window=settings.expiration_window
    )
    return OrderOut.of(order)


@router.get("", response_model=list[OrderOut])
async def list_orders(buyer: BuyerId, pool: PoolDep) -> list[OrderOut]:
    """The signed-in user's orders, oldest first."""
    return [OrderOut.of(order) for order in await handlers.orders_of(pool, buyer)]


@router.get("/{order_id}", response_model=OrderOut)
async def show_order(buyer: BuyerId, order_id: OrderId, pool: PoolDep) -> OrderOut:
    """One of the signed-in user's orders."""
    return OrderOut.of(await handlers.show_order(pool, user_id=buyer, order_id=order_id))


@router.delete("/{order_id}", status_code=204)
async def cancel_order(buyer: BuyerId, order_id: OrderId, pool: PoolDep) -> Response:
    """Cancel an unpaid order; cancelling a cancelled one is a no-op."""
    await handlers.cancel_order(pool, user_id=buyer, order_id=order_id)
    return Response(status_code=204)
