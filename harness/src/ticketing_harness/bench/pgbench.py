"""The reservation's conditional write in PostgreSQL alone, as `pgbench` runs it.

A copy of the orders table (its one-live-order-per-ticket index included) in the stack's
orders database takes one new order per transaction, as a reservation inserts one.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import asyncpg

from ticketing_harness.binaries import require_binary

SCRIPT = """\
INSERT INTO bench_orders (id, user_id, ticket_id, status, expires_at, version)
VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'created',
        now() + interval '15 minutes', 0);
"""
_POSTGRES_DIRS = tuple(str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin")))


async def _prepare(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "DROP TABLE IF EXISTS bench_orders;"
            " CREATE TABLE bench_orders (LIKE orders INCLUDING INDEXES INCLUDING DEFAULTS)"
        )
    finally:
        await conn.close()


async def conditional_writes(dsn: str, clients: int, seconds: int) -> float:
    """Transactions per second of `clients` pgbench clients inserting orders for `seconds`."""
    pgbench = require_binary("pgbench", "postgresql", _POSTGRES_DIRS)
    await _prepare(dsn)
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(SCRIPT)
        script.flush()
        run = await asyncio.create_subprocess_exec(
            *(str(pgbench), "-n", "-c", str(clients), "-j", "2", "-T", str(seconds)),
            *("-f", script.name, dsn),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output = (await run.communicate())[0].decode()
    match = re.search(r"tps = ([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"pgbench printed no rate:\n{output}")
    return float(match.group(1))
