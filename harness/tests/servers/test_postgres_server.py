"""PostgreSQL server: unprivileged, isolated databases, data kept across restarts."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import asyncpg
import pytest

from ticketing_harness.servers import PostgresServer, ServerError
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


async def test_a_client_without_the_password_is_refused(postgres_server: PostgresServer) -> None:
    without = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/postgres"
    wrong = f"postgresql://postgres:guess@127.0.0.1:{postgres_server.port}/postgres"
    for dsn in (without, wrong):
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(dsn)


def test_the_password_file_is_readable_by_its_owner_only(
    postgres_server: PostgresServer,
) -> None:
    postgres_server.password()
    mode = (postgres_server.directory / "password").stat().st_mode
    assert mode & 0o077 == 0


async def test_a_role_reaches_the_database_it_owns_with_its_own_password(
    postgres_server: PostgresServer,
) -> None:
    await postgres_server.create_role("shop")
    await postgres_server.create_role("shop")  # a second time changes nothing
    dsn = await postgres_server.create_database("shop_db", owner="shop")
    try:
        await _create_table_with_a_row(dsn)
        assert await _fetchval(dsn, "SELECT current_user") == "shop"
        assert postgres_server.password("shop") != postgres_server.password()
        wrong = dsn.replace(postgres_server.password("shop"), postgres_server.password())
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(wrong)
        await postgres_server.create_role("other")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(postgres_server.dsn("shop_db", role="other"))
    finally:
        await postgres_server.drop_database("shop_db")


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


def test_data_made_without_passwords_is_refused_with_a_way_out(
    private_postgres_server: PostgresServer,
) -> None:
    private_postgres_server.stop()
    hba = private_postgres_server.data_dir / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    with pytest.raises(ServerError, match=r"created without passwords.*--fresh"):
        private_postgres_server.start()
