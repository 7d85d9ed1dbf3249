"""How `ticketing up` configures its processes: options, checks, servers, gateway, environments."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.components import Server, Service
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.gateway import GatewayConfig, Tls, nginx_binary
from ticketing_harness.local.layout import Layout, ensure_reachable
from ticketing_harness.ports import ensure_free, free_port
from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerProcess,
    StripeServer,
)
from ticketing_harness.setup.certs import ensure_certificates

_DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
# Names the chaos fault plan; only a chaos run's own stack may pass it to the services.
FAULT_PLAN_VARIABLE = "TICKETING_FAULT_PLAN"


@dataclass(frozen=True)
class UpOptions:
    """What `ticketing up` was asked for."""

    layout: Layout
    port: int = 8080
    fresh: bool = False
    expiration_seconds: int = 900
    tls: bool = False
    stripe_secret_key: str | None = None
    timeout: float = 60.0
    fault_plan: Path | None = None
    broker_sync_always: bool = False


def preflight(options: UpOptions) -> None:
    """Fail before starting anything: missing programs, a busy port; then wipe data if fresh."""
    nginx_binary()
    for server in servers_for(options).values():
        if server.default_binary() is None:
            raise HarnessError(f"{server.name} is not installed: {server.install_hint}")
    ensure_reachable(options.layout.root)
    ensure_free(options.port, "gateway")
    if options.fresh:
        shutil.rmtree(options.layout.data_dir, ignore_errors=True)


def servers_for(options: UpOptions) -> dict[Server, ServerProcess]:
    layout = options.layout
    servers: dict[Server, ServerProcess] = {
        Server.POSTGRES: PostgresServer(
            layout.server_dir(Server.POSTGRES),
            detached=True,
            # `fast` skips initdb's flush to disk (seconds on a busy machine); the overrides
            # keep the running server fully durable, so data survives as it should.
            fast=True,
            settings=_DURABLE,
        ),
        Server.NATS: NatsServer(
            layout.server_dir(Server.NATS), detached=True, sync_always=options.broker_sync_always
        ),
        Server.REDIS: RedisServer(layout.server_dir(Server.REDIS), detached=True),
    }
    if options.stripe_secret_key is None:
        servers[Server.STRIPE] = StripeServer(layout.server_dir(Server.STRIPE), detached=True)
    return servers


def gateway_config(options: UpOptions, ports: Mapping[str, int]) -> GatewayConfig:
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
