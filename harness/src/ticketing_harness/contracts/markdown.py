"""docs/events.md: every event, who publishes and consumes it, its fields and an example."""

from __future__ import annotations

import json
from typing import Any

from ticketing_common.contracts import Catalog, EventContract, schema_file
from ticketing_harness.contracts.diagram import mermaid

NOTICE = "Generated from contracts/ by `ticketing contracts docs`; do not edit."


def events_md(catalog: Catalog, svg_name: str) -> str:
    """The event catalog as markdown, with the flow diagram in Mermaid and as an SVG."""
    envelope_file = str(catalog.envelope_schema["$id"]).rsplit("/contracts/", 1)[-1]
    lines = [
        "# Events",
        "",
        f"<!-- {NOTICE} -->",
        "",
        f"Every event is published on the JetStream stream `{catalog.stream_name}` (subjects "
        f"{', '.join(f'`{s}`' for s in catalog.stream_subjects)}) inside an envelope "
        f"([`contracts/{envelope_file}`](../contracts/{envelope_file})); "
        "the envelope's `id` is sent as the `Nats-Msg-Id` header, so the broker drops "
        f"a re-published duplicate within {catalog.duplicate_window:g} seconds. Consumers read "
        "tolerantly: they ignore properties their schema does not declare.",
        "",
        "## Who publishes and who consumes",
        "",
        "```mermaid",
        *mermaid(catalog),
        "```",
        "",
        f"The same flow drawn by Graphviz: [{svg_name}]({svg_name}).",
        "",
        "| event | subject | version | publisher | consumers | description |",
        "|---|---|---|---|---|---|",
        *(_row(c) for c in catalog.events.values()),
        "",
        "## Envelope",
        "",
        catalog.envelope_schema["description"],
        "",
        *_fields_table(catalog.envelope_schema),
    ]
    for contract in catalog.events.values():
        lines += _event_section(contract)
    return "\n".join(lines) + "\n"


def _row(contract: EventContract) -> str:
    versions = ", ".join(str(v) for v in contract.versions)
    return (
        f"| [`{contract.type}`](#{contract.type.replace('.', '')}) | `{contract.subject}` "
        f"| {versions} | {contract.publisher} | {_consumers(contract, '')} "
        f"| {contract.description} |"
    )


def _consumers(contract: EventContract, mark: str) -> str:
    if contract.consumers:
        return ", ".join(f"{mark}{c}{mark}" for c in contract.consumers)
    return f"none: {contract.unconsumed}" if contract.unconsumed else "none yet"


def _event_section(contract: EventContract) -> list[str]:
    lines = [
        "",
        f"## {contract.type}",
        "",
        f"{contract.schema['description']} Published by **{contract.publisher}** on "
        f"`{contract.subject}`; consumed by {_consumers(contract, '**')}.",
    ]
    for version in reversed(contract.versions):
        schema = contract.schemas[version]
        file = schema_file(contract.type, version)
        role = "published" if version == contract.version else "still read by consumers"
        lines += [
            "",
            f"Version {version} ({role}): [`contracts/{file}`](../contracts/{file}).",
            "",
            *_fields_table(schema),
            "",
            "```json",
            json.dumps(schema["examples"][0], indent=2),
            "```",
        ]
    return lines


def _fields_table(schema: dict[str, Any]) -> list[str]:
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, sub, required in _fields(schema, ""):
        cells = [
            f"`{name}`",
            _type_text(sub),
            "yes" if required else "no",
            sub.get("description", ""),
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return rows


def _fields(schema: dict[str, Any], prefix: str) -> list[tuple[str, dict[str, Any], bool]]:
    """Every field as (dotted name, schema, required), nested objects flattened."""
    found = []
    for name, sub in schema.get("properties", {}).items():
        found.append((prefix + name, sub, name in schema.get("required", [])))
        found += _fields(sub, f"{prefix}{name}.")
    return found


def _type_text(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    text = " or ".join(kinds)
    if "format" in schema:
        text += f" ({schema['format']})"
    if "minimum" in schema:
        text += f", >= {schema['minimum']}"
    if "minLength" in schema or "maxLength" in schema:
        text += f", {schema.get('minLength', 0)}..{schema.get('maxLength', '')} chars"
    if "pattern" in schema:
        text += f", matching `{schema['pattern']}`"
    return text
