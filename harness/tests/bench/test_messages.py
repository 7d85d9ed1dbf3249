"""NATS's monitoring and Redis's command statistics, read before and after real traffic."""

from __future__ import annotations

import pytest

from ticketing_common.bus import Bus
from ticketing_harness.bench.messages import broker_counts, wait_settled
from ticketing_harness.servers import NatsServer, RedisServer

CONSUMER = "bench-test-consumer"


async def test_publishes_deliveries_acks_and_redis_commands_are_counted(
    bus: Bus, nats_server: NatsServer, redis_server: RedisServer, redis_url: str
) -> None:
    subject = bus.catalog.subject_for("order.created")
    sub = await bus.js.pull_subscribe(subject, durable=CONSUMER, stream=bus.catalog.stream_name)
    before = await broker_counts(nats_server.monitor_url, redis_server)
    for n in range(3):
        await bus.js.publish(subject, b"{}", headers={"Nats-Msg-Id": f"m{n}"})
    for msg in await sub.fetch(3, timeout=5):
        await msg.ack()
    await bus.nc.flush()
    redis_server.execute("SET", "seat", "1")
    redis_server.execute("SET", "seat", "2")
    await wait_settled(nats_server.monitor_url, timeout=10)
    ran = (await broker_counts(nats_server.monitor_url, redis_server)).since(before)

    assert ran.stored == {bus.catalog.stream_name: 3}
    assert ran.delivered == {CONSUMER: 3}
    assert ran.acked == {CONSUMER: 3}
    assert ran.sent["test"] >= 3 + 3 + 1  # publishes, acks, a pull request
    assert ran.received["test"] >= 3 + 3  # publish acks, deliveries
    assert ran.redis["set"] == 2


async def test_the_stream_is_not_settled_while_a_delivery_waits_for_its_ack(
    bus: Bus, nats_server: NatsServer
) -> None:
    subject = bus.catalog.subject_for("order.created")
    sub = await bus.js.pull_subscribe(subject, durable=CONSUMER, stream=bus.catalog.stream_name)
    await bus.js.publish(subject, b"{}")
    [msg] = await sub.fetch(1, timeout=5)
    with pytest.raises(AssertionError, match="settled"):
        await wait_settled(nats_server.monitor_url, timeout=1)
    await msg.ack()
    await wait_settled(nats_server.monitor_url, timeout=10)
