"""The envelope every message carries around its event payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from ticketing_common.contracts import load_catalog
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EVENT_MODELS, EventData
from ticketing_common.wire import Producer, Timestamp, Uuid, WireModel


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
