"""Reading the events stream without disturbing anyone: an ephemeral consumer that acks nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ticketing_common.bus import Bus
from ticketing_common.contracts import Catalog
from ticketing_common.errors import ContractViolation

BATCH = 256
# The server removes the reader's consumer this long after the reader is gone.
READER_LINGER_SECONDS = 5.0


@dataclass(frozen=True)
class StreamEvent:
    """One message of the stream as `ticketing events tail` shows it."""

    seq: int
    time: datetime
    subject: str
    type: str
    id: str
    producer: str
    record: str
    version: int | None
    valid: bool
    problem: str

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "time": self.time.isoformat()}


def describe(catalog: Catalog, seq: int, time: datetime, subject: str, body: bytes) -> StreamEvent:
    """What a message is, and whether it validates (strictly, as its publisher must write it)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        return StreamEvent(seq, time, subject, "?", "?", "?", "?", None, False, "not a JSON object")
    payload = envelope.get("data")
    data: dict[str, Any] = payload if isinstance(payload, dict) else {}
    problem = ""
    try:
        catalog.validate_envelope(envelope)
    except ContractViolation as exc:
        problem = str(exc)
    version = data.get("version")
    return StreamEvent(
        seq=seq,
        time=time,
        subject=subject,
        type=str(envelope.get("type", "?")),
        id=str(envelope.get("id", "?")),
        producer=str(envelope.get("producer", "?")),
        record=_record_id(data),
        version=version if isinstance(version, int) else None,
        valid=not problem,
        problem=problem,
    )


def _record_id(data: dict[str, Any]) -> str:
    """The record an event is about: its `id`, else its first `...Id` field."""
    if "id" in data:
        return str(data["id"])
    for key, value in data.items():
        if key.endswith("Id"):
            return f"{key[:-2]} {value}"
    return "-"


async def read(
    bus: Bus, subjects: Sequence[str], *, since: datetime | None = None, follow: bool = False
) -> AsyncIterator[StreamEvent]:
    """The stream's messages on `subjects`, oldest first; with `follow`, then every new one.

    Args:
        bus: a connection to the broker.
        subjects: the subjects to read (wildcards allowed).
        since: only messages stored at or after this time; all if None.
        follow: keep reading new messages until cancelled.
    """
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.BY_START_TIME if since else DeliverPolicy.ALL,
        opt_start_time=since,
        filter_subjects=list(subjects) if len(subjects) > 1 else None,
        inactive_threshold=READER_LINGER_SECONDS,
        mem_storage=True,
    )
    stream = bus.catalog.stream_name
    sub = await bus.js.pull_subscribe(subjects[0], stream=stream, config=config)
    try:
        remaining = (await sub.consumer_info()).num_pending or 0
        while remaining > 0:
            msgs = await sub.fetch(min(remaining, BATCH), timeout=5)
            remaining -= len(msgs)
            for msg in msgs:
                yield _event(bus.catalog, msg)
        while follow:
            try:
                msgs = await sub.fetch(BATCH, timeout=1)
            except TimeoutError:
                continue
            for msg in msgs:
                yield _event(bus.catalog, msg)
    finally:
        await sub.unsubscribe()


def _event(catalog: Catalog, msg: Msg) -> StreamEvent:
    metadata = msg.metadata
    return describe(catalog, metadata.sequence.stream, metadata.timestamp, msg.subject, msg.data)
