"""Reading the stream for the checks: each message's time, id and contract verdict."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from nats.aio.msg import Msg

from ticketing_harness.evidence.stream import stream_message


def delivered(body: Any, seq: int = 7) -> Msg:
    """A message as a JetStream consumer receives it (the ack reply carries its metadata)."""
    stamp = time.time_ns()
    return Msg(
        _client=None,  # type: ignore[arg-type]  # never acked here
        subject="events.expiration.complete",
        reply=f"$JS.ACK.EVENTS.reader.1.{seq}.{seq}.{stamp}.0",
        data=json.dumps(body).encode(),
        headers={"Nats-Msg-Id": "msg-1"},
    )


def test_a_valid_event_is_read_with_its_time_and_ids() -> None:
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "type": "expiration.complete",
        "schemaVersion": 1,
        "occurredAt": "2026-01-01T00:00:00Z",
        "producer": "expiration",
        "data": {"orderId": str(uuid.uuid4())},
    }
    message = stream_message(delivered(body))
    assert message.invalid is None
    assert (message.seq, message.msg_id, message.event_id) == (7, "msg-1", event_id)
    assert isinstance(message.at, float) and abs(message.at - time.time()) < 60


def test_a_message_breaking_its_contract_says_how() -> None:
    message = stream_message(delivered({"id": "x", "type": "expiration.complete"}))
    assert message.invalid is not None and message.invalid.startswith("expiration.complete: ")
