"""The local gateway: an nginx config generated from the route table, and the nginx process."""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ticketing_common.wire import TRACE_ID_PATTERN
from ticketing_harness.binaries import require_binary
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.processes import ProcessRecord, spawn
from ticketing_harness.routes import ROUTES, Route, routed_services

SERVER_NAMES = ("ticketing.dev", "localhost", "127.0.0.1")
_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
_NGINX_DIRS = ("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin", "/usr/local/bin")


@dataclass(frozen=True)
class Tls:
    """The certificate and key the gateway serves https with."""

    certificate: Path
    key: Path


@dataclass(frozen=True)
class Listener:
    """One port the gateway listens on."""

    port: int
    tls: bool


@dataclass(frozen=True)
class GatewayConfig:
    """Where the gateway listens and the local ports of each routed service's processes."""

    port: int
    upstreams: Mapping[str, Sequence[int]]
    prefix: Path
    log_dir: Path
    tls: Tls | None = None
    internal_port: int | None = None
    host: str = "127.0.0.1"

    @property
    def listeners(self) -> tuple[Listener, ...]:
        """The public port, plus a plain-http one for server-side calls when it serves https."""
        public = Listener(self.port, tls=self.tls is not None)
        if self.internal_port is None:
            return (public,)
        return (public, Listener(self.internal_port, tls=False))

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def internal_url(self) -> str:
        """The URL services on this machine use to reach the APIs."""
        if self.internal_port is None:
            return self.url
        return f"http://{self.host}:{self.internal_port}"

    @property
    def config_path(self) -> Path:
        return self.prefix / "nginx.conf"


def render_nginx_config(config: GatewayConfig, routes: tuple[Route, ...] = ROUTES) -> str:
    """The nginx.conf that routes exactly like `routes`, balancing over each service's ports."""
    missing = [name for name in routed_services(routes) if name not in config.upstreams]
    if missing:
        raise ValueError(f"no port for routed services: {', '.join(missing)}")
    template = _environment().get_template("nginx.conf.j2")
    return template.render(
        worker_user=_worker_user(),
        prefix=config.prefix,
        log_dir=config.log_dir,
        upstreams={name: config.upstreams[name] for name in routed_services(routes)},
        listeners=config.listeners,
        host=config.host,
        server_names=" ".join(SERVER_NAMES),
        tls=config.tls,
        routes=routes,
        request_id_pattern=TRACE_ID_PATTERN,
    )


def nginx_binary() -> Path:
    """The nginx executable, or a HarnessError saying how to install it."""
    return require_binary("nginx", "nginx", _NGINX_DIRS)


def write_config(config: GatewayConfig, routes: tuple[Route, ...] = ROUTES) -> Path:
    """Write the config and the directories nginx needs under its prefix; check the syntax."""
    for name in _TEMP_DIRS:
        (config.prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    config.log_dir.mkdir(parents=True, exist_ok=True)
    config.config_path.write_text(render_nginx_config(config, routes))
    check = subprocess.run(
        [*_nginx_argv(config), "-t", "-q"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise HarnessError(f"nginx rejected the gateway config: {check.stderr.strip()}")
    return config.config_path


def start_gateway(config: GatewayConfig) -> ProcessRecord:
    """Start nginx in the foreground of its own session with the written config."""
    return spawn(_nginx_argv(config), config.log_dir / "gateway.log")


def _nginx_argv(config: GatewayConfig) -> list[str]:
    error_log = config.log_dir / "gateway.log"
    return [
        str(nginx_binary()),
        "-p",
        str(config.prefix),
        "-e",
        str(error_log),
        "-c",
        str(config.config_path),
    ]


def _worker_user() -> str | None:
    """Run as root, nginx needs a user for its workers; use nobody with its own group."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ticketing_harness.local", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
