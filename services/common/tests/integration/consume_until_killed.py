"""Run by a test as its own process: consume with the fault plan on until a fault kills it.

Arguments: NATS URL, database DSN (with the sample schema), durable name.
"""

from __future__ import annotations

import asyncio
import sys

from ticketing_common.bus import Bus
from ticketing_common.db import create_pool
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import ConsumerGroup, DeliveryPolicy, Listener
from ticketing_common.unit_of_work import Database, UnitOfWork


async def count(uow: UnitOfWork, data: TicketCreated) -> None:
    await uow.conn.execute(
        "INSERT INTO counters (id, value) VALUES ($1, 1)"
        " ON CONFLICT (id) DO UPDATE SET value = counters.value + 1",
        data.id,
    )


async def main(nats_url: str, dsn: str, durable: str) -> None:
    pool = await create_pool(dsn)
    bus = await Bus.connect(nats_url, name="kill-target")
    policy = DeliveryPolicy(ack_wait=2.0, max_deliver=5, retry_delays=(0.1,))
    listener = Listener.transactional(
        durable=durable,
        event=TicketCreated,
        db=Database(pool, "tickets"),
        handle=count,
        policy=policy,
    )
    await ConsumerGroup(bus, [listener]).start()
    await asyncio.sleep(30)  # the kill comes long before


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
