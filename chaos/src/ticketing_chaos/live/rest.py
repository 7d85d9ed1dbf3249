"""Waiting for a run to come to rest: every order past its window, then every outbox sent,
every expiry job run and every durable consumer caught up, steadily."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from expiration.jobs import QUEUE
from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.evidence.drain import Drain, wait_until_drained
from ticketing_harness.evidence.stores import database

# Expiry jobs are polled every 0.2 s; the events they cause need a moment more.
EXPIRY_SLACK = 2.0
STEADY_POLLS = 3
POLL_SECONDS = 0.5


async def last_expiry(access: StackAccess) -> float:
    """When the last order's window ends (epoch seconds); 0 without orders."""
    async with database("orders", access.database_url("orders")) as conn:
        latest = await conn.fetchval("SELECT extract(epoch FROM max(expires_at)) FROM orders")
    return float(latest or 0.0)


async def come_to_rest(access: StackAccess, timeout: float) -> Drain:
    """Wait until every window has passed and nothing is on its way, steadily; what was left."""
    await asyncio.sleep(max(0.0, await last_expiry(access) + EXPIRY_SLACK - time.time()))

    async def expiry_jobs() -> int:
        redis = Redis.from_url(access.redis())
        try:
            return int(await redis.zcard(QUEUE))
        finally:
            await redis.aclose()

    return await wait_until_drained(
        access,
        timeout,
        probes={"expiry jobs": expiry_jobs},
        steady_polls=STEADY_POLLS,
        poll_seconds=POLL_SECONDS,
    )
