"""The event contracts: the catalog of events, their JSON Schemas and validation against them."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ticketing_common.errors import ContractViolation

DEFAULT_ROOT = Path(__file__).parent / "contract_files"
SCHEMA_BASE_URI = "https://ticketing.dev/contracts/"
CATALOG_FILE = "catalog.yaml"
CATALOG_SCHEMA_FILE = "catalog.schema.json"

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


class CatalogError(Exception):
    """The contracts contradict themselves: fix the files under contracts/."""


def is_uuid(text: str) -> bool:
    """True for a UUID in its canonical 8-4-4-4-12 hex form, the only form the contracts allow."""
    return _UUID.fullmatch(text) is not None


def parse_timestamp(text: str) -> datetime | None:
    """The aware datetime an RFC 3339 date-time (Z or offset, no leap second) names, else None."""
    if _TIMESTAMP.fullmatch(text) is None:
        return None
    try:
        return datetime.fromisoformat(text.upper())
    except ValueError:  # well-formed but impossible, e.g. February 30th or hour 25
        return None


def _format_checker() -> FormatChecker:
    """Checks `uuid` and `date-time` with the very predicates the Python models use."""
    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda value: not isinstance(value, str) or is_uuid(value))
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or parse_timestamp(value) is not None
    )
    return checker


FORMAT_CHECKER = _format_checker()


@dataclass(frozen=True)
class EventContract:
    """One catalogued event: its subject, schema, publisher and consumers."""

    type: str
    subject: str
    version: int
    schema: dict[str, Any]
    publisher: str
    consumers: tuple[str, ...]
    description: str
    schema_file: str


@dataclass(frozen=True)
class Catalog:
    """Every event on the bus, loaded from catalog.yaml, with validators built once."""

    root: Path
    stream_name: str
    stream_subjects: tuple[str, ...]
    services: tuple[str, ...]
    envelope_schema: dict[str, Any]
    events: dict[str, EventContract]
    _envelope_validator: Validator = field(repr=False, compare=False)
    _data_validators: dict[str, Validator] = field(repr=False, compare=False)

    def contract(self, event_type: str) -> EventContract:
        """The contract of `event_type`; an undeclared event is a contract violation."""
        try:
            return self.events[event_type]
        except KeyError:
            raise ContractViolation(event_type, "not declared in the catalog") from None

    def subject_for(self, event_type: str) -> str:
        """The NATS subject `event_type` is published on."""
        return self.contract(event_type).subject

    def published_by(self, service: str) -> list[EventContract]:
        """The events `service` publishes, in catalog order."""
        return [c for c in self.events.values() if c.publisher == service]

    def consumed_by(self, service: str) -> list[EventContract]:
        """The events `service` consumes, in catalog order."""
        return [c for c in self.events.values() if service in c.consumers]

    def check_envelope(self, raw: object) -> EventContract:
        """Validate the envelope fields (not `data`) and return the contract of its type."""
        event_type = _type_of(raw)
        _raise_first_error(self._envelope_validator, raw, event_type, ())
        assert isinstance(raw, Mapping)  # the envelope schema requires an object
        contract = self.events[event_type]
        if raw["schemaVersion"] != contract.version:
            raise ContractViolation(
                event_type,
                f"schemaVersion: {raw['schemaVersion']} is not a known major version "
                f"(known: {contract.version})",
            )
        return contract

    def check_data(self, event_type: str, data: object) -> None:
        """Validate an event payload against the schema of `event_type`."""
        self.contract(event_type)
        _raise_first_error(self._data_validators[event_type], data, event_type, ("data",))

    def validate_envelope(self, raw: object) -> None:
        """Validate the envelope, then its `data` against the event's own schema."""
        contract = self.check_envelope(raw)
        assert isinstance(raw, Mapping)
        self.check_data(contract.type, raw["data"])


def validate_envelope(raw: Mapping[str, Any]) -> None:
    """Validate a message (envelope and data) against the default catalog.

    Raises:
        ContractViolation: naming the event type and the path of the first failing field.
    """
    load_catalog().validate_envelope(raw)


def load_catalog(root: Path | None = None) -> Catalog:
    """The catalog under `root` (default: the contracts shipped with this package), loaded once.

    Raises:
        CatalogError: the files contradict each other (unknown service, wrong `$id`, ...).
    """
    return _load(root.resolve()) if root is not None else _load_default()


@functools.cache
def _load_default() -> Catalog:
    return _load(DEFAULT_ROOT.resolve())


@functools.cache
def _load(root: Path) -> Catalog:
    declared = _read_catalog(root)
    services = tuple(declared["services"])
    stream_subjects = tuple(declared["stream"]["subjects"])
    envelope_schema = _read_schema(root, declared["envelope"])
    events: dict[str, EventContract] = {}
    for entry in declared["events"]:
        contract = _contract(root, entry, services, stream_subjects)
        if contract.type in events:
            raise CatalogError(f"{contract.type}: declared twice")
        events[contract.type] = contract
    envelope_types = set(envelope_schema["properties"]["type"]["enum"])
    if envelope_types != set(events):
        raise CatalogError(
            f"{declared['envelope']}: its type enum {sorted(envelope_types)} differs from "
            f"the catalog's events {sorted(events)}"
        )
    schemas = [envelope_schema, *(c.schema for c in events.values())]
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas
    )
    return Catalog(
        root=root,
        stream_name=declared["stream"]["name"],
        stream_subjects=stream_subjects,
        services=services,
        envelope_schema=envelope_schema,
        events=events,
        _envelope_validator=_validator(envelope_schema, registry),
        _data_validators={t: _validator(c.schema, registry) for t, c in events.items()},
    )


def _read_catalog(root: Path) -> dict[str, Any]:
    path = root / CATALOG_FILE
    declared = yaml.safe_load(path.read_text(encoding="utf-8"))
    shape = json.loads((root / CATALOG_SCHEMA_FILE).read_text(encoding="utf-8"))
    error = best_match(Draft202012Validator(shape).iter_errors(declared))
    if error is not None:
        raise CatalogError(f"{path}: {error.json_path}: {error.message}")
    result: dict[str, Any] = declared
    return result


def _contract(
    root: Path, entry: dict[str, Any], services: tuple[str, ...], stream_subjects: tuple[str, ...]
) -> EventContract:
    event_type = entry["type"]
    expected_file = f"events/{event_type}.v{entry['version']}.json"
    if entry["schema"] != expected_file:
        raise CatalogError(f"{event_type}: schema file must be {expected_file}")
    if not any(subject_matches(entry["subject"], s) for s in stream_subjects):
        raise CatalogError(f"{event_type}: subject {entry['subject']} is outside the stream")
    unknown = {entry["publisher"], *entry["consumers"]} - set(services)
    if unknown:
        raise CatalogError(f"{event_type}: unknown services {sorted(unknown)}")
    return EventContract(
        type=event_type,
        subject=entry["subject"],
        version=entry["version"],
        schema=_read_schema(root, expected_file),
        publisher=entry["publisher"],
        consumers=tuple(entry["consumers"]),
        description=entry["description"],
        schema_file=expected_file,
    )


def _read_schema(root: Path, relative: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((root / relative).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    if schema.get("$id") != SCHEMA_BASE_URI + relative:
        raise CatalogError(f"{relative}: $id must be {SCHEMA_BASE_URI + relative}")
    unchecked = set(_formats(schema)) - set(FORMAT_CHECKER.checkers)
    if unchecked:
        raise CatalogError(f"{relative}: formats {sorted(unchecked)} would not be checked")
    return schema


def _formats(node: object) -> Iterator[str]:
    """Every `format` keyword used anywhere in a schema."""
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for key, value in node.items():
            if key != "examples":
                yield from _formats(value)
    elif isinstance(node, list):
        for item in node:
            yield from _formats(item)


def _validator(schema: dict[str, Any], registry: Registry[Any]) -> Validator:
    return Draft202012Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)


def subject_matches(subject: str, pattern: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` is one or more tokens."""
    tokens, wanted = subject.split("."), pattern.split(".")
    if wanted[-1] == ">":
        return len(tokens) >= len(wanted) and _tokens_match(tokens, wanted[:-1])
    return len(tokens) == len(wanted) and _tokens_match(tokens, wanted)


def _tokens_match(tokens: list[str], wanted: list[str]) -> bool:
    return all(w in ("*", t) for t, w in zip(tokens, wanted, strict=False))


def _type_of(raw: object) -> str:
    event_type = raw.get("type") if isinstance(raw, Mapping) else None
    return event_type if isinstance(event_type, str) else "unknown"


def _raise_first_error(
    validator: Validator, instance: Any, event_type: str, prefix: tuple[str, ...]
) -> None:
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise ContractViolation(event_type, _describe(error, prefix))


def _describe(error: ValidationError, prefix: tuple[str, ...]) -> str:
    """`path.to.field: what is wrong`, naming the missing or unexpected key itself."""
    path = [*prefix, *(str(p) for p in error.absolute_path)]
    message = error.message
    required = error.validator_value
    if error.validator == "required" and isinstance(required, list):
        assert isinstance(error.instance, Mapping)  # `required` only applies to objects
        path.append(next(k for k in required if k not in error.instance))
        message = "is required"
    elif error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        path.append(sorted(k for k in error.instance if k not in known)[0])
        message = "is not allowed"
    return f"{'.'.join(path) or '(root)'}: {message}"
