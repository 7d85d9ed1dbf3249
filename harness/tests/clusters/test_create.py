"""`ticketing cluster create` against stub tools and a fake API: order, retries, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube.codecs import from_dict

from ticketing_harness.clusters import local_registry
from ticketing_harness.clusters.manifests import render
from ticketing_harness.clusters.naming import FIELD_MANAGER
from ticketing_harness.clusters.pins import PINS
from ticketing_harness.clusters.spec import ClusterSpec, Ingress, Provider
from ticketing_harness.clusters.steps import run_steps
from ticketing_harness.clusters.workflows import create_steps
from ticketing_harness.errors import HarnessError
from ticketing_harness.ports import free_port

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
    cluster.behaviour.admission_reads = 2  # its Jobs have not patched the CA in yet
    session = make_session(ClusterSpec(Provider.KIND, ingress=Ingress.NGINX))
    results = create(session)

    commands = stubs.commands()
    order = [
        "docker info",
        f"docker run --detach --restart=always --publish 127.0.0.1:5001:5000 --network bridge"
        f" --name kind-registry {PINS['registry'].reference}",
        "kind create cluster --name ticketing",
        "docker exec --interactive ticketing-control-plane",
        "docker network connect kind kind-registry",
        "provider/kind/deploy.yaml",
        "docker build",
        "docker push localhost:5001/ticketing/",
    ]
    positions = [index_of(commands, text) for text in order]
    assert positions == sorted(positions), commands
    create_call = commands[positions[2]]
    assert f"--kubeconfig {session.files.kubeconfig}" in create_call
    assert "clusters/overlays/kind/kind-cluster.yaml" in create_call
    # ingress-nginx is tested on Kubernetes 1.31 to 1.35: its node image is 1.35.
    assert f"--image {PINS['kind-node-ingress-nginx'].reference}" in create_call
    assert sum("docker build" in c for c in commands) == 7  # six services and localstripe
    assert not any(c.startswith("kind load") for c in commands)
    mirrors = stubs.state_value("mirrors")
    assert mirrors == {"ticketing-control-plane": local_registry.MIRROR}
    hosting = cluster.get("configmaps", "kube-public", "local-registry-hosting")
    assert hosting is not None and "localhost:5001" in hosting["data"]["localRegistryHosting.v1"]
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
    assert {r.params.get("fieldManager") for r in cluster.requests if r.method == "PATCH"} == {
        FIELD_MANAGER
    }
    images = [
        container["image"]
        for m in rendered
        if m["kind"] == "Deployment"
        for container in m["spec"]["template"]["spec"]["containers"]
    ]
    assert f"localhost:5001/ticketing/orders:{session.images.tag}" in images
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


def test_kind_without_its_registry_loads_the_images_into_the_node(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    session = make_session(ClusterSpec(Provider.KIND, local_registry=False))
    results = create(session)

    commands = stubs.commands()
    assert not any("kind-registry" in c for c in commands)
    assert not any(c.startswith("docker push") for c in commands)
    assert any(
        c.startswith("kind load docker-image localhost:5001/ticketing/auth:") for c in commands
    )
    assert "loaded into kind cluster ticketing" in results["images"]


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
    session = make_session(ClusterSpec(Provider.KIND, ingress=Ingress.NGINX), timeout=1.0)

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
    session = make_session(ClusterSpec(Provider.KIND))  # the Gateway API is the default
    create(session)

    commands = stubs.commands()
    create_call = commands[index_of(commands, "kind create cluster")]
    assert f"--image {PINS['kind-node'].reference}" in create_call
    applies = [c.rsplit(" ", 1)[1] for c in commands if " apply " in c]
    assert applies[0].endswith("v1.5.1/standard-install.yaml")
    assert applies[1].endswith("v2.6.7/deploy/crds.yaml")
    assert applies[2].endswith("v2.6.7/deploy/default/deploy.yaml")
    proxy = next(m for m in cluster.applied() if m["kind"] == "NginxProxy")
    host_ports = proxy["spec"]["kubernetes"]["deployment"]["container"]["hostPorts"]
    assert {p["port"] for p in host_ports} == {80, 443}
    kinds = {m["kind"] for m in cluster.applied(namespace="ticketing")}
    assert {"Gateway", "HTTPRoute"} <= kinds
    assert "Ingress" not in kinds


def test_our_gateway_settings_and_the_release_have_field_managers_of_their_own(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    """Applied under one manager, our NginxProxy would prune the release's own fields."""
    create(make_session(ClusterSpec(Provider.KIND)))

    release = {
        arg
        for call in stubs.calls()
        if call["program"] == "kubectl" and "apply" in call["args"]
        for arg in call["args"]
        if arg.startswith("--field-manager=")
    }
    settings = {
        r.params.get("fieldManager")
        for r in cluster.requests
        if r.method == "PATCH" and r.body and r.body["kind"] == "NginxProxy"
    }
    ours = {
        r.params.get("fieldManager")
        for r in cluster.requests
        if r.method == "PATCH" and r.body and r.body["kind"] == "Deployment"
    }
    assert release == {"--field-manager=ticketing-release"}
    assert settings == {"ticketing-settings"}
    assert ours == {FIELD_MANAGER}


@pytest.mark.parametrize(
    ("engine", "state"), [("Docker", {"rootless": True}), ("Podman", {"podman": True})]
)
def test_a_rootless_engine_is_refused_before_kind_cannot_bind_the_ingress_ports(
    engine: str,
    state: dict[str, bool],
    stubs: Stubs,
    cluster: FakeCluster,
    make_session: Any,
    tmp_path: Any,
) -> None:
    stubs.set(**state)
    sysctl = tmp_path / "ip_unprivileged_port_start"
    sysctl.write_text("1024\n")
    session = make_session(
        ClusterSpec(Provider.KIND), kind_ports=(80, 443), unprivileged_port_start=sysctl
    )

    with pytest.raises(
        HarnessError,
        match=rf"rootless {engine} cannot bind ports 80 and 443.*ip_unprivileged_port_start=80",
    ):
        create(session)
    assert not any("kind create" in c for c in stubs.commands())


def test_a_rootless_engine_allowed_to_bind_the_ports_goes_ahead(
    stubs: Stubs, cluster: FakeCluster, make_session: Any, tmp_path: Any
) -> None:
    stubs.set(rootless=True)
    sysctl = tmp_path / "ip_unprivileged_port_start"
    sysctl.write_text("80\n")
    port = free_port()
    session = make_session(
        ClusterSpec(Provider.KIND), kind_ports=(port,), unprivileged_port_start=sysctl
    )

    results = create(session)

    assert "Docker engine 28.2.2 (rootless)" in results["preflight"]
