"""What the brokers carried: NATS messages per connection and per consumer, Redis commands.

NATS's own monitoring says it: `/connz` counts the protocol messages each connection sent
(publishes, acks, pull requests) and received (deliveries, publish acks, pull timeouts),
`/jsz` each consumer's deliveries and acks, and the stream's state the messages it stored.
Redis's `INFO commandstats` counts every command since it started.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ticketing_common.contracts import load_catalog
from ticketing_harness.components import Server
from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.local.layout import Layout
from ticketing_harness.servers import NatsServer, RedisServer
from ticketing_harness.waiting import eventually

Counts = dict[str, int]
SETTLE_TIMEOUT_SECONDS = 120
SETTLE_POLL_SECONDS = 0.2


def monitor_url(layout: Layout) -> str:
    """Where the stack's NATS serves its monitoring: the `http` of the config it runs with."""
    config = json.loads(NatsServer(layout.server_dir(Server.NATS)).config_path.read_text())
    return f"http://{config['http']}"


def _difference(now: Mapping[str, int], before: Mapping[str, int]) -> Counts:
    changed = {key: value - before.get(key, 0) for key, value in now.items()}
    return {key: value for key, value in changed.items() if value}


@dataclass(frozen=True)
class BrokerCounts:
    """Counters of NATS and Redis at one moment, or the difference between two."""

    sent: Counts = field(default_factory=dict)  # protocol messages from each connection
    received: Counts = field(default_factory=dict)  # ... and to it
    delivered: Counts = field(default_factory=dict)  # each consumer's deliveries
    acked: Counts = field(default_factory=dict)  # ... and acks (its ack floor)
    stored: Counts = field(default_factory=dict)  # messages stored in the events stream
    redis: Counts = field(default_factory=dict)  # Redis commands, by name

    def since(self, before: BrokerCounts) -> BrokerCounts:
        return BrokerCounts(
            *(
                _difference(getattr(self, name), getattr(before, name))
                for name in ("sent", "received", "delivered", "acked", "stored", "redis")
            )
        )


def stack_redis(layout: Layout, access: StackAccess) -> RedisServer:
    """The stack's Redis, to send commands to."""
    port = int(access.redis().rsplit(":", 1)[1].split("/", 1)[0])
    return RedisServer(layout.server_dir(Server.REDIS), port=port, detached=True)


async def _monitor(base: str, path: str, **params: str | int) -> Any:
    """One answer of NATS's monitoring endpoint at `base`, as JSON."""
    async with httpx.AsyncClient(base_url=base, timeout=10, trust_env=False) as monitor:
        response = await monitor.get(path, params=params)
        response.raise_for_status()
        return response.json()


def _consumers(jsz: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(stream, consumer) of every consumer `/jsz?accounts=true&consumers=true` lists."""
    for account in jsz.get("account_details", []):
        for stream in account.get("stream_detail", []):
            for consumer in stream.get("consumer_detail") or []:
                yield stream["name"], consumer


async def wait_settled(monitor: str, timeout: float = SETTLE_TIMEOUT_SECONDS) -> None:
    """Return once every consumer of the events stream has had and acked every message, twice
    in a row with no new message stored between: the work the last requests caused is done
    (published by the relays, delivered and applied)."""
    events = load_catalog().stream_name
    last_seen: list[int] = []

    async def done() -> bool:
        jsz = await _monitor(monitor, "/jsz", accounts="true", consumers="true")
        drained = all(
            consumer["num_pending"] == 0 and consumer["num_ack_pending"] == 0
            for stream, consumer in _consumers(jsz)
            if stream == events
        )
        stored = _jetstream(jsz)[2].get(events, 0)
        quiet = drained and last_seen[-1:] == [stored]
        last_seen.append(stored)
        return quiet

    await eventually(done, timeout=timeout, interval=SETTLE_POLL_SECONDS, message="settled")


async def broker_counts(monitor: str, redis: RedisServer) -> BrokerCounts:
    """Read NATS's monitoring (at `monitor`) and Redis's command statistics now."""
    connz = await _monitor(monitor, "/connz", limit=4096)
    jsz = await _monitor(monitor, "/jsz", accounts="true", consumers="true")
    sent: Counts = {}
    received: Counts = {}
    for connection in connz.get("connections", []):
        name = connection.get("name") or f"cid {connection['cid']}"
        sent[name] = sent.get(name, 0) + connection["in_msgs"]
        received[name] = received.get(name, 0) + connection["out_msgs"]
    delivered, acked, stored = _jetstream(jsz)
    return BrokerCounts(sent, received, delivered, acked, stored, _commands(redis))


def _jetstream(jsz: Mapping[str, Any]) -> tuple[Counts, Counts, Counts]:
    """Deliveries and acks per consumer, and the events stream's message count."""
    events = load_catalog().stream_name
    stored = {
        stream["name"]: stream["state"]["last_seq"]
        for account in jsz.get("account_details", [])
        for stream in account.get("stream_detail", [])
        if stream["name"] == events
    }
    delivered: Counts = {}
    acked: Counts = {}
    for _, consumer in _consumers(jsz):
        delivered[consumer["name"]] = consumer["delivered"]["consumer_seq"]
        acked[consumer["name"]] = consumer["ack_floor"]["consumer_seq"]
    return delivered, acked, stored


def _commands(redis: RedisServer) -> Counts:
    """`INFO commandstats`: calls of each command since Redis started."""
    info = str(redis.execute("INFO", "commandstats") or "")
    calls: Counts = {}
    for line in info.splitlines():
        name, _, stats = line.partition(":")
        if name.startswith("cmdstat_"):
            fields = dict(item.split("=", 1) for item in stats.split(","))
            calls[name.removeprefix("cmdstat_")] = int(fields["calls"])
    return calls
