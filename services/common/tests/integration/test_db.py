"""Migrations and optimistic concurrency against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from ticketing_common.db import apply_migrations, create_pool, update_versioned
from ticketing_common.errors import Conflict
from ticketing_harness.waiting import eventually

from .conftest import SAMPLE_MIGRATIONS


async def test_migrations_apply_once_when_replicas_start_together(database_dsn: str) -> None:
    pools = [await create_pool(database_dsn) for _ in range(3)]
    try:
        results = await asyncio.gather(*(apply_migrations(p, SAMPLE_MIGRATIONS) for p in pools))
        applied = [name for result in results for name in result]
        assert sorted(applied) == sorted(set(applied))
        assert "sample_service/001_counters.sql" in applied
        assert "common/001_outbox.sql" in applied
        assert await apply_migrations(pools[0], SAMPLE_MIGRATIONS) == []
    finally:
        for pool in pools:
            await pool.close()


async def test_update_with_current_version_bumps_it(pool: asyncpg.Pool) -> None:
    row_id = uuid.uuid4()
    await pool.execute("INSERT INTO counters (id) VALUES ($1)", row_id)
    async with pool.acquire() as conn:
        assert await update_versioned(conn, "counters", row_id, 0, {"value": 5}) == 1
        assert await update_versioned(conn, "counters", row_id, 1, {"value": 6}) == 2
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", row_id) == 6


async def test_concurrent_update_with_stale_version_conflicts(pool: asyncpg.Pool) -> None:
    row_id = uuid.uuid4()
    await pool.execute("INSERT INTO counters (id) VALUES ($1)", row_id)
    first = await pool.acquire()
    second = await pool.acquire()
    try:
        first_tx = first.transaction()
        await first_tx.start()
        await update_versioned(first, "counters", row_id, 0, {"value": 1})
        # The second writer read version 0 too; it blocks on the row lock until the first commits.
        racing = asyncio.create_task(update_versioned(second, "counters", row_id, 0, {"value": 2}))
        await eventually(
            lambda: pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            ),
            message="the second writer never waited on the row lock",
        )
        await first_tx.commit()
        with pytest.raises(Conflict):
            await racing
    finally:
        await pool.release(first)
        await pool.release(second)
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", row_id) == 1


async def test_update_refuses_a_non_identifier_column(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(ValueError, match="identifier"):
            await update_versioned(conn, "counters", uuid.uuid4(), 0, {"value = 1; --": 1})
