"""How to reach the servers of a running stack: one place, for tools that inspect it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ticketing_harness.components import DATABASES, Server
from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerProcess,
    StripeServer,
)


@dataclass(frozen=True)
class StackConnections:
    """Each service's database DSN, the NATS and Redis URLs, and localstripe if it runs."""

    databases: Mapping[str, str]
    nats_url: str
    redis_url: str
    stripe_api_base: str | None
    stripe_api_key: str | None


def stack_connections(servers: Mapping[Server, ServerProcess]) -> StackConnections:
    """The addresses (and credentials) of the servers a stack started."""
    postgres, nats, redis = servers[Server.POSTGRES], servers[Server.NATS], servers[Server.REDIS]
    assert isinstance(postgres, PostgresServer)
    assert isinstance(nats, NatsServer)
    assert isinstance(redis, RedisServer)
    stripe = servers.get(Server.STRIPE)
    return StackConnections(
        databases={name: postgres.dsn(name) for name in DATABASES},
        nats_url=nats.url,
        redis_url=redis.url,
        stripe_api_base=stripe.api_base if isinstance(stripe, StripeServer) else None,
        stripe_api_key=stripe.api_key if isinstance(stripe, StripeServer) else None,
    )
