"""Readable pydantic validation messages: per-field messages for missing input, no prefixes.

A request body model derives from `RequestModel` and declares what a missing field says:

    class TicketIn(RequestModel):
        title: Annotated[str, MissingMessage("Title is required")]
        price: Decimal

        @field_validator("price")
        @classmethod
        def _positive(cls, price: Decimal) -> Decimal:
            if price <= 0:
                raise ValueError("Price must be greater than 0")
            return price

Absent `title` reports "Title is required" instead of pydantic's "Field required"; the
HTTP layer renders `ValueError` texts without pydantic's "Value error, " prefix, so the
body `{"price": -1}` answers 400 with both messages, each naming its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

_VALIDATOR_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}


@dataclass(frozen=True)
class MissingMessage:
    """Annotated marker: the message a `RequestModel` reports when this field is absent."""

    message: str


class RequestModel(BaseModel):
    """Base of request bodies whose fields may declare a `MissingMessage`."""

    @model_validator(mode="wrap")
    @classmethod
    def _declared_missing_messages(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors()
            if not any(_declared_message(cls, error) for error in errors):
                raise
            raise ValidationError.from_exception_data(
                exc.title, [_with_declared_message(cls, error) for error in errors]
            ) from None


def readable_message(error: ErrorDetails) -> str:
    """The error's message without the prefix pydantic adds to validator exceptions."""
    prefix = _VALIDATOR_PREFIXES.get(error["type"], "")
    return error["msg"].removeprefix(prefix)


def _declared_message(model: type[BaseModel], error: ErrorDetails) -> str | None:
    if error["type"] != "missing" or len(error["loc"]) != 1:
        return None
    key = error["loc"][0]
    for name, field in model.model_fields.items():
        if key in (name, field.alias, field.validation_alias):
            markers = [item for item in field.metadata if isinstance(item, MissingMessage)]
            return markers[-1].message if markers else None
    return None


def _with_declared_message(model: type[BaseModel], error: ErrorDetails) -> InitErrorDetails:
    # Errors are re-raised as custom errors carrying their original type and text, so
    # messages already rewritten by a nested RequestModel survive.
    message = _declared_message(model, error) or error["msg"]
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], message),
        loc=error["loc"],
        input=error["input"],
    )


# Text rules as regular expressions that an OpenAPI document can state verbatim (anchored
# there with ^ and $), so that an API accepts exactly what its schema says. Only these
# characters are trimmed: regex dialects do not agree on what else is a space.
WHITESPACE = " \t\n\r\f\v"
SPACE = r"[ \t\n\r\f\v]"


def trimmed_pattern(min_length: int, max_length: int | None, forbidden: str = "") -> str:
    """A text that, trimmed of WHITESPACE, has `min_length` to `max_length` characters (no
    bound if None), none of them in `forbidden` (regex class escapes, e.g. `\\x00`)."""
    inner = rf"[^{forbidden}]" if forbidden else r"[\s\S]"
    edge = rf"[^ \t\n\r\f\v{forbidden}]"
    upper = "" if max_length is None else str(max_length - 2)
    if min_length <= 1:
        middle = rf"(?:{inner}{{0,{upper}}}{edge})?"
    else:
        middle = rf"{inner}{{{min_length - 2},{upper}}}{edge}"
    return rf"{SPACE}*{edge}{middle}{SPACE}*"


def trimmed_match(text: object, pattern: str, *, max_length: int) -> str | None:
    """The text trimmed of WHITESPACE if it is a string of at most `max_length` characters
    that matches `pattern` whole; else None."""
    if not isinstance(text, str) or len(text) > max_length or not re.fullmatch(pattern, text):
        return None
    return text.strip(WHITESPACE)
