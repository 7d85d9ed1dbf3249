"""`nox -s bench`: start a stack with `ticketing up`, measure it, print and keep the figures.

Nothing is asserted: the figures go to the terminal and to bench/results/<date>.{json,md,png}.
Run when the machine is otherwise idle; the load average before and after is recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ticketing_harness.bench import reservations
from ticketing_harness.bench.buyers import Buyer
from ticketing_harness.bench.consumers import consumer_throughput
from ticketing_harness.bench.memory import MemoryPeak, cpu_seconds, service_memory, service_pids
from ticketing_harness.bench.messages import monitor_url, wait_settled
from ticketing_harness.bench.pgbench import conditional_writes
from ticketing_harness.bench.profiling import Profile
from ticketing_harness.bench.propagation import LOAD_POLL_SECONDS, ReservationWatch
from ticketing_harness.bench.report import markdown, save
from ticketing_harness.bench.sampling import py_spy
from ticketing_harness.bench.startup import cold_stack, server_startup
from ticketing_harness.bench.statements import enable_statements
from ticketing_harness.local.layout import Layout
from ticketing_harness.testing.stacks import RunningStack, stop_stack

IDLE_RESERVATIONS = 100
IDLE_PACE_SECONDS = 0.02
PROFILE_SECONDS = 3
# The one buyer of the idle phase connects from an address no crowd uses.
IDLE_BUYER = 60_000


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__)
    parser.add_argument("--herds", default="1000,5000", help="buyers of each herd on one ticket")
    parser.add_argument("--tickets", type=int, default=1000, help="tickets of the distinct run")
    parser.add_argument("--concurrency", type=int, default=200, help="buyers at once, distinct")
    parser.add_argument("--sweep", default="10,50,100,200,500", help="buyers at once, chart")
    parser.add_argument("--events", type=int, default=5000, help="events per consumer")
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument(
        "--replicas", default="", help="processes per service, as `ticketing up --replicas`"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="during the distinct run, sample every service with py-spy and count statements,"
        " NATS messages, Redis commands and log lines per reservation (loads pg_stat_statements:"
        " compare speed with runs without it)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    return parser.parse_args()


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(",") if n.strip()]


class Bench:
    """One run of every measurement against one stack."""

    def __init__(self, stack: RunningStack, options: argparse.Namespace) -> None:
        self.stack = stack
        self.options = options
        self.url = stack.url
        self.jwt_key = Layout(stack.state_dir).jwt_key()
        access = stack.access()
        self.orders_dsn = access.database_url("orders")
        self.tickets_dsn = access.database_url("tickets")
        self.results: dict[str, Any] = {}

    async def run(self) -> dict[str, Any]:
        if self.options.profile:
            await enable_statements(self.stack)
        herds, sweep = _numbers(self.options.herds), _numbers(self.options.sweep)
        swept = [max(300, 2 * level) for level in sweep]
        listed = await reservations.list_tickets(
            self.url,
            self.jwt_key,
            len(herds) + IDLE_RESERVATIONS + self.options.tickets + sum(swept),
            self.orders_dsn,
        )
        herd_tickets, listed = listed[: len(herds)], listed[len(herds) :]
        idle, listed = listed[:IDLE_RESERVATIONS], listed[IDLE_RESERVATIONS:]
        self.results["memory"] = {"idle": service_memory(self.stack.state_dir)}
        self.results["propagation"] = {"idle": await self.idle_propagation(idle)}
        await self.distinct(listed[: self.options.tickets])
        listed = listed[self.options.tickets :]
        self.results["sweep"] = []
        for level, count in zip(sweep, swept, strict=True):
            run = await reservations.distinct(self.url, self.jwt_key, listed[:count], level)
            listed = listed[count:]
            point = {"concurrency": level, "per_second": round(run.per_second, 1)}
            self.results["sweep"].append({**point, "p99_ms": run.latencies.p99_ms})
            print(f"  sweep {level:>4} buyers: {run.per_second:,.0f}/s, {run.latencies}")
        self.results["herds"] = []
        for buyers, ticket in zip(herds, herd_tickets, strict=True):
            run = await reservations.herd(self.url, self.jwt_key, ticket, buyers)
            herd = {"buyers": buyers, "winners": run.winners, "by_status": run.by_status}
            self.results["herds"].append({**herd, "latency": run.latencies.as_dict()})
            print(f"  herd {buyers:,}: {run.winners} winner(s), {run.by_status}, {run.latencies}")
        per_second = await conditional_writes(self.orders_dsn, self.options.pgbench_clients, 10)
        self.results["pgbench"] = {
            "clients": self.options.pgbench_clients,
            "per_second": round(per_second),
            "ratio": round(self.results["distinct"]["per_second"] / per_second, 4),
        }
        return self.results

    async def idle_propagation(self, tickets: list[str]) -> dict[str, float]:
        """One reservation at a time, paced well below capacity."""
        buyer = Buyer(self.url, self.jwt_key, IDLE_BUYER)
        try:
            async with ReservationWatch(self.tickets_dsn) as watch:
                for ticket in tickets:
                    if (
                        await buyer.post(reservations.ORDERS, {"ticketId": ticket})
                    ).outcome == "201":
                        watch.reserved(ticket)
                    await asyncio.sleep(IDLE_PACE_SECONDS)  # pacing the load, not waiting
        finally:
            await buyer.close()
        print(f"  propagation idle: {watch.latencies}")
        return watch.latencies.as_dict()

    async def distinct(self, tickets: list[str]) -> None:
        """The reservation stream, with propagation, memory and a profile taken under it."""
        flame_graph = None if self.options.profile else self.flame_graph()
        async with (
            ReservationWatch(self.tickets_dsn, LOAD_POLL_SECONDS) as watch,
            MemoryPeak(self.stack.state_dir) as peak,
        ):
            profile = None
            if self.options.profile:
                out, stem = self.options.out, self.options.stem
                profile = Profile(self.stack, out, stem, bench_backends={watch.backend_pid})
            # The watcher's own queries are the bench's work, not the system's: left out.
            bench = {watch.backend_pid}
            async with profile or contextlib.nullcontext():
                cpu_before = cpu_seconds(self.stack.state_dir, leave_out=bench)
                watcher_before = watch.backend_cpu_seconds()
                run = await reservations.distinct(
                    self.url, self.jwt_key, tickets, self.options.concurrency, watch
                )
                # The CPU of everything the reservations caused, the consumers' work included.
                await watch.all_seen()
                await wait_settled(monitor_url(Layout(self.stack.state_dir)))
                cpu_after = cpu_seconds(self.stack.state_dir, leave_out=bench)
                watcher = watch.backend_cpu_seconds() - watcher_before
        if flame_graph is not None:
            flame_graph.wait()
        # Where the CPU went: milliseconds of each component per reservation (2 cores = 2,000 ms/s).
        self.results["cpu_ms_per_reservation"] = {
            name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / len(tickets), 2)
            for name in sorted(cpu_after, key=lambda n: cpu_before.get(n, 0.0) - cpu_after[n])
        }
        self.results["watcher_cpu_ms_per_reservation"] = round(watcher * 1000 / len(tickets), 2)
        self.results["memory"]["load"] = peak.figures
        self.results["propagation"]["load"] = watch.latencies.as_dict()
        self.results["distinct"] = {
            "tickets": len(tickets),
            "concurrency": self.options.concurrency,
            "per_second": round(run.per_second, 1),
            "by_status": run.by_status,
            "latency": run.latencies.as_dict(),
        }
        print(f"  distinct: {run.per_second:,.0f}/s, {run.latencies}, {run.by_status}")
        print(f"  propagation under load: {watch.latencies}")
        print(f"  CPU ms per reservation: {self.results['cpu_ms_per_reservation']}")
        if profile is not None:
            self.results["profile"] = profile.figures(
                len(tickets), self.results["cpu_ms_per_reservation"]
            )

    def flame_graph(self) -> subprocess.Popen[bytes] | None:
        """py-spy sampling the orders service for a few seconds, into a flame graph."""
        spy = py_spy()
        if spy is None:
            print("  (no py-spy: no flame graph)")
            return None
        self.options.out.mkdir(parents=True, exist_ok=True)
        target = self.options.out / f"{self.options.stem}-orders-flame.svg"
        return subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(service_pids(self.stack.state_dir)["orders"]),
                "--duration",
                str(PROFILE_SECONDS),
                "--output",
                str(target),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def main() -> None:
    options = _options()
    options.stem = datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # one socket per buyer
    results: dict[str, Any] = {"date": options.stem, "cpus": os.cpu_count()}
    results["replicas"] = options.replicas or "one process per service"
    results["load_before"] = os.getloadavg()[0]
    print("servers start-up ...")
    results["servers"] = server_startup()
    print("consumers ...")
    results["consumers"] = consumer_throughput(options.events)
    print("ticketing up ...")
    stack, seconds = cold_stack(options.replicas)
    results["cold_start_s"] = round(seconds, 2)
    try:
        results.update(asyncio.run(Bench(stack, options).run()))
    finally:
        stop_stack(stack)
    results["load_after"] = os.getloadavg()[0]
    written = save(results, options.out, options.stem)
    print(markdown(results))
    print("written:", ", ".join(str(path) for path in written))


if __name__ == "__main__":
    main()
