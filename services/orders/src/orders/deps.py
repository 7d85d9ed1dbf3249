"""What the orders routes depend on: the running service and the order named in the path."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from orders.bootstrap import Orders
from ticketing_common.paths import uuid_or_not_found
from ticketing_common.service import service_dependency


async def _order_id(order_id: str) -> UUID:
    """The order id in the path; one that is not a UUID names no order (404)."""
    return uuid_or_not_found(order_id)


OrdersDep = Annotated[Orders, Depends(service_dependency(Orders))]
OrderId = Annotated[UUID, Depends(_order_id)]
