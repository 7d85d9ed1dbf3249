"""Request models report the missing-field message they declare, and leave other errors alone."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from ticketing_common.validation import (
    MissingMessage,
    RequestModel,
    readable_message,
    trimmed_match,
    trimmed_pattern,
)


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


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        ("abcd", "abcd"),
        (" \t abcd\n", "abcd"),
        ("ab  cd", "ab  cd"),
        ("\u00a0abc", "\u00a0abc"),  # only ASCII spaces are trimmed
        ("abc", None),
        ("   abc   ", None),
        ("a" * 7, None),
        ("ab\x00c", None),
        (42, None),
    ],
)
def test_a_trimmed_pattern_and_its_match_agree_on_length_and_forbidden_characters(
    text: object, trimmed: str | None
) -> None:
    pattern = trimmed_pattern(4, 6, forbidden=r"\x00")
    assert trimmed_match(text, pattern, max_length=100) == trimmed
    if isinstance(text, str):
        assert (re.fullmatch(pattern, text) is not None) == (trimmed is not None)


def test_a_text_longer_than_its_limit_is_not_even_matched() -> None:
    assert trimmed_match("abcd" + " " * 100, trimmed_pattern(4, 6), max_length=100) is None
