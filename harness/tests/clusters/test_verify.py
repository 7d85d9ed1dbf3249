"""`ticketing cluster verify`, against the fake API and the local stack's URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ticketing_harness.cli.cluster_verification import verification
from ticketing_harness.clusters.spec import ClusterSpec, Provider
from ticketing_harness.components import Server
from ticketing_harness.local.layout import Layout
from ticketing_harness.routes import ROUTES
from ticketing_harness.testing.stacks import RunningStack, run_ticketing
from ticketing_harness.testing.stub_server import stub_server

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create

KIND = ClusterSpec(Provider.KIND)
CHECKS = ["workloads", *(f"route {route.prefix}" for route in ROUTES), "purchase", "events"]


def _nats_monitor(stack: RunningStack) -> str:
    config = json.loads((Layout(stack.state_dir).server_dir(Server.NATS) / "nats.conf").read_text())
    return f"http://{config['http']}"


@pytest.mark.xdist_group("stack")
@pytest.mark.timeout(300)
def test_verify_passes_on_a_working_system(
    stubs: Stubs, cluster: FakeCluster, make_session: Any, stack: RunningStack
) -> None:
    create(make_session(KIND))
    cluster.service_proxies[("ticketing", "nats:monitor")] = _nats_monitor(stack)
    session = make_session(KIND, timeout=120.0)

    try:
        checks = verification(session, stack.url)
    finally:
        session.close()

    assert [check.name for check in checks] == CHECKS
    assert [c for c in checks if not c.ok] == []
    details = {check.name: check.detail for check in checks}
    assert "order complete" in details["purchase"]
    assert details["route /api/orders"].startswith("orders answered")
    assert "consumers caught up" in details["events"]


def _ingress_without_backends(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """What a controller answers for a route it has no backend for."""
    return 404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>"


def _consumers_behind(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    consumer = {"name": "orders-ticket-created", "num_pending": 3, "num_ack_pending": 1}
    stream = {"name": "EVENTS", "consumer_detail": [consumer]}
    body = {"account_details": [{"name": "$G", "stream_detail": [stream]}]}
    return 200, "application/json", json.dumps(body).encode()


def test_verify_fails_each_check_that_does_not_hold_and_exits_1(
    stubs: Stubs, cluster: FakeCluster, make_session: Any, tmp_path: Path
) -> None:
    create(make_session(KIND))
    with stub_server(_ingress_without_backends) as url, stub_server(_consumers_behind) as nats:
        cluster.service_proxies[("ticketing", "nats:monitor")] = nats
        result = run_ticketing(
            "cluster", "verify", "--url", url, "--timeout", "2",
            "--state-dir", str(tmp_path / "state"),
        )  # fmt: skip

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert _row(result.stdout, "workloads").split()[1] == "pass"
    for route in ROUTES:
        row = _row(result.stdout, f"route {route.prefix}")
        assert row.endswith(f"FAIL {route.service} did not answer: 404 text/html"), row
    assert "FAIL" in _row(result.stdout, "purchase")
    events = _row(result.stdout, "events")
    assert "FAIL" in events and "orders-ticket-created (3 pending, 1 unacknowledged)" in events
    assert f"{len(CHECKS) - 1} of {len(CHECKS)} checks failed" in result.stderr


def _row(table: str, name: str) -> str:
    """The table's row for a check, its cells separated by one space."""
    rows = [" ".join(line.split()) for line in table.splitlines()]
    return next(row for row in rows if row.startswith(name + " "))
