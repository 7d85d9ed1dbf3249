"""PostgreSQL server: unprivileged, isolated databases, data kept across restarts."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import asyncpg
import pytest

from ticketing_harness.servers import PostgresServer
from ticketing_harness.testing.pytest_plugin import DatabaseFactory


async def _fetchval(dsn: str, query: str) -> object:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def _create_table_with_a_row(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "CREATE TABLE tickets (title text); INSERT INTO tickets VALUES ('gig')"
        )
    finally:
        await connection.close()


def _uid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


async def test_fresh_database_answers_queries(database_dsn: str) -> None:
    assert await _fetchval(database_dsn, "SELECT 1") == 1


def test_server_never_runs_as_root(postgres_server: PostgresServer) -> None:
    assert postgres_server.pid is not None
    uid = _uid(postgres_server.pid)

    assert uid != 0
    if os.geteuid() == 0:
        assert uid == pwd.getpwnam("postgres").pw_uid


async def test_databases_from_the_factory_are_isolated(database_factory: DatabaseFactory) -> None:
    first, second = await database_factory(), await database_factory()

    await _create_table_with_a_row(first)

    assert first != second
    assert await _fetchval(first, "SELECT count(*) FROM tickets") == 1
    assert await _fetchval(second, "SELECT to_regclass('tickets')") is None


async def test_dropped_database_is_gone(postgres_server: PostgresServer) -> None:
    dsn = await postgres_server.create_database("doomed")
    await _create_table_with_a_row(dsn)

    await postgres_server.drop_database("doomed")

    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(dsn)


async def test_restart_keeps_rows_on_the_same_port(private_postgres_server: PostgresServer) -> None:
    dsn = await private_postgres_server.create_database("kept")
    await _create_table_with_a_row(dsn)

    private_postgres_server.restart()

    assert private_postgres_server.dsn("kept") == dsn
    assert await _fetchval(dsn, "SELECT title FROM tickets") == "gig"


async def test_new_server_reuses_an_existing_data_directory(
    private_postgres_server: PostgresServer,
) -> None:
    await _create_table_with_a_row(await private_postgres_server.create_database("kept"))
    private_postgres_server.stop()

    with PostgresServer(private_postgres_server.directory, fast=True) as again:
        assert await _fetchval(again.dsn("kept"), "SELECT title FROM tickets") == "gig"
