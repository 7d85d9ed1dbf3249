"""Wires the expiration service: Redis, the bus, the expiry worker and its consumer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from expiration.config import Settings
from expiration.jobs import QUEUE
from expiration.listeners import listeners
from expiration.worker import ExpiryWorker
from ticketing_common.bus import Bus
from ticketing_common.health import ReadinessCheck
from ticketing_common.listeners import ConsumerGroup

log = logging.getLogger(__name__)


@dataclass
class Expiration:
    """The running expiration service: Redis, the bus, the expiry worker and its consumer."""

    settings: Settings
    redis: ArqRedis
    bus: Bus
    worker: ExpiryWorker
    consumers: ConsumerGroup

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"redis": self._redis_ready, "bus": self.bus.ready}

    async def _redis_ready(self) -> bool:
        return bool(await self.redis.ping())

    async def stop(self) -> None:
        """Stop scheduling, then running jobs; then close the bus and Redis."""
        await self.consumers.stop()
        await self.worker.stop()
        await self.bus.close()
        await self.redis.aclose()


async def bootstrap(settings: Settings) -> Expiration:
    """Connect to Redis and the bus, start the worker, then the consumer."""
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=QUEUE)
    try:
        bus = await Bus.for_service(settings, "expiration")
    except BaseException:
        await redis.aclose()
        raise
    worker = ExpiryWorker(redis, bus)
    await worker.start()
    consumers = ConsumerGroup(bus, listeners(redis))
    await consumers.start()
    log.info("%s started", settings.service_name)
    return Expiration(settings, redis, bus, worker, consumers)
