"""Each fault of the chaos layer on a real JetStream and PostgreSQL, and what survives it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from ticketing_common import faults
from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import TicketCreated
from ticketing_common.faults.plan import FaultKind, FaultPlan, FaultRule
from ticketing_common.faults.record import InjectedFault, read_faults
from ticketing_common.listeners import DeliveryPolicy, Listener
from ticketing_common.outbox import OutboxRelay, enqueue
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_harness.testing.bus import caught_up, consumer_info
from ticketing_harness.waiting import eventually

from .helpers import consuming, reached, ticket_created

FAST = DeliveryPolicy(ack_wait=2.0, max_deliver=5, retry_delays=(0.1,))
CONSUMER = "t-faulty"
KILL_TARGET = Path(__file__).parent / "consume_until_killed.py"


def only(kind: FaultKind, **fields: Any) -> FaultRule:
    """A rule that hits the first message it can, once."""
    return FaultRule(id=kind.value, kind=kind, probability=1, limit=1, **fields)


@contextmanager
def chaos(tmp_path: Path, *rules: FaultRule) -> Iterator[FaultPlan]:
    plan = FaultPlan(seed=1, run_dir=tmp_path, rules=rules)
    with faults.activated(plan):
        yield plan


@asynccontextmanager
async def faulty_bus(nats_url: str) -> AsyncIterator[Bus]:
    """A bus built while the layer is on, so its publishes and consumers go through it."""
    bus = await Bus.connect(nats_url, name="faulty")
    try:
        yield bus
    finally:
        await bus.close()


def recorded(plan: FaultPlan) -> list[InjectedFault]:
    return read_faults(plan.log_dir)


async def stream_ids(bus: Bus) -> list[str]:
    """The envelope id of every message in the events stream, in stream order."""
    info = await bus.js.stream_info(bus.catalog.stream_name)
    sub = await bus.js.pull_subscribe("events.>", stream=bus.catalog.stream_name)
    try:
        msgs = await sub.fetch(info.state.messages, timeout=2) if info.state.messages else []
    finally:
        await sub.unsubscribe()
    return [json.loads(msg.data)["id"] for msg in msgs]


def recording(seen: list[str]) -> Listener[TicketCreated]:
    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        seen.append(str(envelope.id))

    return Listener(CONSUMER, TicketCreated, handle, FAST)


async def counting_effects(pool: asyncpg.Pool, durable: str = CONSUMER) -> Listener[TicketCreated]:
    """A transactional listener whose effect counts, per ticket, how often it applied."""

    async def count(uow: UnitOfWork, data: TicketCreated) -> None:
        await uow.conn.execute(
            "INSERT INTO counters (id, value) VALUES ($1, 1)"
            " ON CONFLICT (id) DO UPDATE SET value = counters.value + 1",
            data.id,
        )

    return Listener.transactional(
        durable=durable,
        event=TicketCreated,
        db=Database(pool, "tickets"),
        handle=count,
        policy=FAST,
    )


@pytest.mark.parametrize("kind", [FaultKind.DROP_PUBLISH, FaultKind.LOSE_PUBACK])
async def test_a_publish_reported_failed_is_sent_again_by_the_outbox_and_stored_once(
    tmp_path: Path, pool: asyncpg.Pool, nats_url: str, kind: FaultKind
) -> None:
    """Dropped (never sent) or unconfirmed (sent, the broker deduplicates the retry)."""
    with chaos(tmp_path, only(kind)) as plan:
        async with faulty_bus(nats_url) as bus:
            relay = OutboxRelay(pool, bus, max_backoff=0.2)
            await relay.start()
            try:
                async with pool.acquire() as conn, conn.transaction():
                    envelope = await enqueue(conn, ticket_created(), service="tickets")
                await eventually(
                    lambda: pool.fetchval("SELECT sent_at IS NOT NULL FROM outbox"),
                    message="the outbox never sent its event again",
                )
            finally:
                await relay.stop()
            assert await stream_ids(bus) == [str(envelope.id)]
    [fault] = recorded(plan)
    assert (fault.kind, fault.event.event_id) == (kind, str(envelope.id))


async def test_a_duplicate_with_the_same_id_is_delivered_twice_and_applied_once(
    tmp_path: Path, pool: asyncpg.Pool, nats_url: str
) -> None:
    event = ticket_created()
    with chaos(tmp_path, only(FaultKind.DUPLICATE, seconds=(0.1, 0.1))) as plan:
        async with faulty_bus(nats_url) as bus:
            listener = await counting_effects(pool)
            async with consuming(bus, [listener]):
                envelope = Envelope.wrap(event)
                await bus.publish(envelope)
                await eventually(lambda: _stream_has(bus, 2), message="no copy was published")
                await eventually(lambda: caught_up(bus, CONSUMER), message="copy not consumed")
            assert await stream_ids(bus) == [str(envelope.id)] * 2
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", event.id) == 1
    [fault] = recorded(plan)
    assert fault.detail["copy_of"] == fault.event.event_id == str(envelope.id)


async def test_a_duplicate_under_a_fresh_id_carries_the_same_data(
    tmp_path: Path, nats_url: str
) -> None:
    with chaos(tmp_path, only(FaultKind.DUPLICATE_FRESH_ID, seconds=(0.1, 0.1))) as plan:
        async with faulty_bus(nats_url) as bus:
            envelope = Envelope.wrap(ticket_created())
            await bus.publish(envelope)
            await eventually(lambda: _stream_has(bus, 2), message="no copy was published")
            original, copy = await stream_ids(bus)
    assert original == str(envelope.id) != copy
    [fault] = recorded(plan)
    assert (fault.event.event_id, fault.detail["copy_of"]) == (copy, original)
    assert fault.event.record_id == str(envelope.data["id"])


async def test_a_delayed_delivery_arrives_after_the_next_one(tmp_path: Path, nats_url: str) -> None:
    seen: list[str] = []
    with chaos(tmp_path, only(FaultKind.DELAY, seconds=(1, 1), consumers=(CONSUMER,))) as plan:
        async with faulty_bus(nats_url) as bus, consuming(bus, [recording(seen)]):
            first, second = (Envelope.wrap(ticket_created()) for _ in range(2))
            await bus.publish(first)
            await bus.publish(second)
            await eventually(lambda: reached(seen, 2), message="not both handled")
    assert seen == [str(second.id), str(first.id)]
    assert recorded(plan)[0].detail == {"seconds": 1.0}


async def test_a_reorder_window_releases_its_messages_shuffled(
    tmp_path: Path, nats_url: str
) -> None:
    seen: list[str] = []
    window = FaultRule(
        id="w", kind=FaultKind.REORDER, probability=1, window=4, seconds=(1, 1), limit=4
    )
    with chaos(tmp_path, window) as plan:
        async with faulty_bus(nats_url) as bus, consuming(bus, [recording(seen)]):
            sent = [Envelope.wrap(ticket_created()) for _ in range(4)]
            for envelope in sent:
                await bus.publish(envelope)
            await eventually(lambda: reached(seen, 4), message="the window was not released")
    released = sorted(recorded(plan), key=lambda fault: fault.detail["released_as"])
    assert seen == [fault.event.event_id for fault in released]
    assert sorted(seen) == sorted(str(envelope.id) for envelope in sent)
    assert seen != [str(envelope.id) for envelope in sent]


async def test_a_dropped_delivery_is_redelivered_and_handled_once(
    tmp_path: Path, nats_url: str
) -> None:
    seen: list[str] = []
    with chaos(tmp_path, only(FaultKind.DROP_DELIVERY, seconds=(0.2, 0.2))) as plan:
        async with faulty_bus(nats_url) as bus, consuming(bus, [recording(seen)]):
            envelope = Envelope.wrap(ticket_created())
            await bus.publish(envelope)
            await eventually(lambda: caught_up(bus, CONSUMER), message="never acknowledged")
    assert seen == [str(envelope.id)]
    assert [fault.kind for fault in recorded(plan)] == [FaultKind.DROP_DELIVERY]


async def test_a_lost_ack_brings_the_handled_message_back_after_the_ack_wait(
    tmp_path: Path, nats_url: str
) -> None:
    seen: list[str] = []
    with chaos(tmp_path, only(FaultKind.LOSE_ACK)) as plan:
        async with faulty_bus(nats_url) as bus, consuming(bus, [recording(seen)]):
            envelope = Envelope.wrap(ticket_created())
            await bus.publish(envelope)
            await eventually(lambda: reached(seen, 2), message="never redelivered")
            await eventually(lambda: caught_up(bus, CONSUMER), message="never acknowledged")
    assert seen == [str(envelope.id)] * 2
    [fault] = recorded(plan)
    assert fault.detail == {"redelivery_after": FAST.ack_wait}


async def test_a_paused_consumer_handles_nothing_meanwhile(tmp_path: Path, nats_url: str) -> None:
    handled_at: list[float] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        handled_at.append(time.monotonic())

    listener = Listener(CONSUMER, TicketCreated, handle, FAST)
    with chaos(tmp_path, only(FaultKind.PAUSE, seconds=(0.8, 0.8))):
        async with faulty_bus(nats_url) as bus, consuming(bus, [listener]):
            published_at = time.monotonic()
            await bus.publish(Envelope.wrap(ticket_created()))
            await eventually(lambda: reached(handled_at, 1), message="never handled")
    assert handled_at[0] - published_at >= 0.8


async def test_a_kill_between_commit_and_ack_leaves_the_effect_for_the_redelivery_to_skip(
    tmp_path: Path, pool: asyncpg.Pool, database_dsn: str, nats_url: str, bus: Bus
) -> None:
    plan = FaultPlan(seed=1, run_dir=tmp_path, rules=(only(FaultKind.KILL),))
    plan.save(tmp_path / "plan.json")
    event = ticket_created()
    envelope = Envelope.wrap(event)
    await bus.publish(envelope)
    env = {**os.environ, faults.PLAN_VARIABLE: str(tmp_path / "plan.json")}
    target = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(KILL_TARGET), nats_url, database_dsn, CONSUMER],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert target.returncode == -signal.SIGKILL, target.stderr.decode()
    # The effect and its processed-event record committed; the ack never left.
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", event.id) == 1
    assert (await consumer_info(bus, CONSUMER)).num_ack_pending == 1
    async with consuming(bus, [await counting_effects(pool)]):
        await eventually(lambda: caught_up(bus, CONSUMER), timeout=15, message="not redelivered")
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", event.id) == 1
    [fault] = read_faults(plan.log_dir)
    assert (fault.kind, fault.event.event_id) == (FaultKind.KILL, str(envelope.id))
    assert fault.pid != os.getpid()


async def _stream_has(bus: Bus, count: int) -> bool:
    return bool((await bus.js.stream_info(bus.catalog.stream_name)).state.messages >= count)


@pytest.fixture(autouse=True)
def _layer_off_afterwards() -> Iterator[None]:
    yield
    assert faults.active() is None
