"""Wires the payments service: Stripe gateway, database, bus, outbox relay and consumers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from payments.config import Settings
from payments.listeners import listeners
from payments.stripe_gateway import StripeGateway
from ticketing_common.runtime import EventService, start_runtime

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Payments(EventService[Settings]):
    """The running payments service, with its Stripe account."""

    gateway: StripeGateway

    async def stop(self) -> None:
        await super().stop()
        await self.gateway.close()


async def bootstrap(settings: Settings) -> Payments:
    """Connect everything the service uses and start consuming."""
    gateway = StripeGateway(
        api_key=settings.stripe_secret_key.get_secret_value(), api_base=settings.stripe_api_base
    )
    try:
        runtime = await start_runtime(
            settings,
            service="payments",
            migrations=MIGRATIONS,
            listeners=lambda db: listeners(db, gateway),
        )
    except BaseException:
        await gateway.close()
        raise
    return Payments(settings, runtime, gateway)
