"""Waiting for a stack to settle: every outbox relayed and every durable consumer caught up (and
whatever else a runner knows to be on its way)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import asyncpg
from nats.js import JetStreamContext

from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.evidence.snapshot import EVENT_DATABASES
from ticketing_harness.evidence.stores import bus, database

POLL_SECONDS = 0.25

Probe = Callable[[], Awaitable[int]]
"""Something else still on its way, counted (e.g. the expiry jobs a queue holds)."""


@dataclass(frozen=True)
class Drain:
    """Whether everything was delivered and applied, how long it took, and what was left."""

    drained: bool
    seconds: float
    left: dict[str, int] = field(default_factory=dict)  # outbox or consumer: messages left
    checked: tuple[str, ...] = ()  # what could be watched: outboxes, consumers, ...

    def leftovers(self) -> str:
        """What was left, e.g. `consumer orders-ticket-updated 4, tickets outbox 1`."""
        return ", ".join(f"{name} {count}" for name, count in sorted(self.left.items()))

    def describe(self) -> str:
        if not self.checked:
            return "could not watch the outboxes or the consumers"
        watched = " and ".join(self.checked)
        if self.drained:
            return f"{watched} drained in {self.seconds:.1f}s"
        return f"{watched} had not drained after {self.seconds:.0f}s: {self.leftovers()}"


async def wait_until_drained(
    access: StackAccess,
    timeout: float,
    *,
    probes: Mapping[str, Probe] | None = None,
    steady_polls: int = 1,
    poll_seconds: float = POLL_SECONDS,
) -> Drain:
    """Poll the outboxes, the consumers and the `probes` until nothing is left in
    `steady_polls` polls in a row, or the timeout passes."""
    probes = probes or {}
    databases = {name: dsn for name, dsn in access.databases.items() if name in EVENT_DATABASES}
    watched = (("outboxes", databases), ("consumers", access.nats_url), *probes.items())
    checked = tuple(what for what, known in watched if known)
    started = time.monotonic()
    steady = 0
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
            left |= {name: await count() for name, count in probes.items()}
            left = {name: count for name, count in left.items() if count}
            elapsed = time.monotonic() - started
            steady = 0 if left else steady + 1
            if steady >= steady_polls or elapsed >= timeout:
                return Drain(bool(checked) and not left, elapsed, left, checked)
            await asyncio.sleep(poll_seconds)


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
