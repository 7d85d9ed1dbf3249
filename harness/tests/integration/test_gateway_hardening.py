"""The real nginx gateway under slow clients, floods and failing services, and what it answers."""

from __future__ import annotations

import contextlib
import resource
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.local.supervisor.gateway import (
    GatewayConfig,
    GatewayLimits,
    Tls,
    start_gateway,
    write_config,
)
from ticketing_harness.ports import free_port
from ticketing_harness.routes import routed_services
from ticketing_harness.servers.lifecycle import ProcessRecord, stop
from ticketing_harness.testing.stub_server import stub_server
from ticketing_harness.waiting import wait_until

# The attack that exhausted the old config's 1,024 worker connections.
SLOW_SOCKETS = 1100
PARTIAL_HEADERS = b"GET /api/tickets HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
TIGHT = GatewayLimits(
    connections_per_client=4,
    header_timeout_seconds=1,
    body_timeout_seconds=1,
    upstream_read_timeout_seconds=1,
    max_body_kib=8,
)


def _echo(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    if path.endswith("/slow"):
        time.sleep(3)
    forwarded = headers.get("X-Forwarded-For", "")
    return 200, "text/plain", f"{path} from {forwarded}".encode()


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, int]]:
    """A live stub for every routed service but payments, whose port answers nothing."""
    with contextlib.ExitStack() as servers:
        ports = {
            name: int(servers.enter_context(stub_server(_echo)).rsplit(":", 1)[1])
            for name in routed_services()
            if name != "payments"
        }
        yield {**ports, "payments": free_port()}


def _run(config: GatewayConfig) -> ProcessRecord:
    write_config(config)
    record = start_gateway(config)

    def answers() -> bool:
        try:
            httpx.get(f"{config.url}/", timeout=1, verify=False)
        except httpx.TransportError:
            return False
        return True

    assert wait_until(answers, timeout=10), (config.log_dir / "gateway.log").read_text()
    return record


@contextlib.contextmanager
def _gateway(backends: dict[str, int], state: Path, **options: object) -> Iterator[GatewayConfig]:
    config = GatewayConfig(
        free_port(),
        {service: [port] for service, port in backends.items()},
        state / "gateway",
        state / "logs",
        **options,  # type: ignore[arg-type]
    )
    record = _run(config)
    try:
        yield config
    finally:
        stop(record)


@pytest.fixture(scope="module")
def tight(
    backends: dict[str, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayConfig]:
    """A gateway with short timeouts and four requests per client address."""
    state = tmp_path_factory.mktemp("tight")
    with _gateway(backends, state, limits=TIGHT, internal_port=free_port()) as config:
        yield config


def _from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def _raw(url: str, request: bytes, address: str = "127.0.0.1") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.bind((address, 0))
    sock.connect((host, int(port)))
    sock.sendall(request)
    return sock


def _raw_answer(url: str, request: bytes) -> bytes:
    with _raw(url, request) as sock:
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _enough_descriptors(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def test_normal_requests_succeed_while_a_thousand_slow_sockets_hold_their_headers(
    backends: dict[str, int], tmp_path: Path
) -> None:
    _enough_descriptors(SLOW_SOCKETS)
    with _gateway(backends, tmp_path) as config, contextlib.ExitStack() as held:
        for _ in range(SLOW_SOCKETS):
            held.enter_context(_raw(config.url, PARTIAL_HEADERS))
        with httpx.Client(base_url=config.url, timeout=5) as client:
            statuses = [client.get(f"/api/tickets/{n}").status_code for n in range(20)]
    assert statuses == [200] * 20


def test_a_client_that_never_finishes_its_headers_is_cut_off(tight: GatewayConfig) -> None:
    with _raw(tight.url, PARTIAL_HEADERS) as sock:
        sock.settimeout(10)
        started = time.monotonic()
        # Closed by the gateway, not by the test's timeout; reset_timedout_connection may reset.
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(100) == b""
        assert time.monotonic() - started < 8


def test_one_address_holds_only_its_share_of_requests_in_progress(tight: GatewayConfig) -> None:
    slow_body = b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}"
    with contextlib.ExitStack() as held:
        for _ in range(TIGHT.connections_per_client):
            held.enter_context(_raw(tight.url, slow_body, "127.0.0.2"))
        with _from("127.0.0.2") as flooder, _from("127.0.0.3") as other:
            answers: list[httpx.Response] = []

            def refused_now() -> bool:
                # Served until nginx has read the held requests' headers, refused from then on.
                answers.append(flooder.get(f"{tight.url}/api/tickets"))
                return answers[-1].status_code == 429

            refusing = wait_until(refused_now, timeout=10)
            served = other.get(f"{tight.url}/api/tickets")
    assert refusing, f"never refused; last answer {answers[-1].status_code}"
    refused = answers[-1]
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["errors"] == [{"message": "Too many requests at once from this address"}]
    assert served.status_code == 200


def test_beyond_capacity_a_request_gets_a_quick_503_not_a_dropped_connection(
    backends: dict[str, int], tmp_path: Path
) -> None:
    limits = GatewayLimits(busy_above_connections=8)
    with _gateway(backends, tmp_path, limits=limits) as config, contextlib.ExitStack() as held:
        for n in range(limits.busy_above_connections):
            held.enter_context(_raw(config.url, PARTIAL_HEADERS, f"127.0.5.{n + 1}"))
        with _from("127.0.6.1") as client:
            refused = client.get(f"{config.url}/api/tickets")
        held.close()
        with _from("127.0.6.2") as client:
            served = client.get(f"{config.url}/api/tickets")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json() == {"errors": [{"message": "Too busy right now; try again in a moment"}]}
    assert served.status_code == 200


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (b"TRACE /api/tickets HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Method not allowed"),
        (b"GET /api/tickets HTTP/1.1\r\n\r\n", 400, "Bad request"),
        (
            b"GET /api/tickets HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
            400,
            "Request headers too large",
        ),
    ],
    ids=["trace", "no-host", "huge-header"],
)
def test_errors_nginx_makes_under_api_are_the_json_error_body(
    tight: GatewayConfig, request_bytes: bytes, status: int, message: str
) -> None:
    head, _, body = _raw_answer(tight.url, request_bytes).partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    assert headers["content-type"] == "application/json"
    assert headers["server"] == "nginx"
    assert httpx.Response(status, content=body).json() == {"errors": [{"message": message}]}
    if status == 405:
        assert "GET" in headers["allow"] and "POST" in headers["allow"]


def test_a_body_over_the_limit_gets_the_json_error_body(tight: GatewayConfig) -> None:
    answer = httpx.post(f"{tight.url}/api/tickets", content=b"x" * 20000)
    assert answer.status_code == 413
    assert answer.json() == {"errors": [{"message": "Request body too large (at most 8 KiB)"}]}


def test_a_service_that_is_down_or_too_slow_gets_the_json_error_body(tight: GatewayConfig) -> None:
    with httpx.Client(base_url=tight.url, timeout=10) as client:
        down = client.post("/api/payments", json={})
        slow = client.get("/api/orders/slow")
    assert (down.status_code, slow.status_code) == (502, 504)
    assert down.json() == {"errors": [{"message": "The service is unavailable right now"}]}
    assert slow.json() == {"errors": [{"message": "The service did not answer in time"}]}
    assert down.headers["retry-after"] == slow.headers["retry-after"] == "2"


def test_pages_keep_an_html_error_without_the_nginx_version(tight: GatewayConfig) -> None:
    answer = _raw_answer(tight.url, b"TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert b"text/html" in answer
    assert b"nginx/" not in answer


def test_pages_carry_security_headers_that_fit_the_client(tight: GatewayConfig) -> None:
    page = httpx.get(f"{tight.url}/tickets/1")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["server"] == "nginx"
    assert "strict-transport-security" not in page.headers


def test_https_answers_carry_hsts_except_for_localhost(
    backends: dict[str, int], tmp_path: Path
) -> None:
    files, _ = ensure_certificates(tmp_path / "certs")
    tls = Tls(files.certificate, files.key)
    trust = ssl.create_default_context(cafile=str(files.ca_certificate))
    with _gateway(backends, tmp_path, tls=tls, internal_port=free_port()) as config:
        by_address = httpx.get(f"{config.url}/", verify=trust)
        by_localhost = httpx.get(f"{config.url}/", verify=trust, headers={"Host": "localhost"})
        internal = httpx.get(f"{config.internal_url}/")
    assert by_address.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in by_localhost.headers
    assert "strict-transport-security" not in internal.headers


def test_the_public_port_forwards_the_callers_own_address_not_the_one_it_claims(
    tight: GatewayConfig,
) -> None:
    with _from("127.0.0.2") as client:
        answer = client.get(f"{tight.url}/api/tickets", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.text == "/api/tickets from 127.0.0.2"


def test_the_internal_port_passes_on_the_visitor_the_web_client_names(
    tight: GatewayConfig,
) -> None:
    named = httpx.get(f"{tight.internal_url}/api/tickets", headers={"X-Forwarded-For": "10.1.2.3"})
    unnamed = httpx.get(f"{tight.internal_url}/api/tickets")
    assert named.text == "/api/tickets from 10.1.2.3"
    assert unnamed.text == "/api/tickets from 127.0.0.1"
