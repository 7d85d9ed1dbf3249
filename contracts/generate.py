"""Generate docs/events.md and docs/asyncapi.yaml from contracts/catalog.yaml and the schemas.

Usage: `python contracts/generate.py` rewrites the docs; `--check` exits 1 if they are stale.
Reads the contract files only, so it runs without the ticketing packages installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

CONTRACTS = Path(__file__).resolve().parent
EVENTS_MD = Path("docs/events.md")
ASYNCAPI_YAML = Path("docs/asyncapi.yaml")
NOTICE = "Generated from contracts/catalog.yaml by `python contracts/generate.py`; do not edit."


def render(contracts: Path = CONTRACTS) -> dict[Path, str]:
    """The generated documents, keyed by their path relative to the repository root."""
    catalog = yaml.safe_load((contracts / "catalog.yaml").read_text(encoding="utf-8"))
    envelope = _schema(contracts, catalog["envelope"])
    schemas = {e["type"]: _schema(contracts, e["schema"]) for e in catalog["events"]}
    return {
        EVENTS_MD: _events_md(catalog, envelope, schemas),
        ASYNCAPI_YAML: _asyncapi(catalog, envelope, schemas),
    }


def _schema(contracts: Path, relative: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((contracts / relative).read_text(encoding="utf-8"))
    return schema


def _events_md(
    catalog: dict[str, Any], envelope: dict[str, Any], schemas: dict[str, dict[str, Any]]
) -> str:
    stream = catalog["stream"]
    lines = [
        "# Events",
        "",
        f"<!-- {NOTICE} -->",
        "",
        f"Every event is published on the JetStream stream `{stream['name']}` (subjects "
        f"{', '.join(f'`{s}`' for s in stream['subjects'])}) inside an envelope "
        f"([`contracts/{catalog['envelope']}`](../contracts/{catalog['envelope']})); "
        "the envelope's `id` is sent as the `Nats-Msg-Id` header, so the broker drops "
        "a re-published duplicate.",
        "",
        "## Who publishes and who consumes",
        "",
        "```mermaid",
        *_flowchart(catalog),
        "```",
        "",
        "| event | subject | version | publisher | consumers | description |",
        "|---|---|---|---|---|---|",
        *(
            f"| [`{e['type']}`](#{e['type'].replace('.', '')}) | `{e['subject']}` "
            f"| {e['version']} | {e['publisher']} | {', '.join(e['consumers']) or '(none yet)'} "
            f"| {e['description']} |"
            for e in catalog["events"]
        ),
        "",
        "## Envelope",
        "",
        envelope["description"],
        "",
        *_fields_table(envelope),
    ]
    for event in catalog["events"]:
        schema = schemas[event["type"]]
        lines += [
            "",
            f"## {event['type']}",
            "",
            f"{schema['description']} Published by **{event['publisher']}** on "
            f"`{event['subject']}`; consumed by "
            f"{', '.join(f'**{c}**' for c in event['consumers']) or 'no service yet'}. "
            f"Schema: [`contracts/{event['schema']}`](../contracts/{event['schema']}).",
            "",
            *_fields_table(schema),
            "",
            "```json",
            json.dumps(schema["examples"][0], indent=2),
            "```",
        ]
    return "\n".join(lines) + "\n"


def _flowchart(catalog: dict[str, Any]) -> list[str]:
    lines = ["flowchart LR", *(f"    {service}" for service in catalog["services"])]
    for event in catalog["events"]:
        edge = f"    {event['publisher']} -->|{event['subject']}| "
        lines += [edge + consumer for consumer in event["consumers"]]
        if not event["consumers"]:
            lines.append(
                f"    {event['publisher']} -.->|{event['subject']}| unconsumed([no consumer yet])"
            )
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


def _asyncapi(
    catalog: dict[str, Any], envelope: dict[str, Any], schemas: dict[str, dict[str, Any]]
) -> str:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    components: dict[str, Any] = {"Envelope": _asyncapi_schema(envelope)}
    for event in catalog["events"]:
        key = _camel(event["type"])
        schema = schemas[event["type"]]
        components[schema["title"]] = _asyncapi_schema(schema)
        messages[key] = _message(event, schema)
        channels[key] = {
            "address": event["subject"],
            "description": event["description"],
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        roles = [("send", event["publisher"])] + [("receive", c) for c in event["consumers"]]
        for action, service in roles:
            operations[f"{service}{action.title()}{key[0].upper()}{key[1:]}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{service} {action}s {event['type']}.",
                "tags": [{"name": service}],
                "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            }
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Ticketing events",
            "version": "1.0.0",
            "description": f"Every event of the ticketing services. {NOTICE}",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:4222",
                "protocol": "nats",
                "description": "The NATS server with JetStream that `ticketing up` starts.",
            }
        },
        "x-jetstream-stream": {
            "name": catalog["stream"]["name"],
            "subjects": catalog["stream"]["subjects"],
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": components},
    }
    header = f"# {NOTICE}\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _message(event: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": event["type"],
        "title": schema["title"],
        "summary": event["description"],
        "headers": {
            "type": "object",
            "properties": {
                "Nats-Msg-Id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The envelope id; the broker drops a duplicate.",
                }
            },
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event["type"]},
                        "schemaVersion": {"const": event["version"]},
                        "data": {"$ref": f"#/components/schemas/{schema['title']}"},
                    },
                },
            ]
        },
        "examples": [{"name": "example", "payload": _example(event, schema)}],
    }


def _example(event: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "2c9d7e1a-4b3f-4e8a-9d6c-5b4a3f2e1d0c",
        "type": event["type"],
        "schemaVersion": event["version"],
        "occurredAt": "2026-03-01T18:00:00Z",
        "producer": event["publisher"],
        "data": schema["examples"][0],
    }


def _asyncapi_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A contract schema as an AsyncAPI schema: its own `$schema` and `$id` dropped."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def _camel(event_type: str) -> str:
    first, *rest = event_type.split(".")
    return first + "".join(part.title() for part in rest)


def main(argv: list[str] | None = None) -> int:
    """Write the docs, or with --check report the stale ones and return 1."""
    parser = argparse.ArgumentParser(description="Generate the event docs from the contracts.")
    parser.add_argument("--check", action="store_true", help="fail if the docs are stale")
    args = parser.parse_args(argv)
    repo = CONTRACTS.parent
    stale = []
    for relative, text in render().items():
        path = repo / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(str(relative))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run python contracts/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
