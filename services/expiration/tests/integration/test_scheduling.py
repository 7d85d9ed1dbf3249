"""order.created schedules one expiry job per order, due at the order's expiresAt."""

from __future__ import annotations

from datetime import timedelta

import httpx
from arq import ArqRedis

from expiration.jobs import EXPIRE_ORDER, QUEUE
from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.tracing import Cause
from ticketing_harness.waiting import eventually

from ..support import acked, announce, order_created

LATER = timedelta(hours=1)


async def test_order_created_schedules_its_expiry_at_expires_at(
    service: httpx.AsyncClient, bus: Bus, queue: ArqRedis
) -> None:
    order = order_created(expires_in=LATER)
    created = Envelope.wrap(order, cause=Cause.request("request-0123456789"))
    await bus.publish(created)
    [job] = await eventually(lambda: queue.queued_jobs(queue_name=QUEUE))
    # The job carries the cause on: the request, then the order.created it follows.
    cause = ("request-0123456789", str(created.id))
    assert (job.job_id, job.function, job.args) == (
        str(order.id),
        EXPIRE_ORDER,
        (str(order.id), *cause),
    )
    assert job.score is not None
    assert abs(job.score - order.expires_at.timestamp() * 1000) <= 1


async def test_duplicated_order_created_schedules_one_job(
    service: httpx.AsyncClient, bus: Bus, queue: ArqRedis
) -> None:
    order = order_created(expires_in=LATER)
    await announce(bus, order)
    last = await announce(bus, order)
    await eventually(lambda: acked(bus, last), message="order.created not consumed")
    jobs = await queue.queued_jobs(queue_name=QUEUE)
    assert [job.job_id for job in jobs] == [str(order.id)]


async def test_each_order_gets_its_own_job(
    service: httpx.AsyncClient, bus: Bus, queue: ArqRedis
) -> None:
    orders = [order_created(expires_in=LATER) for _ in range(3)]
    for order in orders:
        last = await announce(bus, order)
    await eventually(lambda: acked(bus, last), message="order.created not consumed")
    jobs = await queue.queued_jobs(queue_name=QUEUE)
    assert {job.job_id for job in jobs} == {str(order.id) for order in orders}


async def test_ready_when_redis_and_the_bus_are(service: httpx.AsyncClient) -> None:
    response = await service.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"redis": "ok", "bus": "ok"}
