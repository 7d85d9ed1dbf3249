"""The envelope every message carries around its event payload."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from ticketing_common.contracts import Catalog, load_catalog
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EVENT_MODELS, EventData
from ticketing_common.wire import Producer, Timestamp, Uuid, WireModel

# The models a reader knows (named outside the class, whose `type` field would shadow `type`).
EventModels = Iterable[type[EventData]]


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
        *,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
        catalog: Catalog | None = None,
    ) -> Envelope:
        """Envelope an event payload, as sent by the publisher the catalog declares for it.

        Args:
            data: the payload.
            event_id: a deterministic id (e.g. a retry of the same event); a new uuid4 if None.
            occurred_at: when it happened; now (UTC) if None.
            catalog: the contracts (default: the shipped ones).

        Raises:
            ContractViolation: the event is not declared in the catalog.
        """
        contract = (catalog or load_catalog()).contract(data.event_type)
        return cls(
            id=event_id or uuid4(),
            type=data.event_type,
            schema_version=data.schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=contract.publisher,
            data=data.to_wire(),
        )

    def to_bytes(self) -> bytes:
        """The message body: compact JSON with camelCase names."""
        return self.model_dump_json(by_alias=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes, catalog: Catalog | None = None) -> Envelope:
        """Read a message body as a tolerant reader: unknown properties dropped, the rest checked.

        Raises:
            ContractViolation: not JSON, a missing or malformed field, or an undeclared type.
        """
        try:
            body = json.loads(raw)
        except ValueError as exc:  # covers JSONDecodeError and UnicodeDecodeError
            raise ContractViolation("unknown", f"not JSON: {exc}") from exc
        known = (catalog or load_catalog()).read(body)
        try:
            return cls.from_wire(known)
        except ValidationError as exc:
            raise ContractViolation(known["type"], _describe(exc, ())) from exc

    def payload(self, models: EventModels | None = None) -> EventData:
        """The payload as the model of its type and major version among `models`.

        Args:
            models: the models the reader knows (default: the current model of every event).

        Raises:
            ContractViolation: no model for the type and version, or `data` does not parse.
        """
        known = EVENT_MODELS.values() if models is None else models
        model = next(
            (
                m
                for m in known
                if (m.event_type, m.schema_version) == (self.type, self.schema_version)
            ),
            None,
        )
        if model is None:
            raise ContractViolation(
                self.type, f"this reader has no model for schemaVersion {self.schema_version}"
            )
        try:
            return model.from_wire(self.data)
        except ValidationError as exc:
            raise ContractViolation(self.type, _describe(exc, ("data",))) from exc


def _describe(exc: ValidationError, prefix: tuple[str, ...]) -> str:
    """`path.to.field: what is wrong` for the first error."""
    error = exc.errors()[0]
    path = [*prefix, *(str(p) for p in error["loc"])]
    return f"{'.'.join(path) or '(root)'}: {error['msg']}"
