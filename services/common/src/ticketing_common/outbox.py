"""Transactional outbox: events are stored with the change that causes them, then relayed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from ticketing_common.bus import Bus, BusUnavailable
from ticketing_common.contracts import Catalog, load_catalog
from ticketing_common.db import Connection
from ticketing_common.envelope import Envelope
from ticketing_common.events import EventData
from ticketing_common.tasks import cancel_until_done

log = logging.getLogger(__name__)

CHANNEL = "outbox"

# Only one relay drains a database at a time, so events leave in commit order.
_RELAY_LOCK_KEY = 7_140_205_527


async def enqueue(
    conn: Connection, data: EventData, *, service: str, catalog: Catalog | None = None
) -> Envelope:
    """Store the event inside the caller's transaction, as published by `service`.

    Raises:
        ContractViolation: the catalog does not let `service` publish the event, or the
            event breaks its contract.
    """
    catalog = catalog or load_catalog()
    catalog.check_publisher(data.event_type, service)
    envelope = Envelope.wrap(data, catalog=catalog)
    await enqueue_envelope(conn, envelope, catalog=catalog)
    return envelope


async def enqueue_envelope(
    conn: Connection, envelope: Envelope, *, catalog: Catalog | None = None
) -> None:
    """Store a ready-made envelope (e.g. one with a deterministic id) for the relay."""
    catalog = catalog or load_catalog()
    catalog.validate_envelope(envelope.model_dump(mode="json", by_alias=True))
    await conn.execute(
        "INSERT INTO outbox (event_id, event_type, subject, payload) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (event_id) DO NOTHING",
        envelope.id,
        envelope.type,
        catalog.subject_for(envelope.type),
        envelope.to_bytes(),
    )
    await conn.execute("SELECT pg_notify($1, '')", CHANNEL)


class OutboxRelay:
    """Publishes unsent rows in order; wakes on NOTIFY, backs off while the broker is down."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        bus: Bus,
        *,
        batch_size: int = 200,
        idle_timeout: float = 5.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.pool = pool
        self.bus = bus
        self.batch_size = batch_size
        self.idle_timeout = idle_timeout
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_until_done([self._task])
            self._task = None

    async def run(self) -> None:
        listener = await self.pool.acquire()
        try:
            await listener.add_listener(CHANNEL, self._notified)
            await self._relay_forever()
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(CHANNEL, self._notified)
            await self.pool.release(listener)

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _relay_forever(self) -> None:
        backoff = 0.1
        while True:
            self._wake.clear()
            try:
                sent = await self.drain()
            except Exception as exc:
                log.warning("outbox relay cannot publish (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.1
            if sent:
                continue
            # The timeout only covers a NOTIFY lost while the listening connection was down.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.idle_timeout):
                    await self._wake.wait()

    async def drain(self) -> int:
        """Publish one batch of unsent rows in order and mark them sent; returns how many."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK_KEY):
                return 0
            rows = await conn.fetch(
                "SELECT seq, event_id, subject, payload FROM outbox"
                " WHERE sent_at IS NULL ORDER BY seq LIMIT $1",
                self.batch_size,
            )
            stored = await self.bus.publish_batch(
                [(row["subject"], row["payload"], str(row["event_id"])) for row in rows]
            )
            published = [row["seq"] for row, ok in zip(rows, stored, strict=True) if ok]
            await conn.execute(
                "UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", published
            )
        if len(published) < len(rows):
            raise BusUnavailable(f"{len(rows) - len(published)} outbox events not published yet")
        return len(published)
