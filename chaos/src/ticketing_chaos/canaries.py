"""The canaries the chaos runner itself switches off: those that live in a database."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from orders.repository import ONE_LIVE_ORDER_PER_TICKET
from ticketing_common.faults.canaries import Canary


async def disable_in_orders_database(dsn: str, canaries: Iterable[Canary]) -> None:
    """Drop the unique index that keeps one live order per ticket, if that canary is off."""
    if Canary.LIVE_ORDER_INDEX not in canaries:
        return
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP INDEX IF EXISTS {ONE_LIVE_ORDER_PER_TICKET}")
    finally:
        await conn.close()
