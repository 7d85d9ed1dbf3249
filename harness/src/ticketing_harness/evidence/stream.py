"""Reading the broker for the evidence: the events stream (each message checked against its
contract) and the durable consumers (the dead letters: `ticketing_common.bus.Bus`)."""

from __future__ import annotations

import json

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ticketing_common.contracts import load_catalog
from ticketing_common.errors import ContractViolation
from ticketing_harness.evidence.snapshot import ConsumerState, StreamMessage

FETCH = 500  # messages per fetch
FETCH_SECONDS = 5.0


async def read_stream(js: JetStreamContext) -> list[StreamMessage]:
    """Every message of the events stream, in order."""
    messages = await _messages(js, load_catalog().stream_name, "events.>")
    return [stream_message(msg) for msg in messages]


def stream_message(msg: Msg) -> StreamMessage:
    """A message of the events stream as a consumer received it, checked against its contract."""
    return checked_message(
        seq=msg.metadata.sequence.stream,
        subject=msg.subject,
        msg_id=(msg.headers or {}).get("Nats-Msg-Id"),
        at=msg.metadata.timestamp.timestamp(),
        data=msg.data,
    )


def checked_message(
    *, seq: int, subject: str, msg_id: str | None, at: float, data: bytes
) -> StreamMessage:
    """A message of the events stream, checked against its contract."""
    invalid = None
    try:
        body = json.loads(data)
        load_catalog().validate_envelope(body)
    except ValueError as exc:
        body, invalid = None, f"not JSON: {exc}"
    except ContractViolation as exc:
        invalid = str(exc)
    return StreamMessage(seq, subject, msg_id, at, body, invalid)


async def read_consumers(js: JetStreamContext) -> list[ConsumerState]:
    """The durable consumers of the events stream and what each has left."""
    infos = await js.consumers_info(load_catalog().stream_name)
    return [
        ConsumerState(
            name=str(info.name),
            subject=str(info.config.filter_subject),
            pending=int(info.num_pending or 0),
            ack_pending=int(info.num_ack_pending or 0),
        )
        for info in infos
        if info.config.durable_name
    ]


async def _messages(js: JetStreamContext, stream: str, subject: str) -> list[Msg]:
    """Every message of a stream, read with a throwaway consumer that needs no acks."""
    info = await js.stream_info(stream)
    if not info.state.messages:
        return []
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL)
    sub = await js.pull_subscribe(subject, stream=stream, config=config)
    msgs: list[Msg] = []
    try:
        while len(msgs) < info.state.messages:
            batch = min(FETCH, info.state.messages - len(msgs))
            msgs.extend(await sub.fetch(batch, timeout=FETCH_SECONDS))
    finally:
        await sub.unsubscribe()
    return msgs
