"""How to reach a stack's databases, bus and Stripe emulator from outside its services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ticketing_harness.components import DATABASES, Server
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import StackState
from ticketing_harness.servers import NatsServer, PostgresServer, StripeServer


@dataclass(frozen=True)
class StripeAccess:
    """A Stripe API (localstripe, or Stripe in test mode) and the key to read it with."""

    api_base: str
    api_key: str


@dataclass(frozen=True)
class StackAccess:
    """What a tool outside the services may reach: each service's database, the bus, Stripe."""

    databases: Mapping[str, str] = field(default_factory=dict)  # service name to DSN
    nats_url: str | None = None
    stripe: StripeAccess | None = None

    def merged(self, other: StackAccess) -> StackAccess:
        """This access, with whatever `other` gives replacing it."""
        return StackAccess(
            databases={**self.databases, **other.databases},
            nats_url=other.nats_url or self.nats_url,
            stripe=other.stripe or self.stripe,
        )


def local_access(layout: Layout, state: StackState) -> StackAccess:
    """How to connect to a running local stack's databases, NATS and localstripe.

    The one place that knows: the servers' ports come from the state file, the rest from
    the server classes that started them.
    """
    ports = {component.name: component.port for component in state.components}
    postgres = PostgresServer(layout.server_dir(Server.POSTGRES), port=ports[Server.POSTGRES])
    nats = NatsServer(layout.server_dir(Server.NATS), port=ports[Server.NATS])
    stripe = None
    if Server.STRIPE in ports:
        server = StripeServer(layout.server_dir(Server.STRIPE), port=ports[Server.STRIPE])
        stripe = StripeAccess(server.api_base, server.api_key)
    return StackAccess(
        databases={name: postgres.dsn(name) for name in DATABASES},
        nats_url=nats.url,
        stripe=stripe,
    )
