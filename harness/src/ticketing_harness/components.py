"""The application processes of the system and the servers each one needs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Server(StrEnum):
    """A backing server a service may need."""

    POSTGRES = "postgres"
    NATS = "nats"
    REDIS = "redis"
    STRIPE = "stripe"


@dataclass(frozen=True)
class Service:
    """One application process: its Python module and the servers it connects to."""

    name: str
    needs: frozenset[Server]

    @property
    def module(self) -> str:
        return self.name

    @property
    def database(self) -> str | None:
        """The name of its own database, if it has one."""
        return self.name if Server.POSTGRES in self.needs else None


SERVICES: tuple[Service, ...] = (
    Service("auth", frozenset({Server.POSTGRES, Server.NATS})),
    Service("tickets", frozenset({Server.POSTGRES, Server.NATS})),
    Service("orders", frozenset({Server.POSTGRES, Server.NATS})),
    Service("expiration", frozenset({Server.NATS, Server.REDIS})),
    Service("payments", frozenset({Server.POSTGRES, Server.NATS, Server.STRIPE})),
    Service("client", frozenset()),
)

SERVICE_NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)

DATABASES: tuple[str, ...] = tuple(s.database for s in SERVICES if s.database is not None)
