"""`ticketing trace`: the causal chains of a purchase across the services, from the stream and
the logs of a running stack.

An event names the chain it belongs to (`correlationId`: the request that started it) and what
caused it (`causationId`: that request, or the event whose handling published it); see
`ticketing_common.tracing`. The services' logs add each request (method, path, status) and
each consumer's deliveries of each event, with their outcome and what the broker was told.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from ticketing_common.contracts import Catalog
from ticketing_harness.events.stream import StreamEvent
from ticketing_harness.local.replicas import service_of

REQUESTS_LOGGER = "ticketing.requests"
DELIVERIES_LOGGER = "ticketing_common.listeners"


@dataclass(frozen=True)
class RequestLine:
    """A request a service answered, as its log says."""

    request_id: str
    process: str  # orders, orders#2
    started: datetime
    method: str
    path: str
    status: int


@dataclass(frozen=True)
class Delivery:
    """One delivery of an event to a consumer, as the consuming service's log says."""

    event_id: str
    consumer: str
    process: str
    started: datetime
    outcome: str
    ack: str
    deliveries: int


@dataclass(frozen=True)
class Note:
    """Another line a service logged while it handled a request or an event."""

    cause: str
    process: str
    time: datetime
    level: str
    message: str


@dataclass
class Logged:
    """What the services' logs say about requests, deliveries, and while handling them."""

    requests: list[RequestLine] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def read_logs(logs: Iterable[tuple[str, Path]]) -> Logged:
    """The requests and deliveries the (process name, log file) pairs record."""
    logged = Logged()
    for process, path in logs:
        for entry in _entries(path):
            _take(logged, process, entry)
    return logged


def _entries(path: Path) -> Iterator[dict[str, Any]]:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "time" in entry:
            yield entry


def _take(logged: Logged, process: str, entry: dict[str, Any]) -> None:
    try:
        # A line is written as the request or delivery ends; it says how long it took.
        started = datetime.fromisoformat(entry["time"]) - timedelta(
            milliseconds=float(entry.get("ms", 0))
        )
        if entry.get("logger") == REQUESTS_LOGGER and entry.get("correlation_id"):
            logged.requests.append(
                RequestLine(
                    str(entry["correlation_id"]),
                    process,
                    started,
                    str(entry["method"]),
                    str(entry["path"]),
                    int(entry["status"]),
                )
            )
        elif entry.get("logger") == DELIVERIES_LOGGER and entry.get("event_id"):
            logged.deliveries.append(
                Delivery(
                    str(entry["event_id"]),
                    str(entry["consumer"]),
                    process,
                    started,
                    str(entry["outcome"]),
                    str(entry["ack"]),
                    int(entry["deliveries"]),
                )
            )
        elif entry.get("causation_id"):
            level, message = str(entry.get("level", "")), str(entry.get("message", ""))
            logged.notes.append(Note(str(entry["causation_id"]), process, started, level, message))
    except (KeyError, TypeError, ValueError):
        return  # a line of another shape: not ours to read


class Kind(StrEnum):
    REQUEST = "request"
    EVENT = "event"
    DELIVERY = "delivery"
    WAITING = "waiting"  # a declared consumer that has not logged a delivery (yet)
    LOG = "log"  # a line the service logged while handling its parent


@dataclass
class Step:
    """One link of a chain, and what it caused."""

    kind: Kind
    time: datetime | None
    service: str
    title: str
    id: str = ""
    version: int | None = None
    outcome: str = ""
    steps: list[Step] = field(default_factory=list)

    def walk(self) -> Iterator[Step]:
        yield self
        for step in self.steps:
            yield from step.walk()

    def to_json(self, start: datetime | None) -> dict[str, Any]:
        offset = (self.time - start).total_seconds() if self.time and start else None
        return {
            "kind": self.kind.value,
            "time": self.time.isoformat() if self.time else None,
            "offset_seconds": offset,
            "service": self.service,
            "title": self.title,
            "id": self.id,
            "version": self.version,
            "outcome": self.outcome,
            "steps": [step.to_json(start) for step in self.steps],
        }


def chains_of(wanted: str, events: Sequence[StreamEvent], logged: Logged) -> set[str]:
    """The chains `wanted` takes part in: a request id, an event id, or a record's id (an order,
    a ticket) that events mention."""
    chains = {
        _chain(event)
        for event in events
        if wanted in (event.id, event.correlation_id) or wanted in _mentions(event.data)
    }
    if any(request.request_id == wanted for request in logged.requests):
        chains.add(wanted)
    return chains


def build(
    chains: set[str], events: Sequence[StreamEvent], logged: Logged, catalog: Catalog
) -> list[Step]:
    """The requests and events of `chains` as trees, each event under what caused it and each
    consumer's deliveries under the event; the roots in time order."""
    roots: list[Step] = []
    by_cause: dict[str, list[Step]] = {}  # request or event id -> where what it causes goes
    for request_id, lines in _requests(logged.requests, chains).items():
        step = _request_steps(lines)
        roots.append(step)
        by_cause[request_id] = [s for s in step.walk() if s.kind is Kind.REQUEST]
    chosen = sorted((e for e in events if _chain(e) in chains), key=lambda e: e.seq)
    deliveries = _deliveries_by_event(logged.deliveries)
    for event in chosen:
        step = _event_step(event, deliveries.get(event.id, []), catalog)
        parent = _parent(event, by_cause)
        (parent.steps if parent is not None else roots).append(step)
        by_cause[event.id] = [s for s in step.steps if s.kind is Kind.DELIVERY]
    for note in logged.notes:
        handling = next(
            (s for s in by_cause.get(note.cause, []) if s.service == note.process), None
        )
        if handling is not None:
            handling.steps.append(
                Step(Kind.LOG, note.time, note.process, note.message, outcome=note.level)
            )
    for root in roots:
        _sort(root)
    return sorted(roots, key=_when)


def _chain(event: StreamEvent) -> str:
    """An event without a correlation id starts a chain of its own."""
    return event.correlation_id or event.id


def _mentions(data: object) -> set[str]:
    """Every text value in an event's data: the ids of the records it is about, and more."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, Mapping):
        return {text for value in data.values() for text in _mentions(value)}
    if isinstance(data, list):
        return {text for value in data for text in _mentions(value)}
    return set()


def _requests(lines: Sequence[RequestLine], chains: set[str]) -> dict[str, list[RequestLine]]:
    found: dict[str, list[RequestLine]] = {}
    for line in sorted(lines, key=lambda line: line.started):
        if line.request_id in chains:
            found.setdefault(line.request_id, []).append(line)
    return found


def _request_steps(lines: list[RequestLine]) -> Step:
    """The first request of an id, and under it those it made with the same id (the web
    client's page calls the APIs with its own request id)."""
    first, *calls = (
        Step(
            Kind.REQUEST,
            line.started,
            line.process,
            f"{line.method} {line.path}",
            line.request_id,
            outcome=str(line.status),
        )
        for line in lines
    )
    first.steps.extend(calls)
    return first


def _deliveries_by_event(deliveries: Sequence[Delivery]) -> dict[str, list[Delivery]]:
    found: dict[str, list[Delivery]] = {}
    for delivery in sorted(deliveries, key=lambda delivery: delivery.started):
        found.setdefault(delivery.event_id, []).append(delivery)
    return found


def _event_step(event: StreamEvent, deliveries: Sequence[Delivery], catalog: Catalog) -> Step:
    step = Step(Kind.EVENT, event.time, event.producer, event.type, event.id, version=event.version)
    last: dict[str, Delivery] = {}
    first: dict[str, datetime] = {}
    for delivery in deliveries:
        last[delivery.consumer] = delivery
        first.setdefault(delivery.consumer, delivery.started)
    for consumer, delivery in last.items():
        times = f", {delivery.deliveries} deliveries" if delivery.deliveries > 1 else ""
        step.steps.append(
            Step(
                Kind.DELIVERY,
                first[consumer],
                delivery.process,
                consumer,
                event.id,
                outcome=f"{delivery.outcome}, {delivery.ack}{times}",
            )
        )
    heard = {service_of(delivery.process) for delivery in last.values()}
    contract = catalog.events.get(event.type)
    for service in contract.consumers if contract else ():
        if service not in heard:
            step.steps.append(Step(Kind.WAITING, None, service, "no delivery logged yet"))
    return step


def _parent(event: StreamEvent, by_cause: Mapping[str, list[Step]]) -> Step | None:
    """The delivery (or request) in the publishing service that caused the event."""
    candidates = by_cause.get(event.causation_id or "", [])
    for step in reversed(candidates):
        if service_of(step.service) == event.producer:
            return step
    return candidates[0] if candidates else None


def _when(step: Step) -> datetime:
    """Steps without a time (nothing logged yet) come last."""
    return step.time or datetime.max.replace(tzinfo=UTC)


def _sort(step: Step) -> None:
    step.steps.sort(key=_when)
    for child in step.steps:
        _sort(child)


def start_of(roots: Sequence[Step]) -> datetime | None:
    """When the earliest step happened: offsets are counted from it."""
    times = [step.time for root in roots for step in root.walk() if step.time is not None]
    return min(times, default=None)
