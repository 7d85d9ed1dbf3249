"""How a tool outside the services reaches a stack: its gateway, databases, bus, Redis, Stripe.

The one place that turns a state directory into URLs with their credentials:

    access = local_access(Layout(state_dir))
    bus = await Bus.connect(access.nats(), name="my-tool")
    pool = await asyncpg.create_pool(access.database_url("orders"))

A stack elsewhere is reached through what its options name (`StackAccess(databases=...)`).
Local ports come from the state file of the stack running there; credentials from the files
`ticketing up` generated beside each server's data (see `ticketing_harness.servers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ticketing_harness.components import DATABASES, Server
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import running_stack
from ticketing_harness.servers import NatsServer, PostgresServer, RedisServer, StripeServer


@dataclass(frozen=True)
class StripeAccess:
    """A Stripe API (localstripe, or Stripe in test mode) and the key to read it with."""

    api_base: str
    api_key: str = StripeServer.api_key


@dataclass(frozen=True)
class StackAccess:
    """What a tool may reach of one stack; what is unknown is None (or absent)."""

    gateway_url: str | None = None
    databases: Mapping[str, str] = field(default_factory=dict)  # service name to DSN
    nats_url: str | None = None
    redis_url: str | None = None
    stripe: StripeAccess | None = None
    """localstripe, or None when the stack charges a real Stripe account."""
    admin_database_url: str | None = None
    """The server's `postgres` database as the superuser: known for a local stack only."""

    def database_url(self, service: str) -> str:
        """The DSN a service's own database is reached with, as the service's role."""
        if service not in self.databases:
            known = ", ".join(self.databases) or "none"
            raise HarnessError(f"no database of {service} is known here (known: {known})")
        return self.databases[service]

    def admin_database(self) -> str:
        """The DSN of the server's `postgres` database, as the superuser."""
        return _known(self.admin_database_url, "PostgreSQL's superuser")

    def nats(self) -> str:
        """NATS's URL, credentials included."""
        return _known(self.nats_url, "NATS")

    def redis(self) -> str:
        """Redis's URL, credentials included."""
        return _known(self.redis_url, "Redis")

    def merged(self, other: StackAccess) -> StackAccess:
        """This access, with whatever `other` gives replacing it."""
        return StackAccess(
            gateway_url=other.gateway_url or self.gateway_url,
            databases={**self.databases, **other.databases},
            nats_url=other.nats_url or self.nats_url,
            redis_url=other.redis_url or self.redis_url,
            stripe=other.stripe or self.stripe,
            admin_database_url=other.admin_database_url or self.admin_database_url,
        )


def _known(url: str | None, server: str) -> str:
    if url is None:
        raise HarnessError(f"the address of {server} is not known here")
    return url


def local_access(layout: Layout) -> StackAccess:
    """What the stack running from `layout`'s state directory lets a tool reach.

    Raises:
        HarnessError: no stack runs there, or it is still starting its servers.
    """
    state = running_stack(layout)
    if state is None:
        raise HarnessError(
            f"no stack is running from {layout.root}; start one with `ticketing up --detach`"
        )
    ports = {component.name: component.port for component in state.components}
    missing = [s.value for s in (Server.NATS, Server.POSTGRES, Server.REDIS) if s not in ports]
    if missing:
        raise HarnessError(f"the stack in {layout.root} has not started {', '.join(missing)} yet")

    nats = NatsServer(layout.server_dir(Server.NATS), port=ports[Server.NATS], detached=True)
    redis = RedisServer(layout.server_dir(Server.REDIS), port=ports[Server.REDIS], detached=True)
    postgres = PostgresServer(
        layout.server_dir(Server.POSTGRES), port=ports[Server.POSTGRES], detached=True
    )
    stripe = None
    if Server.STRIPE in ports:
        server = StripeServer(
            layout.server_dir(Server.STRIPE), port=ports[Server.STRIPE], detached=True
        )
        stripe = StripeAccess(server.api_base, server.api_key)
    return StackAccess(
        gateway_url=state.url,
        databases={name: postgres.dsn(name, role=name) for name in DATABASES},
        nats_url=nats.url,
        redis_url=redis.url,
        stripe=stripe,
        admin_database_url=postgres.dsn(),
    )
