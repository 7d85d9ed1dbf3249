"""`ticketing doctor`'s cluster checks: each known trap is found and comes with its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.clusters.tools import UNPRIVILEGED_PORT_START
from ticketing_harness.doctor.cluster import (
    cluster_checks,
    ingresses_without_class,
    latest_images,
)
from ticketing_harness.local.layout import Layout

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create


def _deployment(name: str, image: str, policy: str | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if policy:
        container["imagePullPolicy"] = policy
    return {"metadata": {"name": name}, "spec": {"template": {"spec": {"containers": [container]}}}}


def test_latest_and_untagged_images_are_found_unless_never_pulled() -> None:
    deployments = [
        _deployment("a", "ticketing/orders"),
        _deployment("b", "ticketing/orders:latest", "IfNotPresent"),
        _deployment("c", "ticketing/orders:3f2a1b"),
        _deployment("d", "localhost:5000/orders"),
        _deployment("e", "ticketing/orders", "Never"),
        _deployment("f", "nats@sha256:" + "0" * 64),
        _deployment("g", "ticketing.invalid/orders:set-by-ticketing-cluster"),
    ]

    assert latest_images(deployments) == [
        "a/a (ticketing/orders)",
        "b/b (ticketing/orders:latest)",
        "d/d (localhost:5000/orders)",
        "f/f (nats@sha256:" + "0" * 64 + ")",
        "g/g (ticketing.invalid/orders:set-by-ticketing-cluster)",
    ]


def test_ingresses_without_a_class_are_found() -> None:
    ingresses: list[dict[str, Any]] = [
        {"metadata": {"name": "old", "namespace": "x"}, "spec": {"rules": []}},
        {"metadata": {"name": "new", "namespace": "x"}, "spec": {"ingressClassName": "nginx"}},
    ]

    assert ingresses_without_class(ingresses) == ["x/old"]


def test_doctor_notes_the_traps_of_a_running_kind_cluster_with_fixes(
    stubs: Stubs, cluster: FakeCluster, make_session: Any, tmp_path: Path
) -> None:
    from ticketing_harness.clusters.spec import ClusterSpec, Provider

    session = make_session(ClusterSpec(Provider.KIND))
    create(session)
    cluster.store("apis/apps/v1", "deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "legacy", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "legacy"}},
            "template": {"metadata": {"labels": {"app": "legacy"}},
                         "spec": {"containers": [{"name": "web", "image": "legacy:latest"}]}},
        },
    })  # fmt: skip
    cluster.store("apis/networking.k8s.io/v1", "ingresses", {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "course", "namespace": "default"}, "spec": {"rules": []},
    })  # fmt: skip
    record = ClusterRecord.load(session.files.record)
    assert record is not None
    record.registry = "us.gcr.io/shop"
    layout = Layout(tmp_path / "state")
    record.save(layout.root / "clusters" / "ticketing" / "cluster.json")
    stubs.set(docker_down=True)

    checks = {check.name: check for check in cluster_checks(layout)}

    assert not any(check.required for check in checks.values())
    assert checks["kind (cluster)"].ok and checks["kind (cluster)"].detail == "0.32.0"
    assert "start Docker" in checks["Docker engine (kind)"].detail
    assert "Container Registry was shut down" in checks["image registry names"].detail
    assert "retired upstream" in checks["ingress-nginx"].detail
    tags = checks["cluster ticketing: image tags"]
    assert (
        not tags.ok
        and "default/web" not in tags.detail
        and "legacy/web (legacy:latest)" in tags.detail
    )
    classes = checks["cluster ticketing: Ingress classes"]
    assert not classes.ok and "default/course" in classes.detail
    assert "spec.ingressClassName: nginx" in classes.detail


def test_doctor_says_whether_a_rootless_engine_may_bind_the_ingress_ports(
    stubs: Stubs, tmp_path: Path
) -> None:
    stubs.set(rootless=True)

    checks = {check.name: check for check in cluster_checks(Layout(tmp_path / "state"))}

    check = checks["rootless engine (kind)"]
    sysctl = UNPRIVILEGED_PORT_START
    allowed = int(sysctl.read_text()) <= 80 if sysctl.exists() else False
    assert check.ok == allowed
    if not allowed:
        assert "rootless Docker cannot bind ports 80 and 443" in check.detail
        assert "net.ipv4.ip_unprivileged_port_start=80" in check.detail
