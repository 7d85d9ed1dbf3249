"""What PostgreSQL ran for each service: its statements, counted by pg_stat_statements.

pg_stat_statements must be loaded when the server starts, so `enable_statements` sets
`shared_preload_libraries` on the stack's server (`ALTER SYSTEM`, kept in its data
directory) and restarts it, then the services, whose connections the restart closed.
Only a `--profile` run does this; a plain `ticketing up` never loads the extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from ticketing_harness.testing.stacks import RunningStack

_RESTART_TIMEOUT_SECONDS = 180

# Per database and statement text: how often it ran and the server time it took.
_STATEMENTS = """
SELECT d.datname AS database, s.query, sum(s.calls)::bigint AS calls,
       sum(s.total_exec_time) AS exec_ms
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
GROUP BY d.datname, s.query
"""


class StatementsUnavailable(Exception):
    """The stack's PostgreSQL did not start with pg_stat_statements loaded."""


async def enable_statements(stack: RunningStack) -> None:
    """Load pg_stat_statements in the stack's PostgreSQL: restart it, then every service."""
    admin = stack.access().admin_database()
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    finally:
        await conn.close()
    for component in ("postgres", "all"):
        result = stack.ticketing("restart", component, timeout=_RESTART_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise StatementsUnavailable(
                f"`ticketing restart {component}` failed:\n{result.stdout}{result.stderr}"
            )
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    finally:
        await conn.close()


@dataclass(frozen=True)
class Statement:
    """One statement text in one database: how often it ran, and its server time."""

    database: str
    query: str
    calls: int
    exec_ms: float


@dataclass(frozen=True)
class Statements:
    """The statements counted in every database (since the server started, or between two
    readings), by database and text."""

    statements: Mapping[tuple[str, str], Statement]

    @classmethod
    async def read(cls, admin_dsn: str) -> Statements:
        conn = await asyncpg.connect(admin_dsn)
        try:
            rows = await conn.fetch(_STATEMENTS)
        finally:
            await conn.close()
        statements = {
            (row["database"], row["query"]): Statement(
                row["database"], row["query"], row["calls"], row["exec_ms"]
            )
            for row in rows
        }
        return cls(statements)

    def since(self, before: Statements) -> Statements:
        """What ran between `before` and this reading."""
        ran: dict[tuple[str, str], Statement] = {}
        for key, now in self.statements.items():
            then = before.statements.get(key)
            calls = now.calls - (then.calls if then else 0)
            if calls > 0:
                exec_ms = now.exec_ms - (then.exec_ms if then else 0.0)
                ran[key] = Statement(now.database, now.query, calls, exec_ms)
        return Statements(ran)

    def per_database(self) -> dict[str, list[Statement]]:
        """The statements of each database, the most frequent first."""
        grouped: dict[str, list[Statement]] = {}
        for statement in sorted(self.statements.values(), key=lambda s: -s.calls):
            grouped.setdefault(statement.database, []).append(statement)
        return grouped
