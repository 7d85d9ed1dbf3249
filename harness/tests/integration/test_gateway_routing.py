"""A real nginx, configured from the route table, in front of tiny real HTTP backends."""

from __future__ import annotations

import contextlib
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ticketing_common.wire import TRACE_ID_PATTERN
from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.local.supervisor.gateway import (
    GatewayConfig,
    Tls,
    start_gateway,
    write_config,
)
from ticketing_harness.ports import free_port
from ticketing_harness.routes import routed_services, service_for
from ticketing_harness.servers.lifecycle import ProcessRecord, stop
from ticketing_harness.testing.stub_server import Answer, stub_server
from ticketing_harness.waiting import wait_until


def _answering_its_name(name: str) -> Answer:
    """A backend that answers its name, the path, the scheme and the request id it got."""

    def answer(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        text = f"{name} {path} {headers['X-Forwarded-Proto']} {headers.get('X-Request-Id')}"
        return 200, "text/plain", text.encode()

    return answer


def _seen(response: httpx.Response) -> str:
    """What the backend saw, but the request id."""
    return response.text.rsplit(" ", 1)[0]


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, list[int]]]:
    with contextlib.ExitStack() as servers:
        urls = {
            name: servers.enter_context(stub_server(_answering_its_name(name)))
            for name in routed_services()
        }
        yield {name: [int(url.rsplit(":", 1)[1])] for name, url in urls.items()}


def _run_gateway(config: GatewayConfig) -> ProcessRecord:
    write_config(config)
    record = start_gateway(config)

    def answers() -> bool:
        try:
            httpx.get(f"{config.internal_url}/", timeout=1)
        except httpx.TransportError:
            return False
        return True

    assert wait_until(answers, timeout=10), (config.log_dir / "gateway.log").read_text()
    return record


@pytest.fixture(scope="module")
def plain_gateway(
    backends: dict[str, list[int]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayConfig]:
    state = tmp_path_factory.mktemp("gateway")
    config = GatewayConfig(free_port(), backends, state / "gateway", state / "logs")
    record = _run_gateway(config)
    yield config
    stop(record)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tickets/abc",
        "/api/users",
        "/api/users/currentuser",
        "/api/usersx",
        "/api/tickets",
        "/api/tickets/1?x=2",
        "/api/orders/9",
        "/api/payments",
        "/api/other",
    ],
)
def test_the_gateway_sends_each_path_where_the_route_table_says(
    plain_gateway: GatewayConfig, path: str
) -> None:
    response = httpx.get(f"{plain_gateway.url}{path}")
    assert response.status_code == 200
    assert _seen(response) == f"{service_for(path.split('?')[0])} {path} http"


def test_the_gateway_serves_https_with_the_local_certificate(
    backends: dict[str, list[int]], tmp_path: Path
) -> None:
    files, _ = ensure_certificates(tmp_path / "certs")
    config = GatewayConfig(
        free_port(),
        backends,
        tmp_path / "gateway",
        tmp_path / "logs",
        tls=Tls(files.certificate, files.key),
        internal_port=free_port(),
    )
    record = _run_gateway(config)
    try:
        trust = ssl.create_default_context(cafile=str(files.ca_certificate))
        response = httpx.get(f"{config.url}/api/tickets", verify=trust)
        internal = httpx.get(f"{config.internal_url}/api/tickets")
    finally:
        stop(record)
    assert config.url.startswith("https://")
    assert _seen(response) == "tickets /api/tickets https"
    assert _seen(internal) == "tickets /api/tickets http"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(None, False), ("client-0123456789", True), ("bad id", False), ("x" * 129, False)],
)
def test_the_gateway_stamps_a_request_id_keeping_a_well_formed_one(
    plain_gateway: GatewayConfig, sent: str | None, kept: bool
) -> None:
    headers = {"X-Request-Id": sent} if sent else {}
    response = httpx.get(f"{plain_gateway.url}/api/orders", headers=headers)
    passed_on = response.text.rsplit(" ", 1)[1]
    assert response.headers.get_list("x-request-id") == [passed_on]
    assert (passed_on == sent) is kept
    assert re.match(TRACE_ID_PATTERN, passed_on)
    access_log = plain_gateway.log_dir / "gateway.access.log"
    # nginx writes the line once the answer has gone out, which may be after the client has it.
    logged = wait_until(lambda: f"request_id={passed_on} " in access_log.read_text(), timeout=5)
    assert logged, access_log.read_text()


def test_the_gateway_balances_a_service_over_its_replicas(
    backends: dict[str, list[int]], tmp_path: Path
) -> None:
    with contextlib.ExitStack() as servers:
        replicas = [
            servers.enter_context(stub_server(_answering_its_name(f"orders#{n}"))) for n in (1, 2)
        ]
        ports = [int(url.rsplit(":", 1)[1]) for url in replicas]
        config = GatewayConfig(
            free_port(), {**backends, "orders": ports}, tmp_path / "gateway", tmp_path / "logs"
        )
        record = _run_gateway(config)
        try:
            answered = {httpx.get(f"{config.url}/api/orders").text.split(" ")[0] for _ in range(6)}
        finally:
            stop(record)
    assert answered == {"orders#1", "orders#2"}
