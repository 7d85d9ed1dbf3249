"""Names the manifests, the secrets and the CLI agree on: namespace, Secrets, images, labels."""

from __future__ import annotations

from ticketing_harness.components import SERVICES, Server, Service

NAMESPACE = "ticketing"
PART_OF = "ticketing"
HOSTNAME = "ticketing.dev"
SERVICE_PORT = 3000
FIELD_MANAGER = "ticketing"
IMAGE_PREFIX = "ticketing"
LOCALSTRIPE = "localstripe"

JWT_SECRET = "ticketing-jwt"
CSRF_SECRET = "ticketing-csrf"
POSTGRES_SECRET = "ticketing-postgres"
NATS_SECRET = "ticketing-nats"
REDIS_SECRET = "ticketing-redis"
STRIPE_SECRET = "ticketing-stripe"
TLS_SECRET = "ticketing-tls"
CONFIG_MAP = "ticketing-config"

# Which Secret key holds the URL a service reads from each environment variable.
URL_KEYS: dict[Server, tuple[str, str]] = {
    Server.NATS: (NATS_SECRET, "url"),
    Server.REDIS: (REDIS_SECRET, "url"),
}


def image_name(component: str) -> str:
    """The image a component runs before a registry and tag are set: `ticketing/<name>`."""
    return f"{IMAGE_PREFIX}/{component}"


def database_url_key(service: Service) -> str:
    """The key of the service's DATABASE_URL in the PostgreSQL Secret."""
    return f"{service.name}-database-url"


def database_password_key(database: str) -> str:
    """The key of a service's database password, read by the PostgreSQL init script."""
    return f"{database.upper()}_DB_PASSWORD"


def built_images(localstripe: bool) -> tuple[str, ...]:
    """Every component whose image `ticketing cluster` builds."""
    return (*(service.name for service in SERVICES), *((LOCALSTRIPE,) if localstripe else ()))
