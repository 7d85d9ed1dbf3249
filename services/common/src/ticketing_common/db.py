"""PostgreSQL access shared by the services: pool, migrations, optimistic concurrency."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ticketing_common.errors import Conflict

log = logging.getLogger(__name__)

# What handlers and repositories receive: a plain connection or one borrowed from a pool.
Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"

COMMON_MIGRATIONS = Path(__file__).parent / "migrations"

# Any constant shared by every replica of every service; one database per service keeps it local.
_MIGRATION_LOCK_KEY = 7_140_205_526

_MIGRATION_FILE = re.compile(r"^(\d{3,})_[\w-]+\.sql$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """Open a connection pool; the caller closes it."""
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
    assert pool is not None
    return pool


async def open_migrated_pool(dsn: str, service_migrations: Path) -> asyncpg.Pool:
    """A pool on a database with the shared and the service's migrations applied."""
    pool = await create_pool(dsn)
    try:
        await apply_migrations(pool, service_migrations)
    except BaseException:
        await pool.close()
        raise
    return pool


def migration_files(directory: Path) -> list[Path]:
    """The numbered .sql files of a directory, in order; anything else there is an error."""
    files = sorted(p for p in directory.iterdir() if p.suffix == ".sql")
    for path in files:
        if not _MIGRATION_FILE.match(path.name):
            raise ValueError(f"migration {path} is not named NNN_description.sql")
    return files


async def apply_migrations(pool: asyncpg.Pool, service_migrations: Path | None) -> list[str]:
    """Apply the shared, then the service's migrations not applied yet; returns their names.

    Runs under an advisory lock, so replicas starting together apply each file once.
    """
    sources = [("common", COMMON_MIGRATIONS)]
    if service_migrations is not None:
        sources.append((service_migrations.parent.name, service_migrations))
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK_KEY)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for component, directory in sources:
                for path in migration_files(directory):
                    name = f"{component}/{path.name}"
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(path.read_text())
                        await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    applied.append(name)
                    log.info("applied migration %s", name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK_KEY)
    return applied


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


async def update_versioned(
    conn: Connection,
    table: str,
    row_id: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    version: int | None = None,
) -> int:
    """Write `changes` only if the row is still at `expected_version`; returns the new version.

    The new version is `version` (a replica takes its source's), else the next one.
    Raises Conflict when the row moved on (or is gone): the caller read a stale version.
    """
    columns = [_identifier(c) for c in changes]
    assignments = "".join(f"{c} = ${i}, " for i, c in enumerate(columns, start=4))
    new_version = await conn.fetchval(
        f"UPDATE {_identifier(table)} SET {assignments}version = coalesce($3, version + 1)"
        " WHERE id = $1 AND version = $2 RETURNING version",
        row_id,
        expected_version,
        version,
        *changes.values(),
    )
    if new_version is None:
        raise Conflict()
    return int(new_version)
