"""`ticketing cluster create` against stub tools and a fake API: order, retries, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube.codecs import from_dict

from ticketing_harness.clusters.manifests import render
from ticketing_harness.clusters.spec import ClusterSpec, Ingress, Provider
from ticketing_harness.clusters.steps import run_steps
from ticketing_harness.clusters.workflows import create_steps
from ticketing_harness.errors import HarnessError

from .conftest import Stubs
from .fake_kube import FakeCluster


class Quiet:
    """A reporter that keeps each step's result line."""

    def __init__(self) -> None:
        self.results: dict[str, str] = {}

    def started(self, number: int, total: int, step: Any) -> None:
        pass

    def finished(self, step: Any, detail: str, seconds: float) -> None:
        self.results[step.key] = detail

    def failed(self, step: Any, error: HarnessError) -> None:
        pass


def perform(session: Any, steps: list[Any]) -> dict[str, str]:
    """Run the steps; each step's result line by its key."""
    reporter = Quiet()
    try:
        run_steps(steps, reporter)
    finally:
        session.close()
    return reporter.results


def create(session: Any) -> dict[str, str]:
    return perform(session, create_steps(session))


def index_of(commands: list[str], text: str) -> int:
    return next(i for i, command in enumerate(commands) if text in command)


def test_kind_create_runs_every_step_in_order_and_applies_what_it_rendered(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.webhook_refusals = 3  # the admission webhook is not serving yet
    session = make_session(ClusterSpec(Provider.KIND))
    results = create(session)

    commands = stubs.commands()
    order = [
        "docker info",
        "kind create cluster --name ticketing",
        "provider/kind/deploy.yaml",
        "docker build",
        "kind load docker-image",
    ]
    positions = [index_of(commands, text) for text in order]
    assert positions == sorted(positions), commands
    create_call = commands[positions[1]]
    assert f"--kubeconfig {session.files.kubeconfig}" in create_call
    assert "clusters/overlays/kind/kind-cluster.yaml" in create_call
    assert sum("docker build" in c for c in commands) == 7  # six services and localstripe
    # The webhook refused three dry-runs of our Ingress; the fourth passed, then we deployed.
    ingress_dry_runs = [r for r in cluster.dry_runs() if r.body and r.body["kind"] == "Ingress"]
    assert len(ingress_dry_runs) == 4
    assert "attempt 4" in results["ingress"]
    rendered = render(session.files.release, session.runner)
    applied = {(m["kind"], m["metadata"]["name"]): m for m in cluster.applied()}
    for manifest in rendered:
        key = (manifest["kind"], manifest["metadata"]["name"])
        # What lightkube sends: the manifest as its model reads it (kinds of embedded objects).
        assert applied[key] == from_dict(manifest).to_dict(), key  # type: ignore[no-untyped-call]
    images = [
        container["image"]
        for m in rendered
        if m["kind"] == "Deployment"
        for container in m["spec"]["template"]["spec"]["containers"]
    ]
    assert f"ticketing/orders:{session.images.tag}" in images
    assert not any(image.endswith(":latest") or ":" not in image for image in images)
    secrets = {m["metadata"]["name"] for m in cluster.applied() if m["kind"] == "Secret"}
    assert secrets == {
        "ticketing-jwt",
        "ticketing-csrf",
        "ticketing-postgres",
        "ticketing-nats",
        "ticketing-redis",
        "ticketing-stripe",
        "ticketing-tls",
    }
    assert oct(session.files.secrets.stat().st_mode & 0o777) == "0o600"
    assert "127.0.0.1 ticketing.dev" in session.hosts_file.read_text()
    assert results["status"].startswith("https://ticketing.dev")


def test_create_again_reuses_the_cluster_the_images_and_the_secrets(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    first = make_session(ClusterSpec(Provider.KIND))
    create(first)
    jwt_first = _last_secret(cluster, "ticketing-jwt")
    calls_before = len(stubs.commands())
    results = create(make_session(ClusterSpec(Provider.KIND)))

    second = stubs.commands()[calls_before:]
    assert not any("kind create cluster" in c for c in second)
    assert not any("docker build" in c for c in second)
    assert not any(" apply " in c for c in second)  # the controller is still installed
    assert results["ingress"].endswith("skipped")
    assert results["cluster"].startswith("reusing cluster ticketing")
    assert "all already built" in results["images"]
    assert _last_secret(cluster, "ticketing-jwt") == jwt_first

    # The state directory is lost: the marker written into the cluster still says it is ours.
    first.files.record.unlink()
    first.files.kubeconfig.unlink()
    results = create(make_session(ClusterSpec(Provider.KIND)))
    assert results["cluster"].startswith("reusing cluster ticketing")
    assert any("kind export kubeconfig" in c for c in stubs.commands())


def _last_secret(cluster: FakeCluster, name: str) -> Any:
    return [m for m in cluster.applied() if m["metadata"]["name"] == name][-1]["data"]


def test_webhook_that_never_answers_fails_with_its_message(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.webhook_refusals = 10_000
    session = make_session(ClusterSpec(Provider.KIND), timeout=1.0)

    with pytest.raises(
        HarnessError, match=r"does not accept our routing yet.*failed calling webhook"
    ):
        create(session)
    assert not any(
        m["kind"] == "Deployment" and m["metadata"]["namespace"] == "ticketing"
        for m in cluster.applied()
    )


def test_a_cluster_of_that_name_made_by_someone_else_is_refused(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    stubs.set(clusters=["ticketing"])

    with pytest.raises(HarnessError, match="already exists and was not created by ticketing"):
        create(make_session(ClusterSpec(Provider.KIND)))
    assert not any("kind create cluster" in c for c in stubs.commands())
    assert cluster.applied() == []


def test_a_taken_port_stops_kind_before_anything_is_created(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        session = make_session(ClusterSpec(Provider.KIND), kind_ports=(port,))
        with pytest.raises(HarnessError, match=f"port {port} on 127.0.0.1 is taken"):
            create(session)
    assert not any("kind create" in c for c in stubs.commands())


def test_docker_not_running_is_said_before_anything_is_created(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    stubs.set(docker_down=True)

    with pytest.raises(HarnessError, match="Docker does not answer: start Docker"):
        create(make_session(ClusterSpec(Provider.KIND)))
    assert not any("kind create" in c for c in stubs.commands())


def test_a_tool_too_old_is_named_with_the_version_needed(
    stubs: Stubs, cluster: FakeCluster, make_session: Any, tmp_path: Any
) -> None:
    old = stubs.directory / "kind"
    old.write_text("#!/bin/sh\necho 'kind v0.20.0 go1.20 linux/amd64'\n")

    with pytest.raises(HarnessError, match=r"kind 0\.20\.0 is too old: .* needs 0\.32\.0 or newer"):
        create(make_session(ClusterSpec(Provider.KIND)))


def test_gateway_on_kind_installs_the_gateway_api_and_binds_the_ports(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    session = make_session(ClusterSpec(Provider.KIND, ingress=Ingress.GATEWAY))
    create(session)

    commands = stubs.commands()
    urls = [c.rsplit(" ", 1)[1] for c in commands if " apply " in c]
    assert urls[0].endswith("v1.5.1/standard-install.yaml")
    assert urls[1].endswith("v2.6.7/deploy/crds.yaml")
    assert urls[2].endswith("v2.6.7/deploy/default/deploy.yaml")
    proxy = next(m for m in cluster.applied() if m["kind"] == "NginxProxy")
    host_ports = proxy["spec"]["kubernetes"]["deployment"]["container"]["hostPorts"]
    assert {p["port"] for p in host_ports} == {80, 443}
    kinds = {m["kind"] for m in cluster.applied(namespace="ticketing")}
    assert {"Gateway", "HTTPRoute"} <= kinds
    assert "Ingress" not in kinds
