"""HTTP API of the payments service: POST /api/payments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from payments import handlers
from payments.handlers import Deps
from ticketing_common.auth import RequiredUser
from ticketing_common.errors import NotAuthorized
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


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(_deps)]


@router.post("", status_code=201, response_model=PaymentOut)
async def create_payment(body: PaymentIn, user: RequiredUser, deps: DepsDep) -> PaymentOut:
    """The buyer pays for their order once; a declined card is 402 and stores nothing."""
    try:
        user_id = UUID(user.id)
    except ValueError:
        raise NotAuthorized() from None
    payment_id = await handlers.pay(
        deps, user_id=user_id, order_id=UUID(body.order_id), token=body.token
    )
    return PaymentOut(id=payment_id)
