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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the contracts: the file (relative to their root), the field, what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class CatalogError(Exception):
    """The contracts contradict themselves: fix the files under contracts/."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


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
    """One catalogued event: its subject, schemas by major version, publisher and consumers."""

    type: str
    subject: str
    version: int
    schemas: dict[int, dict[str, Any]]
    publisher: str
    consumers: tuple[str, ...]
    description: str
    unconsumed: str | None = None

    @property
    def schema(self) -> dict[str, Any]:
        """The schema of the version the publisher writes."""
        return self.schemas[self.version]

    @property
    def schema_file(self) -> str:
        return schema_file(self.type, self.version)

    @property
    def versions(self) -> tuple[int, ...]:
        """Every major version consumers must read, oldest first."""
        return tuple(sorted(self.schemas))


def schema_file(event_type: str, version: int) -> str:
    """Where the schema of one major version of an event lives, relative to the catalog."""
    return f"events/{event_type}.v{version}.json"


@dataclass(frozen=True)
class Catalog:
    """Every event on the bus, loaded from catalog.yaml, with validators built once."""

    root: Path
    stream_name: str
    stream_subjects: tuple[str, ...]
    duplicate_window: float
    services: tuple[str, ...]
    envelope_schema: dict[str, Any]
    events: dict[str, EventContract]
    _envelope_validator: Validator = field(repr=False, compare=False)
    _data_validators: dict[tuple[str, int], Validator] = field(repr=False, compare=False)

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

    def check_publisher(self, event_type: str, service: str) -> EventContract:
        """The contract of an event `service` is about to publish; refused unless it is its own.

        Raises:
            ContractViolation: the event is undeclared, or declared with another publisher.
        """
        contract = self.contract(event_type)
        if contract.publisher != service:
            raise ContractViolation(
                event_type,
                f"{service} may not publish it: the catalog's publisher is {contract.publisher}",
            )
        return contract

    def check_envelope(self, raw: object) -> EventContract:
        """Validate the envelope fields (not `data`) and return the contract of its type."""
        event_type = _type_of(raw)
        _raise_first_error(self._envelope_validator, raw, event_type, ())
        assert isinstance(raw, Mapping)  # the envelope schema requires an object
        contract = self.events[event_type]
        if raw["schemaVersion"] not in contract.schemas:
            known = ", ".join(str(v) for v in contract.versions)
            raise ContractViolation(
                event_type,
                f"schemaVersion: {raw['schemaVersion']} is not a known major version "
                f"(known: {known})",
            )
        return contract

    def check_data(self, event_type: str, data: object, version: int | None = None) -> None:
        """Validate an event payload against the schema of `event_type` (its published version)."""
        contract = self.contract(event_type)
        validator = self._data_validators.get((event_type, version or contract.version))
        if validator is None:
            raise ContractViolation(event_type, f"schemaVersion: {version} is not declared")
        _raise_first_error(validator, data, event_type, ("data",))

    def validate_envelope(self, raw: object) -> None:
        """Validate the envelope, then its `data` against the schema of its version: strictly."""
        contract = self.check_envelope(raw)
        assert isinstance(raw, Mapping)
        self.check_data(contract.type, raw["data"], raw["schemaVersion"])

    def read(self, raw: object) -> dict[str, Any]:
        """What a tolerant reader keeps of a message: the properties its schemas know, validated.

        Unknown properties (added by a newer producer within the same major version) are
        dropped at every level before validation, so adding an optional property never
        breaks today's consumers.

        Raises:
            ContractViolation: a missing or malformed known field, or an undeclared type.
        """
        envelope = known_only(self.envelope_schema, raw)
        contract = self.check_envelope(envelope)
        assert isinstance(envelope, dict)
        version = envelope["schemaVersion"]
        envelope["data"] = known_only(contract.schemas[version], envelope["data"])
        self.check_data(contract.type, envelope["data"], version)
        return envelope


def known_only(schema: Mapping[str, Any], instance: object) -> object:
    """`instance` without the object properties `schema` does not declare, at every depth."""
    properties = schema.get("properties")
    if isinstance(instance, Mapping) and isinstance(properties, Mapping):
        return {k: known_only(properties[k], v) for k, v in instance.items() if k in properties}
    items = schema.get("items")
    if isinstance(instance, list) and isinstance(items, Mapping):
        return [known_only(items, item) for item in instance]
    return instance


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
    problems: list[Problem] = []
    services = tuple(declared["services"])
    stream_subjects = tuple(declared["stream"]["subjects"])
    envelope_schema = _read_schema(root, declared["envelope"], problems)
    events: dict[str, EventContract] = {}
    subjects: dict[str, str] = {}
    for index, entry in enumerate(declared["events"]):
        where = f"events[{index}]"
        contract = _contract(root, entry, where, services, stream_subjects, problems)
        if contract.type in events:
            message = f"{contract.type} declared twice"
            problems.append(Problem(CATALOG_FILE, f"{where}.type", message))
        elif contract.subject in subjects:
            problems.append(
                Problem(
                    CATALOG_FILE,
                    f"{where}.subject",
                    f"{contract.subject} is already the subject of {subjects[contract.subject]}",
                )
            )
        events[contract.type] = contract
        subjects.setdefault(contract.subject, contract.type)
    envelope_types = set(envelope_schema.get("properties", {}).get("type", {}).get("enum", []))
    if envelope_types != set(events):
        problems.append(
            Problem(
                declared["envelope"],
                "type.enum",
                f"{sorted(envelope_types)} differs from the catalog's events {sorted(events)}",
            )
        )
    if problems:
        raise CatalogError(problems)
    schemas = [envelope_schema, *(s for c in events.values() for s in c.schemas.values())]
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas
    )
    return Catalog(
        root=root,
        stream_name=declared["stream"]["name"],
        stream_subjects=stream_subjects,
        duplicate_window=float(declared["stream"]["duplicate_window_seconds"]),
        services=services,
        envelope_schema=envelope_schema,
        events=events,
        _envelope_validator=_validator(envelope_schema, registry),
        _data_validators={
            (t, v): _validator(s, registry) for t, c in events.items() for v, s in c.schemas.items()
        },
    )


def _read_catalog(root: Path) -> dict[str, Any]:
    declared = yaml.safe_load((root / CATALOG_FILE).read_text(encoding="utf-8"))
    shape = json.loads((root / CATALOG_SCHEMA_FILE).read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(shape).iter_errors(declared), key=lambda e: e.json_path)
    if errors:
        raise CatalogError(
            [Problem(CATALOG_FILE, e.json_path.removeprefix("$."), e.message) for e in errors]
        )
    result: dict[str, Any] = declared
    return result


def _contract(
    root: Path,
    entry: dict[str, Any],
    where: str,
    services: tuple[str, ...],
    stream_subjects: tuple[str, ...],
    problems: list[Problem],
) -> EventContract:
    event_type, version = entry["type"], entry["version"]
    expected_file = schema_file(event_type, version)
    if entry["schema"] != expected_file:
        problems.append(Problem(CATALOG_FILE, f"{where}.schema", f"must be {expected_file}"))
    if not any(subject_matches(entry["subject"], s) for s in stream_subjects):
        problems.append(
            Problem(CATALOG_FILE, f"{where}.subject", f"{entry['subject']} is outside the stream")
        )
    for key, named in (("publisher", [entry["publisher"]]), ("consumers", entry["consumers"])):
        unknown = sorted(set(named) - set(services))
        if unknown:
            problems.append(Problem(CATALOG_FILE, f"{where}.{key}", f"unknown services {unknown}"))
    versions = entry.get("versions", [version])
    if version not in versions:
        problems.append(
            Problem(CATALOG_FILE, f"{where}.versions", f"must include the published {version}")
        )
    return EventContract(
        type=event_type,
        subject=entry["subject"],
        version=version,
        schemas={
            v: _read_schema(root, schema_file(event_type, v), problems)
            for v in sorted({version, *versions})
        },
        publisher=entry["publisher"],
        consumers=tuple(entry["consumers"]),
        description=entry["description"],
        unconsumed=entry.get("unconsumed"),
    )


def _read_schema(root: Path, relative: str, problems: list[Problem]) -> dict[str, Any]:
    """The schema in `relative`, or {} with its problems noted."""
    try:
        schema: dict[str, Any] = json.loads((root / relative).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(relative, "(file)", "does not exist"))
        return {}
    except ValueError as exc:
        problems.append(Problem(relative, "(file)", f"is not JSON: {exc}"))
        return {}
    before = len(problems)
    problems += [
        Problem(relative, e.json_path.removeprefix("$.") or "(root)", e.message)
        for e in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema)
    ]
    if schema.get("$id") != SCHEMA_BASE_URI + relative:
        problems.append(Problem(relative, "$id", f"$id must be {SCHEMA_BASE_URI + relative}"))
    unchecked = set(_formats(schema)) - set(FORMAT_CHECKER.checkers)
    if unchecked:
        problems.append(
            Problem(relative, "format", f"formats {sorted(unchecked)} would not be checked")
        )
    return schema if len(problems) == before else {}


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
