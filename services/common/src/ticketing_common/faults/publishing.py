"""Faults between a publisher and the stream: dropped, unconfirmed, duplicated publishes."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import nats.errors
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import Header, PubAck

from ticketing_common.faults.layer import FaultLayer, Injection
from ticketing_common.faults.plan import FaultKind, Stage
from ticketing_common.faults.record import EventRef


class FaultyJetStream(JetStreamContext):
    """A JetStream context whose event publishes go through the plan's publish faults.

    Only messages carrying a `Nats-Msg-Id` (events; not dead letters) can be hit.
    """

    def __init__(self, nc: NatsClient, layer: FaultLayer) -> None:
        super().__init__(nc)
        self.layer = layer

    async def publish(
        self,
        subject: str,
        payload: bytes = b"",
        timeout: float | None = None,
        stream: str | None = None,
        headers: dict[str, Any] | None = None,
        msg_ttl: float | None = None,
    ) -> PubAck:
        injection = self._choose(subject, headers)
        if injection is None:
            return await super().publish(subject, payload, timeout, stream, headers, msg_ttl)
        event = EventRef.peek(payload)
        if injection.kind is FaultKind.DROP_PUBLISH:
            self.layer.record(injection, subject, event)
            raise nats.errors.TimeoutError
        ack = await super().publish(subject, payload, timeout, stream, headers, msg_ttl)
        if injection.kind is FaultKind.LOSE_PUBACK:
            self.layer.record(injection, subject, event)
            raise nats.errors.TimeoutError
        self.layer.spawn(self._copy_later(injection, subject, payload, event))
        return ack

    async def publish_async(
        self,
        subject: str,
        payload: bytes = b"",
        wait_stall: float | None = None,
        stream: str | None = None,
        headers: dict[str, Any] | None = None,
        msg_ttl: float | None = None,
    ) -> asyncio.Future[PubAck]:
        injection = self._choose(subject, headers)
        if injection is None:
            return await super().publish_async(
                subject, payload, wait_stall, stream, headers, msg_ttl
            )
        event = EventRef.peek(payload)
        if injection.kind is FaultKind.DROP_PUBLISH:
            self.layer.record(injection, subject, event)
            return _failed()
        sent = await super().publish_async(subject, payload, wait_stall, stream, headers, msg_ttl)
        if injection.kind is FaultKind.LOSE_PUBACK:
            self.layer.record(injection, subject, event)
            # The real acknowledgement is read and thrown away.
            sent.add_done_callback(lambda done: done.cancelled() or done.exception())
            return _failed()
        self.layer.spawn(self._copy_later(injection, subject, payload, event))
        return sent

    def _choose(self, subject: str, headers: dict[str, Any] | None) -> Injection | None:
        if not headers or Header.MSG_ID not in headers:
            return None
        return self.layer.choose(Stage.PUBLISH, subject)

    async def _copy_later(
        self, injection: Injection, subject: str, payload: bytes, event: EventRef
    ) -> None:
        await asyncio.sleep(injection.seconds)
        if injection.kind is FaultKind.DUPLICATE:
            # The broker drops a repeated Nats-Msg-Id, so the copy gets its own.
            msg_id, copy = f"{event.event_id}.copy", payload
            copy_event = event
        else:
            body = json.loads(payload)
            body["id"] = msg_id = str(uuid.uuid4())
            copy = json.dumps(body, separators=(",", ":")).encode()
            copy_event = EventRef.peek(copy)
        await super().publish(subject, copy, headers={Header.MSG_ID: msg_id})
        self.layer.record(
            injection,
            subject,
            copy_event,
            copy_of=event.event_id,
            lag=round(injection.seconds, 3),
        )


def _failed() -> asyncio.Future[PubAck]:
    """A publish that never gets its acknowledgement."""
    future: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
    future.set_exception(nats.errors.TimeoutError())
    return future
