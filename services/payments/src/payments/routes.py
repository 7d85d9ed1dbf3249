"""HTTP API of the payments service: POST /api/payments."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from payments import handlers
from payments.deps import PaymentsDep
from ticketing_common import idempotency
from ticketing_common.auth import UserId
from ticketing_common.contracts import is_uuid
from ticketing_common.idempotency import IdempotencyKey, IdempotentRequest
from ticketing_common.validation import MissingMessage, RequestModel

router = APIRouter(prefix="/api/payments", tags=["payments"])

ORDER_ID_MESSAGE = "Order id must be a valid id"
TOKEN_PATTERN = r"^[A-Za-z0-9_]{1,255}$"
TOKEN_MESSAGE = "Token must be a Stripe payment method id, such as pm_card_visa"


def _order_id(value: Any) -> UUID:
    if isinstance(value, str) and is_uuid(value):
        return UUID(value)
    raise ValueError(ORDER_ID_MESSAGE)


def _token(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(TOKEN_PATTERN, value):
        return value
    blank = isinstance(value, str) and not value.strip()
    raise ValueError("Token is required" if blank else TOKEN_MESSAGE)


class PaymentIn(RequestModel):
    """A payment request: which order, and the Stripe PaymentMethod id that pays it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    order_id: Annotated[UUID, BeforeValidator(_order_id), MissingMessage("Order id is required")]
    token: Annotated[
        str,
        BeforeValidator(_token),
        MissingMessage("Token is required"),
        Field(
            json_schema_extra={"pattern": TOKEN_PATTERN},
            description="A PaymentMethod id (pm_...), e.g. the test card pm_card_visa.",
        ),
    ]


class PaymentOut(BaseModel):
    """The payment created."""

    id: UUID


@router.post("", status_code=201, response_model=PaymentOut, responses=idempotency.RESPONSES)
async def create_payment(
    body: PaymentIn, buyer: UserId, payments: PaymentsDep, key: IdempotencyKey = None
) -> Response:
    """The buyer pays for their order once; a declined card is 402 and stores nothing."""
    answer = await handlers.pay(
        payments.db,
        payments.gateway,
        user_id=buyer,
        order_id=body.order_id,
        token=body.token,
        request=IdempotentRequest.of(buyer, key, "POST /api/payments", body),
    )
    return answer.response()
