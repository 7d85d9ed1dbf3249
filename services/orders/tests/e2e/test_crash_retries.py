"""The orders service killed during 60 simultaneous orders: every buyer's retry gets their order.

The orders service runs as a real process. It is SIGKILLed while the orders are placed,
so some buyers get no answer, some of them for an order that was saved. It is started
again, and every buyer retries with the same Idempotency-Key and body: each gets the order
for their ticket (the very one saved before the crash, if it was), and no ticket is
ordered twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from orders.config import Settings
from ticketing_common.bus import Bus
from ticketing_harness.ports import free_port
from ticketing_harness.testing.bus import publish
from ticketing_harness.waiting import eventually

from ..support import JWT_KEY, signed_in, ticket_created

BUYERS = 60
pytestmark = pytest.mark.timeout(180)


@contextmanager
def _orders_process(settings: Settings, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m orders` on `port`, as `ticketing up` runs it; stopped when the block ends."""
    env = {
        **os.environ,
        "PORT": str(port),
        "JWT_KEY": JWT_KEY,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "NATS_URL": settings.nats_url,
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "orders"], env=env, stdout=output, stderr=output
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def _ready(url: str) -> bool:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{url}/readyz")).status_code == 200


async def _answer(
    client: httpx.AsyncClient, body: dict[str, str], headers: dict[str, str]
) -> httpx.Response | None:
    """The service's answer, or None when it died before answering."""
    try:
        return await client.post("/api/orders", json=body, headers=headers)
    except httpx.TransportError:
        return None


async def test_a_retry_after_a_crash_gets_the_order_saved_before_it_and_no_second_one(
    settings: Settings, bus: Bus, database_dsn: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "orders.log"
    url = f"http://127.0.0.1:{port}"
    tickets = [ticket_created(title=f"Seat {n}") for n in range(BUYERS)]
    requests = [
        ({"ticketId": str(t.id)}, {**signed_in(settings), "Idempotency-Key": str(uuid.uuid4())})
        for t in tickets
    ]
    db = await asyncpg.connect(database_dsn)
    try:
        with _orders_process(settings, port, log) as first:
            await eventually(lambda: _ready(url), timeout=60, message=log.read_text())
            for ticket in tickets:
                await publish(bus, ticket)

            async def replicated() -> bool:
                return bool(await db.fetchval("SELECT count(*) FROM tickets") == BUYERS)

            await eventually(replicated, message="the tickets never reached the replica")
            limits = httpx.Limits(max_connections=BUYERS)
            async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
                placing = asyncio.gather(*(_answer(client, *request) for request in requests))

                async def some_saved() -> bool:
                    return bool(await db.fetchval("SELECT count(*) FROM orders") >= BUYERS // 4)

                await eventually(some_saved, interval=0.005, message="no order was saved")
                first.send_signal(signal.SIGKILL)
                answers = await placing

        saved_before = {
            row["ticket_id"]: row["id"]
            for row in await db.fetch("SELECT id, ticket_id FROM orders")
        }
        with _orders_process(settings, port, log):
            await eventually(lambda: _ready(url), timeout=60, message=log.read_text())
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                retries = await asyncio.gather(
                    *(client.post("/api/orders", json=body, headers=h) for body, h in requests)
                )
        orders = {
            row["ticket_id"]: row["id"]
            for row in await db.fetch("SELECT id, ticket_id FROM orders")
        }
    finally:
        await db.close()

    unanswered = [
        n for n, answer in enumerate(answers) if answer is None or answer.status_code != 201
    ]
    saved_unanswered = [n for n in unanswered if tickets[n].id in saved_before]
    print(
        f"{BUYERS} orders: {BUYERS - len(unanswered)} answered 201 before the kill, "
        f"{len(unanswered)} not, {len(saved_unanswered)} of them saved anyway"
    )
    assert [retry.status_code for retry in retries] == [201] * BUYERS, [r.text for r in retries]
    assert len(orders) == BUYERS
    for n, retry in enumerate(retries):
        assert retry.json()["id"] == str(orders[tickets[n].id])
        first_answer = answers[n]
        if first_answer is not None and first_answer.status_code == 201:
            assert retry.json() == first_answer.json()
    for ticket_id, order_id in saved_before.items():
        assert orders[ticket_id] == order_id
