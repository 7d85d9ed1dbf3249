"""`ticketing doctor`: check this machine can run the stack, and say how to fix what is missing.

The dev-cluster checks and known traps are notes (`doctor.cluster`): `up` needs none.
"""

from __future__ import annotations

from ticketing_harness import hosts_file
from ticketing_harness.binaries import find_binary, install_hint, nginx_binary
from ticketing_harness.certificates import CertificateFiles
from ticketing_harness.doctor.cluster import cluster_checks
from ticketing_harness.doctor.findings import Check, checked
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout, ensure_reachable
from ticketing_harness.ports import ensure_free
from ticketing_harness.servers import NatsServer, PostgresServer, RedisServer, StripeServer


def run_checks(layout: Layout, port: int) -> list[Check]:
    """Every check, required ones first."""
    scratch = layout.root / "doctor"
    return [
        checked("nginx", True, lambda: str(nginx_binary())),
        *[
            _server_check(server)
            for server in (
                PostgresServer(scratch),
                NatsServer(scratch),
                RedisServer(scratch),
                StripeServer(scratch),
            )
        ],
        checked("state directory", True, lambda: str(ensure_reachable(layout.root))),
        checked(f"port {port}", True, lambda: _port_free(port)),
        checked("chromium (browser tests)", False, _chromium),
        checked("ticketing.dev in /etc/hosts", False, _hosts_entry),
        checked("certificates (up --tls)", False, lambda: _certificates(layout)),
        *cluster_checks(layout),
    ]


def _server_check(server: PostgresServer | NatsServer | RedisServer | StripeServer) -> Check:
    binary = server.default_binary()
    if binary is None:
        return Check(server.name, True, False, f"not installed: {server.install_hint}")
    return Check(server.name, True, True, str(binary))


def _port_free(port: int) -> str:
    ensure_free(port, "gateway")
    return "free"


def _chromium() -> str:
    found = find_binary("chromium") or find_binary("chromium-browser")
    if found is None:
        raise HarnessError(f"not installed: {install_hint('chromium')}")
    return str(found)


def _hosts_entry() -> str:
    ip = hosts_file.status()
    if ip is None:
        raise HarnessError(
            "missing: run `sudo ticketing hosts add` to browse https://ticketing.dev"
        )
    return ip


def _certificates(layout: Layout) -> str:
    files = CertificateFiles(layout.certs_dir)
    if not files.certificate.exists():
        raise HarnessError("none yet: `ticketing certs` creates them")
    return str(files.certificate)
