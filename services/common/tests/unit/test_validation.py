"""Request models report the missing-field message they declare, and leave other errors alone."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from ticketing_common.validation import MissingMessage, RequestModel, readable_message


class OrderIn(RequestModel):
    ticket_id: Annotated[str, MissingMessage("TicketId must be provided"), Field(alias="ticketId")]
    quantity: int = 1


class PlainIn(RequestModel):
    title: str


def errors_of(model: type[RequestModel], data: object) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(error["loc"], readable_message(error)) for error in caught.value.errors()]


def test_missing_aliased_field_reports_its_declared_message() -> None:
    assert errors_of(OrderIn, {"quantity": "x"}) == [
        (("ticketId",), "TicketId must be provided"),
        (("quantity",), "Input should be a valid integer, unable to parse string as an integer"),
    ]


def test_present_but_invalid_field_keeps_the_validator_message() -> None:
    assert errors_of(OrderIn, {"ticketId": 7}) == [
        (("ticketId",), "Input should be a valid string")
    ]


def test_field_without_declared_message_keeps_pydantics_message() -> None:
    assert errors_of(PlainIn, {}) == [(("title",), "Field required")]
