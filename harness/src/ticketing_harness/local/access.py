"""How to reach a stack's databases, bus and Stripe emulator from outside its services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ticketing_harness.components import DATABASES
from ticketing_harness.local.connections import stack_connections
from ticketing_harness.local.layout import Layout


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


def local_access(layout: Layout) -> StackAccess:
    """What the stack running from `layout` lets a tool reach: databases, NATS, localstripe."""
    details = stack_connections(layout)
    stripe = None
    if details.stripe_api_base is not None and details.stripe_api_key is not None:
        stripe = StripeAccess(details.stripe_api_base, details.stripe_api_key)
    return StackAccess(
        databases={name: details.database_url(name) for name in DATABASES},
        nats_url=details.nats_url,
        stripe=stripe,
    )
