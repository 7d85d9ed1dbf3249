"""Wires the payments service: Stripe gateway, database, bus, outbox relay and consumers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from payments.config import Settings
from payments.handlers import Deps
from payments.listeners import payment_listeners
from payments.stripe_gateway import StripeGateway
from ticketing_common.runtime import Runtime, start_runtime

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Service:
    """A running payments service."""

    runtime: Runtime
    deps: Deps

    async def stop(self) -> None:
        await self.runtime.stop()
        await self.deps.gateway.close()


async def bootstrap(settings: Settings) -> Service:
    """Connect everything the service uses and start consuming."""
    gateway = StripeGateway(
        api_key=settings.stripe_secret_key.get_secret_value(), api_base=settings.stripe_api_base
    )
    try:
        runtime = await start_runtime(
            service=settings.service_name,
            database_url=settings.database_url,
            nats_url=settings.nats_url,
            migrations=MIGRATIONS,
            listeners=lambda pool, bus: payment_listeners(Deps(pool, gateway)),
        )
    except BaseException:
        await gateway.close()
        raise
    return Service(runtime, Deps(runtime.pool, gateway))
