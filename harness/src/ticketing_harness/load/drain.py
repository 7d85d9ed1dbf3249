"""Waiting for a stack to settle: every outbox relayed and every durable consumer caught up."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import asyncpg
from nats.js import JetStreamContext

from ticketing_harness.load.stores import bus, database
from ticketing_harness.local.access import StackAccess

EVENT_DATABASES = ("tickets", "orders", "payments")  # the services with an outbox
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Drain:
    """Whether everything was delivered and applied, how long it took, and what was left."""

    drained: bool
    seconds: float
    left: dict[str, int] = field(default_factory=dict)  # outbox or consumer: messages left
    checked: tuple[str, ...] = ()  # what could be watched: outboxes, consumers

    def describe(self) -> str:
        if not self.checked:
            return "could not watch the outboxes or the consumers"
        if self.drained:
            return f"{' and '.join(self.checked)} drained in {self.seconds:.1f}s"
        left = ", ".join(f"{name} {count}" for name, count in sorted(self.left.items()))
        return f"{' and '.join(self.checked)} had not drained after {self.seconds:.0f}s: {left}"


async def wait_until_drained(access: StackAccess, timeout: float) -> Drain:
    """Poll the outboxes and the consumers until nothing is left, or the timeout passes."""
    databases = {name: dsn for name, dsn in access.databases.items() if name in EVENT_DATABASES}
    checked = tuple(
        what for what, known in (("outboxes", databases), ("consumers", access.nats_url)) if known
    )
    started = time.monotonic()
    async with contextlib.AsyncExitStack() as stack:
        connections = {
            name: await stack.enter_async_context(database(name, dsn))
            for name, dsn in databases.items()
        }
        jetstream = None
        if access.nats_url is not None:
            jetstream = (await stack.enter_async_context(bus(access.nats_url))).jetstream()
        while True:
            left = {**await _unsent(connections), **await _unacked(jetstream)}
            elapsed = time.monotonic() - started
            if not any(left.values()) or elapsed >= timeout:
                drained = bool(checked) and not any(left.values())
                return Drain(drained, elapsed, {k: v for k, v in left.items() if v}, checked)
            await asyncio.sleep(POLL_SECONDS)


async def _unsent(connections: dict[str, asyncpg.Connection]) -> dict[str, int]:
    """Events each outbox has not relayed yet."""
    return {
        f"{name} outbox": await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        for name, conn in connections.items()
    }


async def _unacked(jetstream: JetStreamContext | None) -> dict[str, int]:
    """Messages each durable consumer has not been given or has not acknowledged yet."""
    if jetstream is None:
        return {}
    left = {}
    for stream in await jetstream.streams_info():
        assert stream.config.name is not None
        for consumer in await jetstream.consumers_info(stream.config.name):
            if consumer.config.durable_name:
                pending = (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
                left[f"consumer {consumer.name}"] = pending
    return left
