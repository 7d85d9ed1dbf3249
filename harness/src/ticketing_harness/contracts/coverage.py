"""Contract coverage of a recorded run: every published message valid, every event exercised."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ticketing_common.contracts import Catalog
from ticketing_common.errors import ContractViolation
from ticketing_common.listeners import Verdict
from ticketing_common.recording import Record


@dataclass
class Coverage:
    """What a run published and consumed, against what the catalog declares."""

    published: Counter[str] = field(default_factory=Counter)
    # (event type, consuming service) -> messages it applied
    consumed: Counter[tuple[str, str]] = field(default_factory=Counter)
    invalid: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.invalid and not self.missing


def measure(catalog: Catalog, records: Iterable[Record]) -> Coverage:
    """Validate every published message strictly, and name every declared flow never exercised."""
    result = Coverage()
    for record in records:
        if record.kind == "published":
            event_type = _check(catalog, record, result.invalid)
            if event_type is not None:
                result.published[event_type] += 1
        elif record.outcome == Verdict.APPLIED:
            event_type = _type_of(record.body)
            if event_type is not None:
                result.consumed[(event_type, record.service)] += 1
    for event_type, contract in catalog.events.items():
        if not result.published[event_type]:
            result.missing.append(f"{event_type}: never published")
        for consumer in contract.consumers:
            if not result.consumed[(event_type, consumer)]:
                result.missing.append(f"{event_type}: never consumed by {consumer}")
    return result


def _check(catalog: Catalog, record: Record, invalid: list[str]) -> str | None:
    where = f"{record.service} on {record.subject} at {record.at}"
    try:
        body = json.loads(record.body)
        catalog.validate_envelope(body)
    except ValueError as exc:
        invalid.append(f"{where}: not JSON: {exc}")
        return None
    except ContractViolation as exc:
        invalid.append(f"{where}: {exc}")
        return None
    event_type = str(body["type"])
    if catalog.subject_for(event_type) != record.subject:
        invalid.append(f"{where}: {event_type} belongs on {catalog.subject_for(event_type)}")
    if body["producer"] != record.service or catalog.events[event_type].publisher != record.service:
        invalid.append(f"{where}: {event_type} published by {record.service}")
    return event_type


def _type_of(body: str) -> str | None:
    try:
        event_type = json.loads(body).get("type")
    except (ValueError, AttributeError):
        return None
    return event_type if isinstance(event_type, str) else None
