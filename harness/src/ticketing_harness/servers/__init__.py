"""Real servers, each on a free port in its own directory: NATS, PostgreSQL, Redis, localstripe."""

from __future__ import annotations

from ticketing_harness.servers.nats_server import NatsServer
from ticketing_harness.servers.postgres_server import PostgresServer
from ticketing_harness.servers.process import ServerError, ServerProcess
from ticketing_harness.servers.redis_server import RedisServer
from ticketing_harness.servers.stripe_server import StripeServer

__all__ = [
    "NatsServer",
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "ServerProcess",
    "StripeServer",
]
