"""The nginx config generated from the route table."""

from __future__ import annotations

import json
import os
import re
import resource
from pathlib import Path

import pytest

from ticketing_harness.local.supervisor.gateway import (
    GatewayConfig,
    GatewayLimits,
    Tls,
    at_least_pattern,
    connections_for,
    gateway_errors,
    open_file_limit,
    render_nginx_config,
)
from ticketing_harness.routes import ROUTES, Route

PORTS = {"auth": [7001], "tickets": [7002], "orders": [7003], "payments": [7004], "client": [7005]}


def _config(tmp_path: Path, **overrides: object) -> GatewayConfig:
    settings: dict[str, object] = {
        "port": 8080,
        "upstreams": PORTS,
        "prefix": tmp_path / "gateway",
        "log_dir": tmp_path / "logs",
        **overrides,
    }
    return GatewayConfig(**settings)  # type: ignore[arg-type]


def _locations(config_text: str) -> dict[str, str]:
    found = re.findall(r"location (= )?(\S+) \{\s*proxy_pass http://(\w+);", config_text)
    return {("=" if exact else "") + path: upstream for exact, path, upstream in found}


def test_every_route_becomes_an_exact_and_a_subtree_location(tmp_path: Path) -> None:
    locations = _locations(render_nginx_config(_config(tmp_path)))
    assert locations == {
        "=/api/users": "auth",
        "/api/users/": "auth",
        "=/api/tickets": "tickets",
        "/api/tickets/": "tickets",
        "=/api/orders": "orders",
        "/api/orders/": "orders",
        "=/api/payments": "payments",
        "/api/payments/": "payments",
        "/": "client",
    }


def _upstreams(text: str) -> dict[str, list[int]]:
    blocks = re.findall(r"upstream (\w+) \{([^}]*)\}", text)
    return {
        name: [int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+);", body)]
        for name, body in blocks
    }


def test_each_upstream_points_at_its_service_port(tmp_path: Path) -> None:
    assert _upstreams(render_nginx_config(_config(tmp_path))) == PORTS


def test_an_upstream_balances_over_every_replica_of_its_service(tmp_path: Path) -> None:
    replicated = {**PORTS, "orders": [7003, 7013, 7023]}
    text = render_nginx_config(_config(tmp_path, upstreams=replicated))
    assert _upstreams(text) == replicated


def test_plain_config_listens_on_the_port_without_tls(tmp_path: Path) -> None:
    text = render_nginx_config(_config(tmp_path))
    assert re.findall(r"listen ([^;]+);", text) == ["127.0.0.1:8080 backlog=4096"]
    assert "ssl_certificate" not in text


def test_tls_config_serves_https_publicly_and_plain_http_internally(tmp_path: Path) -> None:
    tls = Tls(tmp_path / "cert.pem", tmp_path / "key.pem")
    text = render_nginx_config(_config(tmp_path, tls=tls, internal_port=9090))
    assert re.findall(r"listen ([^;]+);", text) == [
        "127.0.0.1:8080 ssl backlog=4096",
        "127.0.0.1:9090 backlog=4096",
    ]
    assert f'ssl_certificate "{tls.certificate}";' in text
    assert f'ssl_certificate_key "{tls.key}";' in text


def test_a_routed_service_without_a_port_is_refused(tmp_path: Path) -> None:
    routes = (*ROUTES[:-1], Route("/api/extra", "extra"), ROUTES[-1])
    with pytest.raises(ValueError, match="extra"):
        render_nginx_config(_config(tmp_path), routes)


def test_all_state_paths_are_quoted_and_stay_under_the_state_dir(tmp_path: Path) -> None:
    state = tmp_path / "my state"
    text = render_nginx_config(_config(state))
    paths = re.findall(r'(?:pid|_path|_log) "([^"]+)"', text)
    assert len(paths) == 8
    assert all(path.startswith(str(state)) for path in paths)


def test_limits_and_timeouts_are_written_from_their_named_values(tmp_path: Path) -> None:
    limits = GatewayLimits(
        worker_connections=2048,
        connections_per_client=7,
        header_timeout_seconds=3,
        upstream_read_timeout_seconds=42,
        max_body_kib=64,
    )
    text = render_nginx_config(_config(tmp_path, limits=limits))
    assert "worker_connections 2048;" in text
    assert f"worker_rlimit_nofile {open_file_limit(2048)};" in text
    assert "limit_conn per_client 7;" in text
    assert "client_header_timeout 3s;" in text
    assert "proxy_read_timeout 42s;" in text
    assert text.count("keepalive_timeout 4s;") == len(PORTS)
    assert "client_max_body_size 64k;" in text
    assert "server_tokens off;" in text


def test_capacity_settings_are_written_from_their_named_values(tmp_path: Path) -> None:
    limits = GatewayLimits(
        busy_above_connections=250, listen_backlog=512, upstream_keepalive_connections=16
    )
    text = render_nginx_config(_config(tmp_path, limits=limits))
    assert f'"~{at_least_pattern(251)}" 1;' in text
    assert text.count("backlog=512;") == 1
    assert text.count("keepalive 16;") == len(PORTS)


@pytest.mark.parametrize("number", [1, 9, 10, 99, 250, 5001, 6000, 10000])
def test_the_capacity_pattern_matches_exactly_the_numbers_from_its_own(number: int) -> None:
    pattern = re.compile(at_least_pattern(number))
    matched = [n for n in range(3 * number + 20) if pattern.match(str(n))]
    assert matched == list(range(number, 3 * number + 20))


def test_worker_connections_stay_within_the_descriptors_nginx_can_have() -> None:
    files = open_file_limit(8192)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if os.geteuid() != 0 and hard != resource.RLIM_INFINITY:
        assert files <= hard
    assert 2 * connections_for(files) <= files


def test_every_error_nginx_makes_has_a_json_body_for_the_api(tmp_path: Path) -> None:
    text = render_nginx_config(_config(tmp_path))
    for status, error in gateway_errors(GatewayLimits()).items():
        assert f"error_page {status} ={error.status} @error_{status};" in text
        location = rf"location @error_{status} \{{.*?return {error.status} '([^']*)';"
        body = re.search(location, text, re.S)
        assert body is not None
        assert json.loads(body.group(1)) == {"errors": [{"message": error.message}]}


def test_only_the_internal_port_takes_the_visitor_address_from_its_caller(tmp_path: Path) -> None:
    text = render_nginx_config(_config(tmp_path, internal_port=9090))
    public, internal = text.split("    server {")[1:]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in public
    assert "limit_conn per_client" in public
    assert "proxy_set_header X-Forwarded-For $visitor;" in internal
    assert "limit_conn" not in internal
