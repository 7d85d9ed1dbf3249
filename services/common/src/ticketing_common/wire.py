"""The JSON types of the contracts: ids, versions, prices, timestamps, and the closed object.

The JSON Schemas in contracts/ are the source of truth; these types accept and produce
exactly what the schemas accept, which the contract tests prove.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator
from pydantic.alias_generators import to_camel

from ticketing_common.contracts import is_uuid, parse_timestamp

# The schemas' patterns, verbatim (a test checks). (?![\s\S]) anchors at the very end in
# every regex dialect, where Python's $ would also accept a trailing newline.
PRICE_PATTERN = r"^(?:[1-9][0-9]{0,8}\.[0-9]{2}|0\.(?:0[1-9]|[1-9][0-9]))(?![\s\S])"
PRODUCER_PATTERN = r"^[a-z][a-z0-9-]{0,62}(?![\s\S])"
# A request id (the gateway's, or a well-formed one a client sent) or an event id.
TRACE_ID_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._:-]{7,127}(?![\s\S])"
_PRICE = re.compile(PRICE_PATTERN)
_CENT = Decimal("0.01")


def _to_uuid(value: object) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str) and is_uuid(value):
        return UUID(value)
    raise ValueError("must be a UUID in 8-4-4-4-12 hex form")


def _to_version(value: object) -> int:
    # JSON Schema counts 3.0 as the integer 3; a string or a bool is never a version.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError("must be an integer >= 0")


def _to_price(value: object) -> Decimal:
    text = value if isinstance(value, str) else _cents_text(value)
    if text is None or _PRICE.search(text) is None:
        raise ValueError(
            "must be > 0 with at most 2 decimals, as a Decimal or a string like '19.99' "
            "(never a binary float)"
        )
    return Decimal(text)


def _cents_text(value: object) -> str | None:
    """The 2-decimal text of a Decimal that is exact to the cent, else None."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    try:
        cents = value.quantize(_CENT)
    except InvalidOperation:  # too many digits to quantize
        return None
    return format(cents, "f") if cents == value else None


def _to_timestamp(value: object) -> datetime:
    parsed = parse_timestamp(value) if isinstance(value, str) else value
    if isinstance(parsed, datetime):
        offset = parsed.utcoffset()
        # RFC 3339 offsets are whole minutes; anything finer could not be sent.
        if offset is not None and offset % timedelta(minutes=1) == timedelta(0):
            return parsed
    raise ValueError("must be an RFC 3339 date-time with Z or an offset in whole minutes")


def _timestamp_text(value: datetime) -> str:
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


Uuid = Annotated[UUID, PlainValidator(_to_uuid), PlainSerializer(str, when_used="json")]
"""A UUID; on the wire its canonical lowercase string."""

Version = Annotated[int, PlainValidator(_to_version)]
"""A record version: an integer >= 0, bumped by one on every change."""

Price = Annotated[
    Decimal,
    PlainValidator(_to_price),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
"""A price exact to the cent, > 0; on the wire a string with exactly two decimals."""

Timestamp = Annotated[
    datetime,
    PlainValidator(_to_timestamp),
    PlainSerializer(_timestamp_text, return_type=str, when_used="json"),
]
"""An aware datetime; on the wire RFC 3339 with Z (UTC) or its offset."""

Title = Annotated[str, Field(strict=True, min_length=1, max_length=200)]
ProviderId = Annotated[str, Field(strict=True, min_length=1, max_length=255)]
Producer = Annotated[str, Field(strict=True, pattern=re.compile(PRODUCER_PATTERN))]
TraceId = Annotated[str, Field(strict=True, pattern=re.compile(TRACE_ID_PATTERN))]


class WireModel(BaseModel):
    """A JSON object of the contracts: camelCase on the wire, snake_case in Python, closed."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        """Parse the JSON form, by its camelCase names only, exactly as a consumer receives it."""
        return cls.model_validate(data, by_alias=True, by_name=False)

    def to_wire(self) -> dict[str, Any]:
        """The JSON form: camelCase names, ids and prices as strings."""
        return self.model_dump(mode="json", by_alias=True)
