"""The event models accept and produce exactly what the JSON Schemas accept: no drift."""

from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union, get_args, get_origin
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ticketing_common.contracts import load_catalog
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import (
    EVENT_MODELS,
    EventData,
    ExpirationComplete,
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderStatus,
    OrderTicket,
    PaymentCreated,
    PaymentRefunded,
    TicketCreated,
    TicketRef,
    TicketUpdated,
)
from ticketing_common.wire import WireModel
from ticketing_harness.testing.schema_strategies import from_schema

CATALOG = load_catalog()
EVENT_TYPES = sorted(EVENT_MODELS)
EXAMPLES = [
    pytest.param(c.type, example, id=f"{c.type}-{i}")
    for c in CATALOG.events.values()
    for i, example in enumerate(c.schema["examples"])
]
PROPERTY_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

ID_A = UUID("0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11")
ID_B = UUID("a3e1c2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d")
ID_C = UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
WHEN = datetime(2026, 3, 1, 18, 15, tzinfo=UTC)

BUILT: dict[str, EventData] = {
    e.event_type: e
    for e in (
        TicketCreated(id=ID_A, version=0, title="Concert", price=Decimal("19.99"), user_id=ID_B),
        TicketUpdated(
            id=ID_A, version=1, title="Concert", price=Decimal("20"), user_id=ID_B, order_id=None
        ),
        OrderCreated(
            id=ID_C,
            version=0,
            status=OrderStatus.CREATED,
            user_id=ID_B,
            expires_at=WHEN,
            ticket=OrderTicket(id=ID_A, price=Decimal("19.99")),
        ),
        OrderCancelled(id=ID_C, version=1, ticket=TicketRef(id=ID_A)),
        OrderCompleted(id=ID_C, version=1, ticket=TicketRef(id=ID_A)),
        ExpirationComplete(order_id=ID_C),
        PaymentCreated(id=ID_A, order_id=ID_C, stripe_id="pi_123"),
        PaymentRefunded(id=ID_A, order_id=ID_C, stripe_id="pi_123", stripe_refund_id="re_456"),
    )
}

# Strategies for Python values of each field, keyed by field name.
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.uuids(),
    "user_id": st.uuids(),
    "order_id": st.uuids(),
    "version": st.integers(min_value=0, max_value=2**53),
    "title": st.text(min_size=1, max_size=200),
    "price": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
    "status": st.sampled_from(OrderStatus),
    "expires_at": st.datetimes(
        timezones=st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
            lambda minutes: timezone(timedelta(minutes=minutes))
        )
    ),
    "stripe_id": st.text(min_size=1, max_size=255),
    "stripe_refund_id": st.text(min_size=1, max_size=255),
}


def instances(model: type[WireModel]) -> st.SearchStrategy[Any]:
    """Any instance of `model`, built field by field from FIELD_VALUES."""
    fields = {name: _values(model, name) for name in model.model_fields}
    return st.fixed_dictionaries(fields).map(lambda kwargs: model(**kwargs))


def _values(model: type[WireModel], name: str) -> st.SearchStrategy[Any]:
    annotation = model.model_fields[name].annotation
    if isinstance(annotation, type) and issubclass(annotation, WireModel):
        return instances(annotation)
    nullable = get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(
        annotation
    )
    return st.none() | FIELD_VALUES[name] if nullable else FIELD_VALUES[name]


def test_every_event_model_has_a_built_sample() -> None:
    assert set(BUILT) == set(EVENT_MODELS)


@pytest.mark.parametrize(("event_type", "example"), EXAMPLES)
def test_schema_example_parses_into_its_model(event_type: str, example: dict[str, Any]) -> None:
    parsed = EVENT_MODELS[event_type].from_wire(example)
    assert EVENT_MODELS[event_type].from_wire(parsed.to_wire()) == parsed


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_built_model_serializes_to_what_its_schema_accepts(event_type: str) -> None:
    CATALOG.check_data(event_type, BUILT[event_type].to_wire())


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_model_instance_is_valid_under_its_schema(event_type: str, data: st.DataObject) -> None:
    event = data.draw(instances(EVENT_MODELS[event_type]))
    CATALOG.check_data(event_type, event.to_wire())


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_model_round_trip_is_lossless(event_type: str, data: st.DataObject) -> None:
    event = data.draw(instances(EVENT_MODELS[event_type]))
    assert type(event).from_wire(event.to_wire()) == event
    assert Envelope.from_bytes(Envelope.wrap(event).to_bytes()).payload() == event


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_schema_instance_parses_into_its_model(event_type: str, data: st.DataObject) -> None:
    wire = data.draw(from_schema(CATALOG.events[event_type].schema))
    CATALOG.check_data(event_type, wire)
    event = EVENT_MODELS[event_type].from_wire(wire)
    CATALOG.check_data(event_type, event.to_wire())
    assert type(event).from_wire(event.to_wire()) == event


def _with(event_type: str, **changes: Any) -> dict[str, Any]:
    """The event's first schema example with fields replaced (or removed, with ...)."""
    example = dict(CATALOG.events[event_type].schema["examples"][0])
    for key, value in changes.items():
        if value is ...:
            del example[key]
        else:
            example[key] = value
    return example


def _order_ticket(**changes: Any) -> dict[str, Any]:
    return _with("order.created", ticket={**_with("order.created")["ticket"], **changes})


INVALID = [
    pytest.param("ticket.created", _with("ticket.created", userId=...), id="missing-field"),
    pytest.param("ticket.created", _with("ticket.created", extra=1), id="extra-field"),
    pytest.param("ticket.created", _with("ticket.created", user_id=str(ID_B), userId=...),
                 id="python-name-instead-of-wire-name"),
    pytest.param("ticket.created", _with("ticket.created", title=7), id="title-not-a-string"),
    pytest.param("ticket.created", _with("ticket.created", title=""), id="title-empty"),
    pytest.param("ticket.created", _with("ticket.created", title="x" * 201), id="title-too-long"),
    pytest.param("ticket.created", _with("ticket.created", price=19.99), id="price-float"),
    pytest.param("ticket.created", _with("ticket.created", price=20), id="price-integer"),
    pytest.param("ticket.created", _with("ticket.created", price="19.999"), id="price-3-decimals"),
    pytest.param("ticket.created", _with("ticket.created", price="19.9"), id="price-1-decimal"),
    pytest.param("ticket.created", _with("ticket.created", price="20"), id="price-no-decimals"),
    pytest.param("ticket.created", _with("ticket.created", price="0.00"), id="price-zero"),
    pytest.param("ticket.created", _with("ticket.created", price="-1.00"), id="price-negative"),
    pytest.param("ticket.created", _with("ticket.created", price="019.99"), id="price-leading-0"),
    pytest.param("ticket.created", _with("ticket.created", price="1e3"), id="price-exponent"),
    pytest.param("ticket.created", _with("ticket.created", price="1000000000.00"),
                 id="price-too-big"),
    pytest.param("ticket.created", _with("ticket.created", version=-1), id="version-negative"),
    pytest.param("ticket.created", _with("ticket.created", version="1"), id="version-string"),
    pytest.param("ticket.created", _with("ticket.created", version=True), id="version-bool"),
    pytest.param("ticket.created", _with("ticket.created", version=1.5), id="version-fraction"),
    pytest.param("ticket.created", _with("ticket.created", id="not-a-uuid"), id="uuid-garbage"),
    pytest.param("ticket.created", _with("ticket.created", id=ID_A.hex), id="uuid-no-hyphens"),
    pytest.param("ticket.created", _with("ticket.created", id=f"{{{ID_A}}}"), id="uuid-braces"),
    pytest.param("ticket.created", _with("ticket.created", id=ID_A.int), id="uuid-integer"),
    pytest.param("ticket.updated", _with("ticket.updated", orderId=...), id="null-key-missing"),
    pytest.param("ticket.updated", _with("ticket.updated", orderId="x"), id="nullable-uuid-bad"),
    pytest.param("order.created", _with("order.created", status="paid"), id="status-unknown"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-03-01T18:15:00"),
                 id="date-time-without-offset"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-03-01 18:15:00Z"),
                 id="date-time-space"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-03-01T18:15Z"),
                 id="date-time-no-seconds"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-02-30T18:15:00Z"),
                 id="date-time-impossible-day"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-03-01T18:15:00+01"),
                 id="date-time-short-offset"),
    pytest.param("order.created", _with("order.created", expiresAt="2026-03-01"),
                 id="date-only"),
    pytest.param("order.created", _with("order.created", expiresAt=1772388900),
                 id="date-time-epoch-number"),
    pytest.param("order.created", _order_ticket(price=19.99), id="nested-price-float"),
    pytest.param("order.created", _order_ticket(extra=1), id="nested-extra-field"),
    pytest.param("order.created", _order_ticket(id=...), id="nested-missing-field"),
    pytest.param("order.cancelled", _with("order.cancelled", ticket=str(ID_A)),
                 id="nested-not-an-object"),
    pytest.param("payment.created", _with("payment.created", stripeId=""), id="stripe-id-empty"),
    pytest.param("payment.created", _with("payment.created", stripeId=5), id="stripe-id-number"),
    pytest.param("expiration.complete", [str(ID_C)], id="not-an-object"),
]  # fmt: skip


@pytest.mark.parametrize(("event_type", "wire"), INVALID)
def test_invalid_instance_is_rejected_by_schema_and_model(event_type: str, wire: Any) -> None:
    with pytest.raises(ContractViolation):
        CATALOG.check_data(event_type, wire)
    with pytest.raises(ValidationError):
        EVENT_MODELS[event_type].from_wire(wire)


def test_price_is_quantized_to_cents_and_sent_as_a_string() -> None:
    ticket = TicketCreated(id=ID_A, version=0, title="t", price=Decimal("20.5"), user_id=ID_B)
    assert ticket.price == Decimal("20.50")
    assert ticket.to_wire()["price"] == "20.50"


@pytest.mark.parametrize(
    "price", [19.99, 20, Decimal("19.999"), Decimal("0"), Decimal("-5"), Decimal("NaN")]
)
def test_price_refuses_floats_integers_and_sub_cent_values(price: object) -> None:
    with pytest.raises(ValidationError):
        OrderTicket(id=ID_A, price=price)


def test_utc_timestamp_is_sent_with_z() -> None:
    order = BUILT["order.created"]
    assert order.to_wire()["expiresAt"] == "2026-03-01T18:15:00Z"


def test_offset_timestamp_keeps_its_offset_and_instant() -> None:
    wire = _with("order.created", expiresAt="2026-03-01T19:15:00+01:00")
    order = OrderCreated.from_wire(wire)
    assert order.expires_at == WHEN
    assert order.to_wire()["expiresAt"] == "2026-03-01T19:15:00+01:00"


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 3, 1, 18, 15),
        datetime(2026, 3, 1, 18, 15, tzinfo=timezone(timedelta(minutes=17, seconds=30))),
    ],
    ids=["naive", "sub-minute-offset"],
)
def test_timestamp_needs_an_offset_rfc_3339_can_express(when: datetime) -> None:
    with pytest.raises(ValidationError):
        OrderCreated.model_validate({**dict(BUILT["order.created"]), "expires_at": when})


def test_models_are_immutable() -> None:
    with pytest.raises(ValidationError):
        BUILT["ticket.created"].title = "changed"  # type: ignore[attr-defined]


def test_envelope_round_trips_through_bytes() -> None:
    event = BUILT["order.created"]
    envelope = Envelope.wrap(event, event_id=ID_A, occurred_at=WHEN)
    parsed = Envelope.from_bytes(envelope.to_bytes())
    assert parsed == envelope
    assert (parsed.id, parsed.type, parsed.schema_version) == (ID_A, "order.created", 1)
    assert parsed.payload() == event


def test_wrap_gives_each_event_a_new_id_and_the_current_time() -> None:
    before = datetime.now(UTC)
    first, second = (Envelope.wrap(BUILT["ticket.created"]) for _ in range(2))
    assert first.id != second.id
    assert before <= first.occurred_at <= datetime.now(UTC)


def test_wrapped_envelope_validates_against_the_envelope_contract() -> None:
    for event in BUILT.values():
        CATALOG.validate_envelope(Envelope.wrap(event).to_wire())


def test_wire_form_uses_camel_case_names() -> None:
    body = Envelope.wrap(BUILT["payment.refunded"], event_id=ID_A).to_bytes()
    assert b'"schemaVersion":1' in body
    assert b'"occurredAt":' in body
    assert b'"stripeRefundId":"re_456"' in body


@pytest.mark.parametrize("example", CATALOG.envelope_schema["examples"])
def test_envelope_schema_example_parses(example: dict[str, Any]) -> None:
    assert isinstance(Envelope.from_wire(example).payload(), EVENT_MODELS[example["type"]])


GARBAGE: list[tuple[bytes, str]] = [
    (b"not json", "not JSON"),
    (b"\xff\xfe\x00", "not JSON"),
    (b"[1, 2]", "(root)"),
    (b"{}", "id: is required"),
    (
        Envelope.wrap(BUILT["ticket.created"])
        .to_bytes()
        .replace(b'"ticket.created"', b'"ticket.deleted"'),
        "type:",
    ),
    (
        Envelope.wrap(BUILT["ticket.created"]).to_bytes().replace(b'"producer":"tickets",', b""),
        "producer: is required",
    ),
    (
        Envelope.wrap(BUILT["ticket.created"])
        .to_bytes()
        .replace(b'"schemaVersion":1', b'"schemaVersion":2'),
        "schemaVersion:",
    ),
]


@pytest.mark.parametrize(("raw", "reason"), GARBAGE, ids=[reason for _, reason in GARBAGE])
def test_from_bytes_rejects_anything_but_a_valid_envelope(raw: bytes, reason: str) -> None:
    with pytest.raises(ContractViolation) as caught:
        Envelope.from_bytes(raw)
    assert reason in caught.value.reason


def test_payload_that_breaks_its_model_names_the_field() -> None:
    envelope = Envelope.wrap(BUILT["ticket.created"])
    broken = envelope.model_copy(update={"data": {**envelope.data, "price": 19.99}})
    with pytest.raises(ContractViolation) as caught:
        broken.payload()
    assert caught.value.event_type == "ticket.created"
    assert caught.value.reason.startswith("data.price:")


def test_payload_of_unknown_major_version_is_a_contract_violation() -> None:
    envelope = Envelope.wrap(BUILT["ticket.created"])
    with pytest.raises(ContractViolation, match="schemaVersion 2"):
        envelope.model_copy(update={"schema_version": 2}).payload()
