"""How `ticketing up` configures its processes: options, checks, servers, gateway, environments."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.components import SERVICES, Server, Service
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
    replicas: Mapping[str, int] = field(default_factory=dict)
    reload: bool = False
    fault_plan: Path | None = None
    broker_sync_always: bool = False

    def to_json(self) -> dict[str, Any]:
        """The options as JSON, for the supervisor process."""
        plan = os.fspath(self.fault_plan) if self.fault_plan else None
        return {**asdict(self), "layout": os.fspath(self.layout.root), "fault_plan": plan}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> UpOptions:
        plan = Path(raw["fault_plan"]) if raw.get("fault_plan") else None
        return cls(**{**raw, "layout": Layout(Path(raw["layout"])), "fault_plan": plan})


def preflight(options: UpOptions) -> None:
    """Fail before starting anything: missing programs, a busy port; then wipe data if fresh."""
    _require_services()
    nginx_binary()
    for server in servers_for(options).values():
        if server.default_binary() is None:
            raise HarnessError(f"{server.name} is not installed: {server.install_hint}")
    ensure_reachable(options.layout.root)
    _ensure_socket_fits(options.layout)
    ensure_free(options.port, "gateway")
    if options.fresh:
        shutil.rmtree(options.layout.data_dir, ignore_errors=True)


# The longest path a Unix socket may have (sun_path holds 108 bytes with the final zero).
_SOCKET_PATH_BYTES = 107


def _ensure_socket_fits(layout: Layout) -> None:
    """The supervisor listens on a Unix socket in the state directory, whose path is limited."""
    length = len(os.fsencode(layout.control_socket))
    if length > _SOCKET_PATH_BYTES:
        raise HarnessError(
            f"the state directory's path is too long for the stack's control socket ({length} "
            f"bytes, at most {_SOCKET_PATH_BYTES}); use a shorter --state-dir"
        )


def _require_services() -> None:
    """The services' packages are part of the environment (a plain `uv sync` once left them out)."""
    missing = [s.module for s in SERVICES if importlib.util.find_spec(s.module) is None]
    if missing:
        raise HarnessError(
            f"the services {', '.join(missing)} are not installed in this environment; "
            "run `uv sync --all-packages` (or `./dev up`, which does)"
        )


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


def gateway_config(options: UpOptions, ports: Mapping[str, Sequence[int]]) -> GatewayConfig:
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
