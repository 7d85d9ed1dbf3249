"""Real servers, each on a free port in its own directory: NATS, PostgreSQL, Redis, localstripe.

Each server's module is imported when its class is first asked for, so that what needs only
`lifecycle` (a stack's `status` and `down`) does not load the NATS and PostgreSQL clients.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketing_harness.servers.nats_server import NatsServer
    from ticketing_harness.servers.postgres_server import PostgresServer
    from ticketing_harness.servers.redis_server import RedisServer
    from ticketing_harness.servers.server_process import ServerError, ServerProcess
    from ticketing_harness.servers.stripe_server import StripeServer

_MODULES = {
    "NatsServer": "nats_server",
    "PostgresServer": "postgres_server",
    "RedisServer": "redis_server",
    "ServerError": "server_process",
    "ServerProcess": "server_process",
    "StripeServer": "stripe_server",
}

__all__ = [
    "NatsServer",
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "ServerProcess",
    "StripeServer",
]


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
