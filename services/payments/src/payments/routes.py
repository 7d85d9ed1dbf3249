"""HTTP API of the payments service: POST /api/payments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from payments import handlers
from payments.deps import PaymentsDep
from ticketing_common.auth import UserId
from ticketing_common.validation import MissingMessage, RequestModel

router = APIRouter(prefix="/api/payments", tags=["payments"])


class PaymentIn(RequestModel):
    """A payment request: which order, and the Stripe PaymentMethod id that pays it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    order_id: Annotated[str, MissingMessage("Order id is required")]
    token: Annotated[str, MissingMessage("Token is required")]

    @field_validator("order_id")
    @classmethod
    def _order_id_is_uuid(cls, value: str) -> str:
        try:
            UUID(value)
        except ValueError:
            raise ValueError("Order id must be a valid id") from None
        return value

    @field_validator("token")
    @classmethod
    def _token_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Token is required")
        return value.strip()


class PaymentOut(BaseModel):
    """The payment created."""

    id: UUID


@router.post("", status_code=201, response_model=PaymentOut)
async def create_payment(body: PaymentIn, buyer: UserId, payments: PaymentsDep) -> PaymentOut:
    """The buyer pays for their order once; a declined card is 402 and stores nothing."""
    payment_id = await handlers.pay(
        payments.db,
        payments.gateway,
        user_id=buyer,
        order_id=UUID(body.order_id),
        token=body.token,
    )
    return PaymentOut(id=payment_id)
