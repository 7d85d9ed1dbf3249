"""The verdict fails, naming them, on a double reservation and a replica difference planted
directly in the databases of the load tests' stack (and removed afterwards)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from ticketing_harness.evidence.access import local_access
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import running_stack
from ticketing_harness.testing.stacks import RunningStack

pytestmark = [pytest.mark.xdist_group("load-stack"), pytest.mark.timeout(300)]

ONE_LIVE_ORDER = "orders_one_live_order_per_ticket"


@pytest.fixture
async def orders_db(load_stack: RunningStack) -> AsyncIterator[asyncpg.Connection]:
    layout = Layout(load_stack.state_dir)
    state = running_stack(layout)
    assert state is not None
    conn = await asyncpg.connect(local_access(layout).database_url("orders"))
    yield conn
    await conn.close()


async def test_a_planted_double_reservation_and_replica_difference_fail_the_verdict(
    load_stack: RunningStack, orders_db: asyncpg.Connection, tmp_path: Path
) -> None:
    drop = load_stack.ticketing(
        "load", "drop", "--users", "10", "--tickets", "2", "--hot", "1", "--duration", "1s",
        "--out", str(tmp_path), timeout=240,
    )  # fmt: skip
    assert drop.returncode == 0, drop.stdout + drop.stderr
    tickets = json.loads((tmp_path / "run.json").read_text())["tickets"]
    hot = next(ticket["id"] for ticket in tickets if ticket["hot"])
    tail = next(ticket["id"] for ticket in tickets if not ticket["hot"])
    planted = uuid.uuid4()
    index = await orders_db.fetchval("SELECT pg_get_indexdef($1::regclass)", ONE_LIVE_ORDER)
    try:
        await orders_db.execute(f"DROP INDEX {ONE_LIVE_ORDER}")
        await orders_db.execute(
            "INSERT INTO orders (id, user_id, ticket_id, status, expires_at)"
            " VALUES ($1, $2, $3, 'created', now() + interval '1 hour')",
            planted, uuid.uuid4(), uuid.UUID(hot),
        )  # fmt: skip
        await orders_db.execute(
            "UPDATE tickets SET title = 'planted' WHERE id = $1", uuid.UUID(tail)
        )

        judged = load_stack.ticketing("load", "verdict", str(tmp_path), "--drain-timeout", "2")
    finally:
        await orders_db.execute("DELETE FROM orders WHERE id = $1", planted)
        await orders_db.execute(index)
        await orders_db.execute(
            "UPDATE tickets SET title = $2 WHERE id = $1",
            uuid.UUID(tail), next(t["title"] for t in tickets if t["id"] == tail),
        )  # fmt: skip

    assert judged.returncode == 1, judged.stdout + judged.stderr
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    failed = {
        check["id"]: check["problems"] for check in verdict["checks"] if check["status"] == "failed"
    }
    assert f"ticket {hot} held by 2 live orders (" in " ".join(failed["I1"])
    assert any(
        problem.startswith(f"orders' copy of ticket {tail} differs: title planted (source ")
        for problem in failed["I2"]
    )
    assert f"order {planted} on ticket {hot}: no buyer was told they won it" in failed["L1"]
    assert "Verdict: FAILED" in judged.stdout
