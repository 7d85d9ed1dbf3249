"""The contract files are well-formed, agree with each other and are enforced on every message."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from ticketing_common.contracts import (
    DEFAULT_ROOT,
    SCHEMA_BASE_URI,
    CatalogError,
    is_uuid,
    load_catalog,
    parse_timestamp,
    subject_matches,
    validate_envelope,
)
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EVENT_MODELS
from ticketing_common.wire import PRICE_PATTERN, PRODUCER_PATTERN, TRACE_ID_PATTERN

CATALOG = load_catalog()
TRACE_IDS = ("correlationId", "causationId")
SCHEMAS = [pytest.param(CATALOG.envelope_schema, id="envelope")] + [
    pytest.param(c.schema, id=c.type) for c in CATALOG.events.values()
]
SERVICES = {"auth", "tickets", "orders", "expiration", "payments"}
# DESIGN.md's table, plus order.completed (payments; tickets tells sold tickets from
# reserved ones) and payment.refunded (orders shows the refund).
FLOWS = {
    "ticket.created": ("tickets", {"orders"}),
    "ticket.updated": ("tickets", {"orders"}),
    "order.created": ("orders", {"tickets", "expiration", "payments"}),
    "order.cancelled": ("orders", {"tickets", "payments"}),
    "order.completed": ("orders", {"tickets", "payments"}),
    "expiration.complete": ("expiration", {"orders"}),
    "payment.created": ("payments", {"orders"}),
    "payment.refunded": ("payments", {"orders"}),
}
EVENT_ID = "2c9d7e1a-4b3f-4e8a-9d6c-5b4a3f2e1d0c"


def _envelope(event_type: str = "order.created", **data_changes: Any) -> dict[str, Any]:
    data = {**CATALOG.events[event_type].schema["examples"][0], **data_changes}
    return {
        "id": EVENT_ID,
        "type": event_type,
        "schemaVersion": 1,
        "occurredAt": "2026-03-01T18:00:00Z",
        "producer": CATALOG.events[event_type].publisher,
        "data": data,
    }


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every property (name and schema), nested ones included."""
    found = []
    for name, sub in schema.get("properties", {}).items():
        found += [(name, sub), *_properties(sub)]
    return found


@pytest.mark.parametrize("schema", SCHEMAS)
def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("schema", SCHEMAS)
def test_schema_is_documented_closed_and_has_examples(schema: dict[str, Any]) -> None:
    assert schema["title"] and schema["description"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) <= set(schema["properties"])
    assert len(schema["examples"]) >= 2
    assert all(p.get("description") for p in schema["properties"].values())


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_schema_id_and_file_name_follow_type_and_version(event_type: str) -> None:
    contract = CATALOG.events[event_type]
    assert contract.schema_file == f"events/{event_type}.v{contract.version}.json"
    assert contract.schema["$id"] == f"{SCHEMA_BASE_URI}{contract.schema_file}"


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_every_event_schema_example_is_valid(event_type: str) -> None:
    for example in CATALOG.events[event_type].schema["examples"]:
        CATALOG.check_data(event_type, example)


def test_every_envelope_schema_example_is_valid() -> None:
    for example in CATALOG.envelope_schema["examples"]:
        validate_envelope(example)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_shared_field_definitions_are_identical_everywhere(schema: dict[str, Any]) -> None:
    for name, prop in _properties(schema):
        if name == "price":
            assert (prop["type"], prop["pattern"]) == ("string", PRICE_PATTERN)
        if name in TRACE_IDS:
            assert (prop["type"], prop["pattern"]) == ("string", TRACE_ID_PATTERN)
        elif name == "id" or (name.endswith("Id") and not name.startswith("stripe")):
            assert prop["format"] == "uuid"
        if name == "version":
            assert (prop["type"], prop["minimum"]) == ("integer", 0)
        if name in ("expiresAt", "occurredAt"):
            assert (prop["type"], prop["format"]) == ("string", "date-time")
    if schema is CATALOG.envelope_schema:
        assert schema["properties"]["producer"]["pattern"] == PRODUCER_PATTERN


def test_catalog_and_models_declare_the_same_events() -> None:
    assert set(CATALOG.events) == set(EVENT_MODELS)
    for event_type, model in EVENT_MODELS.items():
        assert CATALOG.events[event_type].version == model.schema_version
        assert CATALOG.events[event_type].schema["title"] == model.__name__


def test_envelope_type_lists_exactly_the_catalog_events() -> None:
    assert set(CATALOG.envelope_schema["properties"]["type"]["enum"]) == set(CATALOG.events)


def test_publishers_and_consumers_are_known_services() -> None:
    assert set(CATALOG.services) == SERVICES
    for contract in CATALOG.events.values():
        assert {contract.publisher, *contract.consumers} <= SERVICES


def test_publishers_and_consumers_follow_the_design() -> None:
    declared = {t: (c.publisher, set(c.consumers)) for t, c in CATALOG.events.items()}
    assert declared == FLOWS


def test_subject_is_events_dot_type_inside_the_stream() -> None:
    assert CATALOG.stream_name == "EVENTS"
    assert CATALOG.stream_subjects == ("events.>",)
    for event_type, contract in CATALOG.events.items():
        assert CATALOG.subject_for(event_type) == f"events.{event_type}" == contract.subject


def test_published_and_consumed_by_read_the_declaration() -> None:
    assert [c.type for c in CATALOG.published_by("orders")] == [
        "order.created",
        "order.cancelled",
        "order.completed",
    ]
    assert [c.type for c in CATALOG.consumed_by("payments")] == [
        "order.created",
        "order.cancelled",
        "order.completed",
    ]
    assert CATALOG.published_by("auth") == [] == CATALOG.consumed_by("auth")


def test_undeclared_event_has_no_subject() -> None:
    with pytest.raises(ContractViolation) as caught:
        CATALOG.subject_for("ticket.deleted")
    assert caught.value.event_type == "ticket.deleted"


def test_default_catalog_is_loaded_once() -> None:
    assert load_catalog() is load_catalog() is load_catalog(DEFAULT_ROOT)


@pytest.mark.parametrize(
    ("subject", "pattern", "matches"),
    [
        ("events.ticket.created", "events.>", True),
        ("events", "events.>", False),
        ("events.ticket.created", "events.*", False),
        ("events.ticket", "events.*", True),
        ("other.ticket.created", "events.>", False),
    ],
)
def test_subject_matching_follows_nats_wildcards(subject: str, pattern: str, matches: bool) -> None:
    assert subject_matches(subject, pattern) is matches


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11", True),
        ("0B6C1F3E-8A3D-4E59-9A0C-6F1D2B7C4E11", True),
        ("0b6c1f3e8a3d4e599a0c6f1d2b7c4e11", False),
        ("{0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11}", False),
        ("0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11\n", False),
        ("0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e1g", False),
    ],
)
def test_uuid_format_is_the_canonical_form(text: str, valid: bool) -> None:
    assert is_uuid(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2026-03-01T18:15:00Z", True),
        ("2026-03-01t18:15:00.123456789z", True),
        ("2026-03-01T18:15:00-05:30", True),
        ("2026-03-01T18:15:00", False),
        ("2026-03-01 18:15:00Z", False),
        ("2026-03-01T18:15Z", False),
        ("2026-02-29T18:15:00Z", False),
        ("2026-03-01T24:00:00Z", False),
        ("2026-03-01T18:15:00+24:00", False),
        ("2026-03-01T18:15:00Z\n", False),
        ("20260301T181500Z", False),
    ],
)
def test_date_time_format_is_rfc_3339(text: str, valid: bool) -> None:
    assert (parse_timestamp(text) is not None) is valid


def test_valid_envelope_passes() -> None:
    for event_type in CATALOG.events:
        validate_envelope(_envelope(event_type))


@pytest.mark.parametrize(
    ("envelope", "field"),
    [
        ({**_envelope(), "id": "nope"}, "id"),
        ({**_envelope(), "occurredAt": "yesterday"}, "occurredAt"),
        ({**_envelope(), "producer": "Orders Service"}, "producer"),
        ({**_envelope(), "schemaVersion": 2}, "schemaVersion"),
        ({**_envelope(), "extra": True}, "extra"),
        ({k: v for k, v in _envelope().items() if k != "producer"}, "producer"),
        (_envelope(status="paid"), "data.status"),
        (_envelope(userId=None), "data.userId"),
        (_envelope(ticket={"id": EVENT_ID}), "data.ticket.price"),
        (_envelope(ticket={"id": EVENT_ID, "price": "1.00", "seat": "A1"}), "data.ticket.seat"),
        (_envelope(expiresAt="2026-03-01T18:15:00"), "data.expiresAt"),
    ],
)
def test_validate_envelope_names_the_failing_field(envelope: dict[str, Any], field: str) -> None:
    with pytest.raises(ContractViolation) as caught:
        validate_envelope(envelope)
    assert caught.value.event_type == "order.created"
    assert caught.value.reason.startswith(f"{field}:")


def test_validate_envelope_rejects_undeclared_type() -> None:
    with pytest.raises(ContractViolation) as caught:
        validate_envelope({**_envelope(), "type": "ticket.deleted"})
    assert caught.value.event_type == "ticket.deleted"
    assert caught.value.reason.startswith("type:")


def _catalog_copy(tmp_path: Path, edit: Callable[[Path], None]) -> Path:
    root = tmp_path / "contracts"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("tests", "*.py"))
    edit(root)
    return root


def _edit_yaml(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        declared = yaml.safe_load((root / "catalog.yaml").read_text())
        change(declared)
        (root / "catalog.yaml").write_text(yaml.safe_dump(declared))

    return edit


def _edit_json(relative: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        schema = json.loads((root / relative).read_text())
        change(schema)
        (root / relative).write_text(json.dumps(schema))

    return edit


BROKEN_CATALOGS = [
    pytest.param(
        _edit_yaml(lambda d: d["events"][0]["consumers"].append("billing")),
        "unknown services ['billing']",
        id="unknown-consumer",
    ),
    pytest.param(
        _edit_yaml(lambda d: d["events"][0].update(subject="tickets.created")),
        "outside the stream",
        id="subject-outside-stream",
    ),
    pytest.param(
        _edit_yaml(lambda d: d["events"].append(dict(d["events"][0]))),
        "declared twice",
        id="duplicate-event",
    ),
    pytest.param(
        _edit_yaml(lambda d: d["events"][0].pop("publisher")),
        "publisher",
        id="missing-publisher",
    ),
    pytest.param(
        _edit_json("events/ticket.created.v1.json", lambda s: s.update({"$id": "urn:x"})),
        "$id must be",
        id="wrong-schema-id",
    ),
    pytest.param(
        _edit_json(
            "events/ticket.created.v1.json",
            lambda s: s["properties"]["userId"].update(format="email"),
        ),
        "would not be checked",
        id="unchecked-format",
    ),
    pytest.param(
        _edit_json("envelope.v1.json", lambda s: s["properties"]["type"]["enum"].append("x.y")),
        "differs from the catalog",
        id="envelope-enum-drift",
    ),
]


@pytest.mark.parametrize(("edit", "message"), BROKEN_CATALOGS)
def test_inconsistent_contracts_fail_to_load(
    tmp_path: Path, edit: Callable[[Path], None], message: str
) -> None:
    root = _catalog_copy(tmp_path, edit)
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_catalog(root)


def test_unedited_copy_of_the_contracts_loads(tmp_path: Path) -> None:
    root = _catalog_copy(tmp_path, lambda _: None)
    assert set(load_catalog(root).events) == set(CATALOG.events)


# Values that test the edges of every keyword and format the contracts use.
TRICKY: list[Any] = [
    None, True, 0, 1, 1.0, -1, 10**30, 0.5, "", "x", [], {}, {"extra": 1},
    EVENT_ID, EVENT_ID.upper(), EVENT_ID.replace("-", ""), f"{{{EVENT_ID}}}",
    "2026-03-01T18:00:00Z", "2026-03-01T18:00:00.123+01:00", "2026-02-30T18:00:00Z",
    "2026-03-01 18:00:00Z", "2026-03-01T18:00:00", "2026-03-01t18:00:00z",
    "10.00", "10.0", "0.00", "0.01", "999999999.99", "1000000000.00", "10.00\n", "010.00",
]  # fmt: skip


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_the_fast_validator_agrees_with_jsonschema_on_every_edge(event_type: str) -> None:
    checks = [CATALOG._envelope_validator, CATALOG._data_validators[(event_type, 1)]]
    envelope = _envelope(event_type)
    for check, instance in zip(checks, [envelope, envelope["data"]], strict=True):
        variants = [{**instance, "unknown": 1}] + [
            {**instance, name: value} for name in instance for value in TRICKY
        ]
        variants += [{k: v for k, v in instance.items() if k != name} for name in instance]
        for variant in variants:
            assert check.fast.is_valid(variant) == check.exact.is_valid(variant), variant
