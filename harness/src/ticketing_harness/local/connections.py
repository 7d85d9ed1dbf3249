"""Connection details of a running local stack: where its servers listen, with their credentials.

The one place that turns a state directory into URLs a tool or a test can connect with:

    details = stack_connections(Layout(state_dir))
    bus = await Bus.connect(details.nats_url, name="my-tool")
    pool = await asyncpg.create_pool(details.database_url("orders"))

Ports come from the state file of the stack running there; credentials from the files
`ticketing up` generated beside each server's data (see `ticketing_harness.servers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketing_harness.components import DATABASES, Server
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import running_stack
from ticketing_harness.servers import NatsServer, PostgresServer, RedisServer, StripeServer


@dataclass(frozen=True)
class StackConnections:
    """How to reach each server of one running stack, credentials included."""

    gateway_url: str
    nats_url: str
    redis_url: str
    postgres: PostgresServer
    stripe_api_base: str | None
    """localstripe's address, or None when the stack charges a real Stripe account."""
    stripe_api_key: str | None
    """localstripe's key, or None when the stack charges a real Stripe account."""

    def database_url(self, service: str) -> str:
        """The DSN a service's own database is reached with, as the service's role."""
        if service not in DATABASES:
            raise HarnessError(f"{service} has no database; those that do: {', '.join(DATABASES)}")
        return self.postgres.dsn(service, role=service)

    @property
    def postgres_admin_url(self) -> str:
        """The DSN of the server's `postgres` database, as the superuser."""
        return self.postgres.dsn()


def stack_connections(layout: Layout) -> StackConnections:
    """The connection details of the stack running from `layout`'s state directory.

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
        stripe = StripeServer(
            layout.server_dir(Server.STRIPE), port=ports[Server.STRIPE], detached=True
        )
    return StackConnections(
        gateway_url=state.url,
        nats_url=nats.url,
        redis_url=redis.url,
        postgres=postgres,
        stripe_api_base=stripe.api_base if stripe else None,
        stripe_api_key=stripe.api_key if stripe else None,
    )
