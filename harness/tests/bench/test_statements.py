"""pg_stat_statements read before and after some work: the statements each database ran."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from ticketing_harness.bench.profiling import BENCH, database_figures
from ticketing_harness.bench.propagation import WATCH_QUERY
from ticketing_harness.bench.statements import Statement, Statements
from ticketing_harness.servers import PostgresServer
from ticketing_harness.testing.stacks import make_state_dir


@pytest.fixture(scope="module")
def counting_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL started with pg_stat_statements loaded, as `--profile` restarts the stack's."""
    directory = make_state_dir()
    preload = {"shared_preload_libraries": "pg_stat_statements"}
    try:
        with PostgresServer(directory, fast=True, settings=preload) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
async def shop(counting_postgres: PostgresServer) -> AsyncIterator[asyncpg.Connection]:
    admin = await asyncpg.connect(counting_postgres.dsn())
    try:
        await admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    finally:
        await admin.close()
    await counting_postgres.drop_database("shop")
    conn = await asyncpg.connect(await counting_postgres.create_database("shop"))
    yield conn
    await conn.close()


async def test_the_statements_each_database_ran_between_two_readings_are_counted(
    counting_postgres: PostgresServer, shop: asyncpg.Connection
) -> None:
    before = await Statements.read(counting_postgres.dsn())
    for n in range(5):
        await shop.fetchval("SELECT $1::int + 1", n)
    async with shop.transaction():
        await shop.execute("CREATE TEMPORARY TABLE scratch (n int)")
    ran = (await Statements.read(counting_postgres.dsn())).since(before)

    calls = {statement.query: statement.calls for statement in ran.per_database()["shop"]}
    assert calls["SELECT $1::int + $2"] == 5  # as pg_stat_statements writes it, constants out
    assert calls["BEGIN"] == calls["COMMIT"] == 1


def _ran(database: str, calls: dict[str, int]) -> dict[tuple[str, str], Statement]:
    return {(database, q): Statement(database, q, n, n * 0.01) for q, n in calls.items()}


def test_the_watchers_statement_is_the_bench_s_not_the_tickets_service_s() -> None:
    ran = Statements(_ran("tickets", {WATCH_QUERY: 30, "UPDATE tickets SET": 10}))
    figures = database_figures(ran, per=1 / 10)
    assert figures["tickets"]["statements"] == 1
    assert figures[BENCH]["statements"] == 3
    assert [s["query"] for s in figures[BENCH]["top"]] == [WATCH_QUERY]


def test_asyncpgs_reset_query_is_four_statements_in_one_round_trip() -> None:
    reset = ["SELECT pg_advisory_unlock_all()", "CLOSE ALL", "UNLISTEN *", "RESET ALL"]
    ran = Statements(
        _ran("orders", {"BEGIN": 10, "INSERT": 10, "COMMIT": 10, **dict.fromkeys(reset, 10)})
    )
    figures = database_figures(ran, per=1 / 10)["orders"]
    assert figures["statements"] == 7
    assert figures["round_trips"] == 4
    assert figures["transactions"] == 1
