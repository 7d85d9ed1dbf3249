"""Print what replicas change: start time, and orders placed per second through the gateway.

Run: uv run python benchmarks/replicas.py [REPLICAS]  (default: one process per service, then
orders=3,tickets=2). Each configuration gets a stack of its own; BUYERS signed-up buyers place
ORDERS_EACH orders at once, each on a ticket of its own. Printed, not asserted; on a machine
with few cores more processes share the same CPUs, which bounds what replicas can add.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time

import httpx

from ticketing_harness.testing.stacks import created, signed_up, start_stack, stop_stack, unique

BUYERS = 20
ORDERS_EACH = 10
DEFAULT_REPLICAS = "orders=3,tickets=2"


async def _orders_per_second(url: str) -> tuple[float, float, float]:
    """Orders per second, and the median and 95th percentile time of one order, in ms."""
    async with contextlib.AsyncExitStack() as users:
        seller = await users.enter_async_context(signed_up(url))
        buyers = [await users.enter_async_context(signed_up(url)) for _ in range(BUYERS)]
        tickets = [
            await created(seller, "/api/tickets", {"title": unique("bench"), "price": 10})
            for _ in range(BUYERS * ORDERS_EACH)
        ]
        # Orders knows every ticket once it knows the last one listed.
        await created(buyers[0], "/api/orders", {"ticketId": tickets.pop()["id"]})
        times: list[float] = []

        async def place(buyer: httpx.AsyncClient, ticket: dict[str, str]) -> None:
            started = time.perf_counter()
            response = await buyer.post("/api/orders", json={"ticketId": ticket["id"]})
            times.append(time.perf_counter() - started)
            response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(
            *(place(buyers[n % BUYERS], ticket) for n, ticket in enumerate(tickets))
        )
        elapsed = time.perf_counter() - started
    percentiles = statistics.quantiles(times, n=20)
    return len(times) / elapsed, percentiles[9] * 1000, percentiles[18] * 1000


def main() -> None:
    """Each configuration on a stack of its own, one after the other."""
    for replicas in ("", sys.argv[1] if len(sys.argv) > 1 else DEFAULT_REPLICAS):
        started = time.perf_counter()
        stack = start_stack(*(("--replicas", replicas) if replicas else ()))
        up = time.perf_counter() - started
        try:
            rate, median, p95 = asyncio.run(_orders_per_second(stack.url))
        finally:
            stop_stack(stack)
        label = replicas or "one process per service"
        print(
            f"{label:<28} up {up:5.1f}s  {rate:6.1f} orders/s  "
            f"median {median:6.1f} ms  p95 {p95:6.1f} ms"
        )


if __name__ == "__main__":
    main()
