"""`ticketing events` against the session's running stack: tail, consumers, dlq and replay."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client

from ticketing_harness.testing.stacks import RunningStack, created, unique
from ticketing_harness.waiting import eventually

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


@pytest.fixture
async def stack_nats(stack: RunningStack) -> AsyncIterator[Client]:
    connection = await nats.connect(stack.access().nats())
    yield connection
    await connection.close()


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def _durables(connection: Client) -> dict[str, tuple[int, int]]:
    """Each durable consumer's delivered and acknowledged stream sequences."""
    infos = await connection.jetstream().consumers_info("EVENTS")
    return {
        str(i.name): (
            i.delivered.stream_seq if i.delivered else 0,
            i.ack_floor.stream_seq if i.ack_floor else 0,
        )
        for i in infos
        if i.config.durable_name
    }


async def test_tail_shows_each_event_validated_without_disturbing_durables(
    stack: RunningStack, seller: httpx.AsyncClient, stack_nats: Client
) -> None:
    ticket = await created(seller, "/api/tickets", {"title": unique("tail"), "price": 7})

    async def seen() -> dict[str, Any] | None:
        result = stack.ticketing("events", "tail", "--type", "ticket.created", "--json")
        assert result.returncode == 0, result.stderr
        return next((e for e in _json_lines(result.stdout) if e["record"] == ticket["id"]), None)

    before = await _durables(stack_nats)
    event = await eventually(seen, timeout=15, message="the ticket.created never showed")
    assert event is not None
    assert (event["type"], event["subject"], event["producer"]) == (
        "ticket.created",
        "events.ticket.created",
        "tickets",
    )
    assert (event["version"], event["valid"]) == (0, True)
    assert uuid.UUID(event["id"])
    after = await _durables(stack_nats)
    assert set(after) == set(before)  # no consumer left behind by the reader
    text = stack.ticketing("events", "tail", "--since", "5m", "--service", "tickets")
    assert text.returncode == 0, text.stderr
    line = next(line for line in text.stdout.splitlines() if ticket["id"] in line)
    assert "ticket.created events.ticket.created" in line
    assert "from tickets" in line and "v0 valid" in line


async def test_tail_by_service_reads_only_its_subjects(stack: RunningStack) -> None:
    result = stack.ticketing("events", "tail", "--service", "expiration", "--json")
    assert result.returncode == 0, result.stderr
    assert {e["type"] for e in _json_lines(result.stdout)} <= {
        "order.created",
        "expiration.complete",
    }


async def test_tail_follow_prints_the_stream_then_each_new_event(
    stack: RunningStack, seller: httpx.AsyncClient
) -> None:
    before = await created(seller, "/api/tickets", {"title": unique("before"), "price": 8})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ticketing_harness", "events", "tail", "--follow", "--json",
        "--type", "ticket.created", "--state-dir", str(stack.state_dir),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    stdout = process.stdout

    async def shown(record: str) -> None:
        async with asyncio.timeout(30):
            while True:
                line = await stdout.readline()
                assert line, "tail --follow stopped"
                if json.loads(line)["record"] == record:
                    return

    try:
        await shown(before["id"])
        after = await created(seller, "/api/tickets", {"title": unique("after"), "price": 9})
        await shown(after["id"])
    finally:
        process.terminate()
        await process.wait()


async def test_consumers_reports_every_durable_with_its_lag(stack: RunningStack) -> None:
    result = stack.ticketing("events", "consumers", "--json")
    assert result.returncode == 0, result.stderr
    lags = {item["name"]: item for item in json.loads(result.stdout)}
    assert {"orders-ticket-created", "tickets-order-created", "payments-order-cancelled"} <= set(
        lags
    )
    for lag in lags.values():
        assert lag["lag_messages"] == lag["pending"] + lag["ack_pending"]
        assert lag["lag_seconds"] >= 0
    table = stack.ticketing("events", "consumers")
    assert "orders-ticket-created" in table.stdout and "lag" in table.stdout


async def test_a_dead_letter_is_listed_and_replayed_to_its_consumer_once(
    stack: RunningStack, stack_nats: Client
) -> None:
    marker = unique("poison")
    body = json.dumps({"type": "order.created", "id": marker}).encode()
    # A producer that bypassed its contract: every consumer of the subject dead-letters it.
    await stack_nats.jetstream().publish(
        "events.order.created", body, headers={"Nats-Msg-Id": marker}
    )

    async def letters() -> list[dict[str, Any]] | None:
        result = stack.ticketing("events", "dlq", "--json")
        assert result.returncode == 0, result.stderr
        mine = [d for d in json.loads(result.stdout) if marker in d["payload"]]
        return mine if len(mine) == 3 else None

    found = await eventually(letters, timeout=20, message="not dead-lettered by all three")
    assert found is not None
    assert {d["consumer"] for d in found} == {
        "tickets-order-created",
        "expiration-order-created",
        "payments-order-created",
    }
    assert all(d["reason"].startswith("contract:") and d["deliveries"] == 1 for d in found)
    letter = next(d for d in found if d["consumer"] == "tickets-order-created")
    replayed = stack.ticketing("events", "replay", str(letter["id"]))
    assert replayed.returncode == 0, replayed.stderr
    assert "to tickets-order-created" in replayed.stdout

    async def dead_again() -> list[dict[str, Any]] | None:
        result = stack.ticketing("events", "dlq", "--json")
        mine = [d for d in json.loads(result.stdout) if marker in d["payload"]]
        return mine if any(d["id"] > letter["id"] for d in mine) else None

    # Still broken, so its consumer dead-letters it again; the two others never saw it.
    again = await eventually(dead_again, timeout=20, message="the replay never arrived")
    assert again is not None
    assert sorted(d["consumer"] for d in again) == sorted(d["consumer"] for d in found)
    twice = stack.ticketing("events", "replay", str(letter["id"]))
    assert twice.returncode == 1
    assert twice.stderr.startswith(f"error: no dead letter {letter['id']}")
    listing = stack.ticketing("events", "dlq")
    assert "tickets-order-created on events.order.created" in listing.stdout


@pytest.mark.contract
async def test_the_running_brokers_streams_and_consumers_are_as_declared(
    stack: RunningStack,
) -> None:
    result = stack.ticketing("contracts", "check", "--live")
    assert result.returncode == 0, result.stderr


def test_events_without_a_stack_say_so(tmp_path: Any) -> None:
    from ticketing_harness.testing.stacks import run_ticketing

    result = run_ticketing("events", "consumers", "--state-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no stack is running")


def test_a_bad_since_is_one_clear_error(stack: RunningStack) -> None:
    result = stack.ticketing("events", "tail", "--since", "yesterday")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --since 'yesterday' is neither a duration like 30s, 5m, 2h, 1d nor an ISO time"
    )
