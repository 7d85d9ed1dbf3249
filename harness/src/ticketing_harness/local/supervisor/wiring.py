"""How the supervisor configures what it starts: the gateway's config, each service's
environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.components import Server, Service
from ticketing_harness.local.options import UpOptions
from ticketing_harness.local.supervisor.gateway import GatewayConfig, Tls
from ticketing_harness.ports import free_port
from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerProcess,
    StripeServer,
)

# Names the chaos fault plan; only a chaos run's own stack may pass it to the services.
FAULT_PLAN_VARIABLE = "TICKETING_FAULT_PLAN"


@dataclass(frozen=True)
class Instance:
    """One process of a service (`orders`, `orders#2`): its port, log and environment."""

    name: str
    service: Service
    port: int
    log: Path
    env: Mapping[str, str]

    @property
    def ready_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/readyz"


def instance(
    service: Service,
    name: str,
    port: int,
    options: UpOptions,
    servers: Mapping[Server, ServerProcess],
    api_base_url: str,
) -> Instance:
    """The process `name` of `service` on `port`, its environment complete."""
    env = {
        **service_env(service, options, servers, api_base_url),
        "PORT": str(port),
        "JWT_KEY": options.layout.jwt_key(),
    }
    return Instance(name, service, port, options.layout.log_path(name), env)


def gateway_config(options: UpOptions, ports: Mapping[str, Sequence[int]]) -> GatewayConfig:
    """nginx on `up`'s port, balancing each routed service over the ports of its processes."""
    layout = options.layout
    tls = None
    if options.tls:
        files, _ = ensure_certificates(layout.certs_dir)
        tls = Tls(files.certificate, files.key)
    return GatewayConfig(
        port=options.port,
        upstreams=ports,
        prefix=layout.gateway_dir,
        log_dir=layout.log_dir,
        tls=tls,
        internal_port=free_port(),
    )


def service_env(
    service: Service,
    options: UpOptions,
    servers: Mapping[Server, ServerProcess],
    api_base_url: str,
) -> dict[str, str]:
    """The environment a service is configured with, but for its port and the signing key."""
    env = {
        **{name: value for name, value in os.environ.items() if name != FAULT_PLAN_VARIABLE},
        "HOST": "127.0.0.1",
        "ENVIRONMENT": "dev",
        "PLAIN_HTTP": "false" if options.tls else "true",
        "API_BASE_URL": api_base_url,
        "EXPIRATION_WINDOW_SECONDS": str(options.expiration_seconds),
    }
    postgres = servers[Server.POSTGRES]
    if service.database is not None and isinstance(postgres, PostgresServer):
        env["DATABASE_URL"] = postgres.dsn(service.database, role=service.database)
    nats = servers[Server.NATS]
    if Server.NATS in service.needs and isinstance(nats, NatsServer):
        env["NATS_URL"] = nats.url
    redis = servers[Server.REDIS]
    if Server.REDIS in service.needs and isinstance(redis, RedisServer):
        env["REDIS_URL"] = redis.url
    if Server.STRIPE in service.needs:
        env.update(_stripe_env(options, servers.get(Server.STRIPE)))
    if service.name == "client":
        env["CSRF_KEY"] = options.layout.csrf_key()
    if options.fault_plan is not None:
        env[FAULT_PLAN_VARIABLE] = str(options.fault_plan)
    return env


def _stripe_env(options: UpOptions, server: ServerProcess | None) -> dict[str, str]:
    if isinstance(server, StripeServer):
        return {"STRIPE_SECRET_KEY": server.api_key, "STRIPE_API_BASE": server.api_base}
    assert options.stripe_secret_key is not None
    return {"STRIPE_SECRET_KEY": options.stripe_secret_key}
