"""Typed models of every event payload, and the envelope that carries one on the bus.

The JSON Schemas in contracts/ are the source of truth; these models accept and produce
exactly what the schemas accept, which the contract tests prove.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID, uuid4

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from ticketing_common.contracts import is_uuid, load_catalog, parse_timestamp
from ticketing_common.errors import ContractViolation

# The schemas' patterns, verbatim (a test checks). (?![\s\S]) anchors at the very end in
# every regex dialect, where Python's $ would also accept a trailing newline.
PRICE_PATTERN = r"^(?:[1-9][0-9]{0,8}\.[0-9]{2}|0\.(?:0[1-9]|[1-9][0-9]))(?![\s\S])"
PRODUCER_PATTERN = r"^[a-z][a-z0-9-]{0,62}(?![\s\S])"
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


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    CREATED = "created"
    CANCELLED = "cancelled"
    AWAITING_PAYMENT = "awaiting:payment"
    COMPLETE = "complete"


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


class EventData(WireModel):
    """Base of every event payload; `event_type` names its contract."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class TicketRef(WireModel):
    """A reference to a ticket by id."""

    id: Uuid


class OrderTicket(WireModel):
    """The ticket an order is for, with the price it is sold at."""

    id: Uuid
    price: Price


class TicketCreated(EventData):
    """A ticket was listed for sale."""

    event_type: ClassVar[str] = "ticket.created"
    id: Uuid
    version: Version
    title: Title
    price: Price
    user_id: Uuid


class TicketUpdated(EventData):
    """A ticket was edited, reserved by an order (order_id set) or released (None)."""

    event_type: ClassVar[str] = "ticket.updated"
    id: Uuid
    version: Version
    title: Title
    price: Price
    user_id: Uuid
    order_id: Uuid | None


class OrderCreated(EventData):
    """A buyer ordered a ticket, which stays locked until the order ends."""

    event_type: ClassVar[str] = "order.created"
    id: Uuid
    version: Version
    status: OrderStatus
    user_id: Uuid
    expires_at: Timestamp
    ticket: OrderTicket


class OrderCancelled(EventData):
    """An order was cancelled or expired unpaid; its ticket is free again."""

    event_type: ClassVar[str] = "order.cancelled"
    id: Uuid
    version: Version
    ticket: TicketRef


class OrderCompleted(EventData):
    """An order was paid; its ticket is sold."""

    event_type: ClassVar[str] = "order.completed"
    id: Uuid
    version: Version
    ticket: TicketRef


class ExpirationComplete(EventData):
    """An order's expiration window has passed."""

    event_type: ClassVar[str] = "expiration.complete"
    order_id: Uuid


class PaymentCreated(EventData):
    """A buyer paid for an order."""

    event_type: ClassVar[str] = "payment.created"
    id: Uuid
    order_id: Uuid
    stripe_id: ProviderId


class PaymentRefunded(EventData):
    """A payment that raced its order's expiry was refunded."""

    event_type: ClassVar[str] = "payment.refunded"
    id: Uuid
    order_id: Uuid
    stripe_id: ProviderId
    stripe_refund_id: ProviderId


EVENT_MODELS: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        TicketCreated,
        TicketUpdated,
        OrderCreated,
        OrderCancelled,
        OrderCompleted,
        ExpirationComplete,
        PaymentCreated,
        PaymentRefunded,
    )
}


class Envelope(WireModel):
    """What every message carries: event id, type, schema version, time, producer and data."""

    id: Uuid
    type: str
    schema_version: int
    occurred_at: Timestamp
    producer: Producer
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        data: EventData,
        producer: str,
        *,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Envelope an event payload.

        Args:
            data: the payload.
            producer: the publishing service.
            event_id: a deterministic id (e.g. a retry of the same event); a new uuid4 if None.
            occurred_at: when it happened; now (UTC) if None.
        """
        return cls(
            id=event_id or uuid4(),
            type=data.event_type,
            schema_version=data.schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            data=data.to_wire(),
        )

    def to_bytes(self) -> bytes:
        """The message body: compact JSON with camelCase names."""
        return self.model_dump_json(by_alias=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        """Parse a message body, checking the envelope (not yet `data`) against its contract.

        Raises:
            ContractViolation: not JSON, a missing or malformed field, or an undeclared type.
        """
        try:
            body = json.loads(raw)
        except ValueError as exc:  # covers JSONDecodeError and UnicodeDecodeError
            raise ContractViolation("unknown", f"not JSON: {exc}") from exc
        contract = load_catalog().check_envelope(body)
        try:
            return cls.from_wire(body)
        except ValidationError as exc:
            raise ContractViolation(contract.type, _describe(exc, ())) from exc

    def payload(self) -> EventData:
        """The payload as its registered model.

        Raises:
            ContractViolation: no model for the type and version, or `data` does not parse.
        """
        model = EVENT_MODELS.get(self.type)
        if model is None or model.schema_version != self.schema_version:
            raise ContractViolation(self.type, f"no model for schemaVersion {self.schema_version}")
        try:
            return model.from_wire(self.data)
        except ValidationError as exc:
            raise ContractViolation(self.type, _describe(exc, ("data",))) from exc


def _describe(exc: ValidationError, prefix: tuple[str, ...]) -> str:
    """`path.to.field: what is wrong` for the first error."""
    error = exc.errors()[0]
    path = [*prefix, *(str(p) for p in error["loc"])]
    return f"{'.'.join(path) or '(root)'}: {error['msg']}"
