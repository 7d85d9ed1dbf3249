"""Names the manifests, the secrets and the CLI agree on: namespace, Secrets, images, labels."""

from __future__ import annotations

from ticketing_harness.components import SERVICES, Server, Service

NAMESPACE = "ticketing"
PART_OF = "ticketing"
HOSTNAME = "ticketing.dev"
SERVICE_PORT = 3000
IMAGE_PREFIX = "ticketing"
LOCALSTRIPE = "localstripe"
GATEWAY = "ticketing"
GATEWAY_CLASS = "nginx"

# Server-side apply field managers: our manifests; an upstream controller release as it is
# published; our settings over that release. Separate managers, so that applying our settings
# does not prune the release's fields, nor the release ours.
FIELD_MANAGER = "ticketing"
RELEASE_FIELD_MANAGER = "ticketing-release"
SETTINGS_FIELD_MANAGER = "ticketing-settings"

# The manifests in clusters/ name our images on a registry that cannot exist (.invalid is
# reserved): `ticketing cluster` points them at the cluster's registry and commit tag, so a
# bare `kubectl apply -k` fails at once instead of pulling `ticketing/...:latest` from Docker Hub.
PLACEHOLDER_REGISTRY = "ticketing.invalid"
PLACEHOLDER_TAG = "set-by-ticketing-cluster"

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


def labels(name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
    }


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


def placeholder_image(component: str) -> str:
    """The image name of a component in clusters/, before a registry is chosen."""
    return f"{PLACEHOLDER_REGISTRY}/{component}"


def image_name(component: str) -> str:
    """The image reference the manifests in clusters/ carry: placeholder name and tag."""
    return f"{placeholder_image(component)}:{PLACEHOLDER_TAG}"


def database_url_key(service: Service) -> str:
    """The key of the service's DATABASE_URL in the PostgreSQL Secret."""
    return f"{service.name}-database-url"


def database_password_key(database: str) -> str:
    """The key of a service's database password, read by the PostgreSQL init script."""
    return f"{database.upper()}_DB_PASSWORD"


def built_images(localstripe: bool) -> tuple[str, ...]:
    """Every component whose image `ticketing cluster` builds."""
    return (*(service.name for service in SERVICES), *((LOCALSTRIPE,) if localstripe else ()))
