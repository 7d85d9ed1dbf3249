"""Real PostgreSQL and JetStream for the shared library's integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from ticketing_common.db import apply_migrations, create_pool

# A tiny service schema of our own, so the library is tested without any real service.
SAMPLE_MIGRATIONS = Path(__file__).parent / "sample_service" / "migrations"


@pytest.fixture
async def pool(database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_dsn, max_size=20)
    await apply_migrations(pool, SAMPLE_MIGRATIONS)
    yield pool
    await pool.close()
