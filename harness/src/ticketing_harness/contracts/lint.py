"""Rules every schema file follows beyond being valid JSON Schema: closed, with valid examples."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ticketing_common.contracts import Catalog, Problem, schema_file
from ticketing_common.errors import ContractViolation

# What the contract test generator (ticketing_harness.testing.schema_strategies) can build
# instances from; a schema using anything else could not be fed to the consumers.
SUPPORTED_KEYWORDS = frozenset(
    {
        "$schema", "$id", "title", "description", "examples", "type", "properties",
        "required", "additionalProperties", "enum", "minimum", "minLength", "maxLength",
        "pattern", "format",
    }
)  # fmt: skip


def schema_problems(catalog: Catalog) -> list[Problem]:
    """Every rule broken by the envelope and the event schemas the catalog declares."""
    # The envelope's `data` is open: each event's own schema closes it.
    envelope_file = _envelope_file(catalog)
    problems = _shape_problems(catalog.envelope_schema, envelope_file, "", {"data"})
    for index, example in enumerate(catalog.envelope_schema.get("examples", [])):
        try:
            catalog.validate_envelope(example)
        except ContractViolation as exc:
            problems.append(Problem(envelope_file, f"examples[{index}]", f"invalid: {exc}"))
    for contract in catalog.events.values():
        for version, schema in contract.schemas.items():
            file = schema_file(contract.type, version)
            problems += _shape_problems(schema, file, "data")
            problems += _example_problems(catalog, contract.type, version, schema, file)
    return problems


def _envelope_file(catalog: Catalog) -> str:
    return str(catalog.envelope_schema["$id"]).rsplit("/contracts/", 1)[-1]


def _shape_problems(
    schema: Mapping[str, Any],
    file: str,
    root: str,
    open_fields: frozenset[str] | set[str] = frozenset(),
) -> list[Problem]:
    problems = []
    for path, node in _objects(schema, root):
        if node.get("additionalProperties") is not False and path not in open_fields:
            problems.append(Problem(file, path, "not closed: set additionalProperties to false"))
        missing = sorted(set(node.get("required", [])) - set(node.get("properties", {})))
        if missing:
            problems.append(Problem(file, path, f"requires undeclared properties {missing}"))
    for path, node in _nodes(schema, root):
        unsupported = sorted(set(node) - SUPPORTED_KEYWORDS)
        if unsupported:
            problems.append(
                Problem(file, path, f"uses {unsupported}, which the instance generator lacks")
            )
    if not schema.get("examples"):
        problems.append(Problem(file, "examples", "none: add at least one valid example"))
    return problems


def _example_problems(
    catalog: Catalog, event_type: str, version: int, schema: Mapping[str, Any], file: str
) -> list[Problem]:
    problems = []
    for index, example in enumerate(schema.get("examples", [])):
        try:
            catalog.check_data(event_type, example, version)
        except ContractViolation as exc:
            problems.append(Problem(file, f"examples[{index}]", f"invalid: {exc.reason}"))
    return problems


def _nodes(schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every subschema with the dotted path of the field it describes."""
    yield path or "(root)", schema
    for name, sub in schema.get("properties", {}).items():
        yield from _nodes(sub, f"{path}.{name}" if path else name)
    items = schema.get("items")
    if isinstance(items, Mapping):
        yield from _nodes(items, f"{path}[]")


def _objects(schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for where, node in _nodes(schema, path):
        kinds = node.get("type")
        if kinds == "object" or (isinstance(kinds, list) and "object" in kinds):
            yield where, node
