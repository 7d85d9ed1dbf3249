"""arq's worker, run inside the service process next to the NATS consumers."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from arq import ArqRedis, Worker

from expiration.jobs import EXPIRE_ORDER_JOB, QUEUE
from ticketing_common.bus import Bus
from ticketing_common.tasks import cancel_until_done

log = logging.getLogger(__name__)

POLL_DELAY = timedelta(seconds=0.2)


class ExpiryWorker:
    """Runs due expiry jobs from Redis; started again if a Redis failure stops it."""

    def __init__(self, redis: ArqRedis, bus: Bus) -> None:
        self.worker = Worker(
            functions=[EXPIRE_ORDER_JOB],
            queue_name=QUEUE,
            redis_pool=redis,
            ctx={"bus": bus},
            handle_signals=False,
            poll_delay=POLL_DELAY,
        )
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="expiry-worker")

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.worker.async_run()
            except Exception:
                log.exception("the expiry worker stopped; starting it again")
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """Stop polling and running jobs; a job cut short stays queued and runs at the next start.

        The Redis pool is the caller's to close (arq's `Worker.close` would close it with a
        call redis-py deprecates).
        """
        self._stopping = True
        await cancel_until_done(
            [*([self._task] if self._task else []), *self.worker.tasks.values()]
        )
