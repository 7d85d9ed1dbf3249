"""Waiting for a run to come to rest: every order past its window, every outbox sent, every
durable consumer caught up."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import nats
from redis.asyncio import Redis

from expiration.jobs import QUEUE
from ticketing_common.contracts import load_catalog
from ticketing_harness.local.connections import StackConnections

_OUTBOXES = ("tickets", "orders", "payments")
# Expiry jobs are polled every 0.2 s; the events they cause need a moment more.
EXPIRY_SLACK = 2.0
_STEADY_POLLS = 3


@dataclass(frozen=True)
class Backlog:
    """What is still on its way: unsent outbox rows, expiry jobs, unacknowledged messages."""

    unsent: dict[str, int]
    consumers: dict[str, int]
    expiry_jobs: int

    @property
    def empty(self) -> bool:
        return not (any(self.unsent.values()) or any(self.consumers.values()) or self.expiry_jobs)

    def describe(self) -> str:
        parts = [f"{name}: {count} unsent" for name, count in self.unsent.items() if count]
        parts += [f"{name}: {count} pending" for name, count in self.consumers.items() if count]
        if self.expiry_jobs:
            parts.append(f"{self.expiry_jobs} expiry jobs queued")
        return ", ".join(parts) or "nothing"


async def last_expiry(connections: StackConnections) -> float:
    """When the last order's window ends (epoch seconds); 0 without orders."""
    conn = await asyncpg.connect(connections.database_url("orders"))
    try:
        latest = await conn.fetchval("SELECT extract(epoch FROM max(expires_at)) FROM orders")
    finally:
        await conn.close()
    return float(latest or 0.0)


async def drain(connections: StackConnections, timeout: float) -> Backlog:
    """Wait until every window has passed and nothing is on its way, steadily; the backlog left."""
    await asyncio.sleep(max(0.0, await last_expiry(connections) + EXPIRY_SLACK - time.time()))
    deadline = time.monotonic() + timeout
    steady = 0
    while True:
        backlog = await measure(connections)
        steady = steady + 1 if backlog.empty else 0
        if steady >= _STEADY_POLLS or time.monotonic() > deadline:
            return backlog
        await asyncio.sleep(0.5)


async def measure(connections: StackConnections) -> Backlog:
    unsent = {}
    for name in _OUTBOXES:
        conn = await asyncpg.connect(connections.database_url(name))
        try:
            unsent[name] = int(
                await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            )
        finally:
            await conn.close()
    nc = await nats.connect(connections.nats_url)
    try:
        infos = await nc.jetstream().consumers_info(load_catalog().stream_name)
    finally:
        await nc.close()
    consumers = {
        str(info.name): int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        for info in infos
        if info.config.durable_name
    }
    redis = Redis.from_url(connections.redis_url)
    try:
        expiry_jobs = int(await redis.zcard(QUEUE))
    finally:
        await redis.aclose()
    return Backlog(unsent, consumers, expiry_jobs)
