"""docs/asyncapi.yaml: the AsyncAPI 3.0 document of every event, channel and operation."""

from __future__ import annotations

from typing import Any

import yaml

from ticketing_common.contracts import Catalog, EventContract
from ticketing_harness.contracts.markdown import NOTICE


def asyncapi_yaml(catalog: Catalog) -> str:
    """One channel per subject, one message per major version, one operation per service role."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": _schema(catalog.envelope_schema)}
    for contract in catalog.events.values():
        key = _camel(contract.type)
        channel_messages = {}
        for version in contract.versions:
            name = f"{key}V{version}"
            schema = contract.schemas[version]
            schemas[f"{schema['title']}V{version}"] = _schema(schema)
            messages[name] = _message(contract, version)
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[key] = {
            "address": contract.subject,
            "description": contract.description,
            "messages": channel_messages,
        }
        roles = [("send", contract.publisher)] + [("receive", c) for c in contract.consumers]
        for action, service in roles:
            sent = [f"{key}V{contract.version}"] if action == "send" else list(channel_messages)
            operations[f"{service}{action.title()}{key[0].upper()}{key[1:]}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{service} {action}s {contract.type}.",
                "tags": [{"name": service}],
                "messages": [{"$ref": f"#/channels/{key}/messages/{m}"} for m in sent],
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
            "name": catalog.stream_name,
            "subjects": list(catalog.stream_subjects),
            "duplicateWindowSeconds": catalog.duplicate_window,
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
    header = f"# {NOTICE}\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _message(contract: EventContract, version: int) -> dict[str, Any]:
    schema = contract.schemas[version]
    return {
        "name": f"{contract.type}.v{version}",
        "title": f"{schema['title']} v{version}",
        "summary": contract.description,
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
                        "type": {"const": contract.type},
                        "schemaVersion": {"const": version},
                        "data": {"$ref": f"#/components/schemas/{schema['title']}V{version}"},
                    },
                },
            ]
        },
        "examples": [{"name": "example", "payload": _example(contract, version)}],
    }


def _example(contract: EventContract, version: int) -> dict[str, Any]:
    return {
        "id": "2c9d7e1a-4b3f-4e8a-9d6c-5b4a3f2e1d0c",
        "type": contract.type,
        "schemaVersion": version,
        "occurredAt": "2026-03-01T18:00:00Z",
        "producer": contract.publisher,
        "data": contract.schemas[version]["examples"][0],
    }


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A contract schema as an AsyncAPI schema: its own `$schema` and `$id` dropped."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def _camel(event_type: str) -> str:
    first, *rest = event_type.split(".")
    return first + "".join(part.title() for part in rest)
