"""The local gateway: an nginx config generated from the route table, and the nginx process."""

from __future__ import annotations

import grp
import json
import os
import pwd
import resource
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ticketing_common.http import LISTEN_BACKLOG
from ticketing_common.wire import TRACE_ID_PATTERN
from ticketing_harness.binaries import nginx_binary
from ticketing_harness.errors import HarnessError
from ticketing_harness.routes import ROUTES, Route, routed_services
from ticketing_harness.servers.lifecycle import ProcessRecord, spawn

SERVER_NAMES = ("ticketing.dev", "localhost", "127.0.0.1")
_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

# The web client's pages: their own styles and one script (the countdown), forms to themselves.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Methods the gateway passes to a service; a 405 nginx answers itself (TRACE) names them.
FORWARDED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# Descriptors nginx needs beyond two per connection: listeners, logs, upstream keepalives.
_SPARE_FILES = 128


@dataclass(frozen=True)
class GatewayLimits:
    """What one client may hold and how long the gateway waits for anyone, as named values.

    A client that sends its headers slowly holds a connection for `header_timeout_seconds`
    at most; there are `worker_connections` of them. Once its headers are read, a request
    counts against its address's `connections_per_client` until answered. With more than
    `busy_above_connections` clients connected, the gateway is over capacity: a request
    gets a quick 503 with Retry-After instead of a place at the back of a growing queue.
    """

    # A proxied request holds two connections: a herd of 5,000 buyers needs 10,000.
    worker_connections: int = 16384
    connections_per_client: int = 100
    busy_above_connections: int = 6000
    # Connections waiting to be accepted: a herd arrives at once (the kernel caps it at somaxconn).
    # The same queue as each service's, which the gateway's connections arrive at in turn.
    listen_backlog: int = LISTEN_BACKLOG
    # Idle connections to each service kept for the next request, so a busy gateway
    # does not open (and the service accept) a connection per request.
    upstream_keepalive_connections: int = 64
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 10
    send_timeout_seconds: int = 10
    keepalive_timeout_seconds: int = 15
    upstream_connect_timeout_seconds: int = 5
    # Below uvicorn's 5 s keep-alive: nginx must drop an idle connection before the service
    # does, or a request sent on it as the service closes it fails (a POST is not retried).
    upstream_keepalive_seconds: int = 4
    # Above a payment's longest Stripe call (payments.stripe_gateway.MAX_CALL_SECONDS).
    upstream_read_timeout_seconds: int = 90
    max_body_kib: int = 1024


@dataclass(frozen=True)
class GatewayError:
    """An error nginx answers itself: its status, and its JSON error body under /api/."""

    status: int
    message: str
    retry_after: int | None = None
    allow: str | None = None

    @property
    def body(self) -> str:
        return json.dumps({"errors": [{"message": self.message}]})


def gateway_errors(limits: GatewayLimits) -> dict[int, GatewayError]:
    """The errors nginx makes, by the status it knows them by (494: headers too large)."""
    return {
        400: GatewayError(400, "Bad request"),
        405: GatewayError(405, "Method not allowed", allow=FORWARDED_METHODS),
        408: GatewayError(408, "The request took too long to arrive"),
        413: GatewayError(413, f"Request body too large (at most {limits.max_body_kib} KiB)"),
        414: GatewayError(414, "Request URI too long"),
        429: GatewayError(429, "Too many requests at once from this address", retry_after=1),
        494: GatewayError(400, "Request headers too large"),
        500: GatewayError(500, "Something went wrong"),
        502: GatewayError(502, "The service is unavailable right now", retry_after=2),
        503: GatewayError(503, "The service is unavailable right now", retry_after=2),
        # Over capacity (busy_above_connections): nginx answers it before any service is asked.
        599: GatewayError(503, "Too busy right now; try again in a moment", retry_after=1),
        504: GatewayError(504, "The service did not answer in time", retry_after=2),
    }


@dataclass(frozen=True)
class Tls:
    """The certificate and key the gateway serves https with."""

    certificate: Path
    key: Path


@dataclass(frozen=True)
class Listener:
    """One port the gateway listens on; the internal one serves the web client's API calls."""

    port: int
    tls: bool
    internal: bool = False


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
    limits: GatewayLimits = field(default_factory=GatewayLimits)

    @property
    def listeners(self) -> tuple[Listener, ...]:
        """The public port, plus a plain-http one for server-side calls, if any."""
        public = Listener(self.port, tls=self.tls is not None)
        if self.internal_port is None:
            return (public,)
        return (public, Listener(self.internal_port, tls=False, internal=True))

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
    open_files = open_file_limit(config.limits.worker_connections)
    return template.render(
        worker_user=_worker_user(),
        open_files=open_files,
        worker_connections=min(config.limits.worker_connections, connections_for(open_files)),
        limits=config.limits,
        busy_pattern=at_least_pattern(config.limits.busy_above_connections + 1),
        errors=gateway_errors(config.limits),
        content_security_policy=CONTENT_SECURITY_POLICY,
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


def at_least_pattern(number: int) -> str:
    """A regex that matches the decimal numbers from `number` up (nginx maps match strings)."""
    digits = str(number)
    longer = f"[1-9][0-9]{{{len(digits)},}}"
    same_length = [
        f"{digits[:i]}[{int(digit) + 1}-9][0-9]{{{len(digits) - i - 1}}}"
        for i, digit in enumerate(digits)
        if digit != "9"
    ]
    return "^(" + "|".join([longer, *same_length, digits]) + ")$"


def open_file_limit(worker_connections: int) -> int:
    """Descriptors for `worker_connections` proxied connections, within what nginx may get.

    As root nginx raises its own limit; otherwise it cannot pass the hard limit it inherits.
    """
    wanted = 2 * worker_connections + _SPARE_FILES
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if os.geteuid() == 0 or hard == resource.RLIM_INFINITY:
        return wanted
    return min(wanted, hard)


def connections_for(open_files: int) -> int:
    """How many connections `open_files` descriptors carry (two for each proxied request)."""
    return max((open_files - _SPARE_FILES) // 2, 64)


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
        loader=jinja2.PackageLoader("ticketing_harness.local.supervisor", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
