"""A due expiry job announces expiration.complete once, also after the service or Redis restarts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from arq import ArqRedis
from arq.jobs import Job, JobStatus

from expiration.app import create_app
from expiration.config import Settings
from expiration.jobs import QUEUE, expire_order, expiry_event_id
from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import ExpirationComplete, OrderCreated
from ticketing_common.tracing import Cause
from ticketing_harness.servers import RedisServer
from ticketing_harness.testing.asgi import serve
from ticketing_harness.testing.bus import published
from ticketing_harness.waiting import eventually

from ..conftest import expiration_settings
from ..support import announce, order_created

SOON = timedelta(seconds=1)


async def expiries(bus: Bus) -> list[ExpirationComplete]:
    """The expiration.complete events on the bus (each checked against its contract)."""
    events = [envelope.payload() for envelope in await published(bus, "expiration.complete")]
    return [event for event in events if isinstance(event, ExpirationComplete)]


async def scheduled(queue: ArqRedis, order: OrderCreated) -> bool:
    return str(order.id) in {job.job_id for job in await queue.queued_jobs(queue_name=QUEUE)}


async def make_due(queue: ArqRedis, order: OrderCreated) -> None:
    """Move the order's job to now, as if its window had passed (arq scores jobs by due time)."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    await queue.zadd(QUEUE, {str(order.id): now_ms}, xx=True)


async def test_due_job_announces_the_expiry_once_with_a_deterministic_id_and_its_cause(
    service: httpx.AsyncClient, bus: Bus, queue: ArqRedis
) -> None:
    order = order_created(expires_in=SOON)
    created = Envelope.wrap(order, cause=Cause.request("request-0123456789"))
    await bus.publish(created)
    [envelope] = await eventually(lambda: published(bus, "expiration.complete"))
    assert envelope.id == expiry_event_id(order.id) == uuid.uuid5(order.id, "expiration.complete")
    assert (envelope.producer, envelope.payload()) == (
        "expiration",
        ExpirationComplete(order_id=order.id),
    )
    assert (envelope.correlation_id, envelope.causation_id) == (
        "request-0123456789",
        str(created.id),
    )
    assert envelope.occurred_at >= order.expires_at

    async def finished() -> bool:
        job = Job(str(order.id), queue, _queue_name=QUEUE)
        return await job.status() is JobStatus.complete

    await eventually(finished, message="the job never finished")
    assert await queue.queued_jobs(queue_name=QUEUE) == []
    assert await expiries(bus) == [ExpirationComplete(order_id=order.id)]


async def test_a_job_that_runs_twice_announces_the_expiry_once(bus: Bus) -> None:
    order_id = uuid.uuid4()
    for attempt in (1, 2):
        await expire_order({"bus": bus, "job_try": attempt}, str(order_id))
    assert await expiries(bus) == [ExpirationComplete(order_id=order_id)]


async def test_a_job_due_while_the_service_was_down_fires_when_it_is_back(
    settings: Settings, bus: Bus, queue: ArqRedis
) -> None:
    order = order_created(expires_in=timedelta(hours=1))
    async with serve(create_app(settings)):
        await announce(bus, order)
        await eventually(lambda: scheduled(queue, order), message="never scheduled")
    await make_due(queue, order)
    assert await expiries(bus) == []
    async with serve(create_app(settings)):
        events = await eventually(lambda: expiries(bus), message="never announced")
    assert events == [ExpirationComplete(order_id=order.id)]


async def test_scheduled_jobs_survive_a_restart_of_redis(
    private_redis_server: RedisServer, nats_url: str, bus: Bus
) -> None:
    settings = expiration_settings(nats_url, private_redis_server.url)
    order = order_created(expires_in=timedelta(seconds=2))
    async with serve(create_app(settings)):
        await announce(bus, order)
        await eventually(lambda: _has_job(private_redis_server, order), message="never scheduled")
    await asyncio.to_thread(private_redis_server.restart)
    async with serve(create_app(settings)):
        events = await eventually(lambda: expiries(bus), message="never announced")
    assert events == [ExpirationComplete(order_id=order.id)]


async def test_the_worker_resumes_after_a_redis_outage(
    private_redis_server: RedisServer, nats_url: str, bus: Bus
) -> None:
    settings = expiration_settings(nats_url, private_redis_server.url)
    async with serve(create_app(settings)) as service:
        await asyncio.to_thread(private_redis_server.stop)
        unready = await service.get("/readyz")
        assert unready.status_code == 503
        assert unready.json() == {"errors": [{"message": "Readiness check failed: redis"}]}
        await asyncio.to_thread(private_redis_server.start)
        order = order_created(expires_in=SOON)
        await announce(bus, order)
        events = await eventually(lambda: expiries(bus), timeout=20, message="never announced")
        assert events == [ExpirationComplete(order_id=order.id)]
        assert (await service.get("/readyz")).status_code == 200


async def _has_job(server: RedisServer, order: OrderCreated) -> bool:
    return server.execute("ZSCORE", QUEUE, str(order.id)) is not None
