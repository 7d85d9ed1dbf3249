"""GKE and EKS against stub gcloud, eksctl, aws and docker, and a fake API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ticketing_harness.clusters.devloop import dev_steps
from ticketing_harness.clusters.spec import ClusterSpec, Ingress, Provider
from ticketing_harness.clusters.workflows import delete_steps
from ticketing_harness.errors import HarnessError

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create, index_of, perform

GKE = ClusterSpec(Provider.GKE, project="demo", region="europe-west1")
GKE_NGINX = ClusterSpec(Provider.GKE, project="demo", region="europe-west1", ingress=Ingress.NGINX)


def test_gke_waits_for_the_load_balancer_and_maps_ticketing_dev_to_it(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.load_balancer_reads = 3  # no address for the first reads
    session = make_session(GKE_NGINX)
    results = create(session)

    commands = stubs.commands()
    assert any(c.startswith("gcloud container clusters create-auto ticketing") for c in commands)
    assert "provider/cloud/deploy.yaml" in commands[index_of(commands, " apply ")]
    registry = "europe-west1-docker.pkg.dev/demo/ticketing"
    assert any(c == f"docker push {registry}/orders:{session.images.tag}" for c in commands)
    assert index_of(commands, "artifacts repositories create") < index_of(commands, "docker push")
    assert all("--platform linux/amd64" in c for c in commands if c.startswith("docker build"))
    binding = next(m for m in cluster.applied() if m["kind"] == "ClusterRoleBinding")
    assert binding["subjects"][0]["name"] == "developer@example.com"
    assert results["hosts"].startswith("ticketing.dev -> 203.0.113.7")
    assert "203.0.113.7 ticketing.dev" in session.hosts_file.read_text()


def test_gke_writes_credentials_only_into_the_clusters_own_kubeconfig(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    """gcloud writes (and switches to) credentials in $KUBECONFIG, else in ~/.kube/config."""
    session = make_session(GKE)
    create(session)
    deleting = make_session(GKE)
    perform(deleting, delete_steps(deleting))

    home = Path(stubs.calls()[0]["env"]["HOME"])
    assert not (home / ".kube").exists()
    clusters_calls = [c for c in stubs.calls() if c["args"][:2] == ["container", "clusters"]]
    assert {c["args"][2] for c in clusters_calls} >= {"create-auto", "get-credentials", "delete"}
    assert {c["env"].get("KUBECONFIG") for c in clusters_calls} == {str(session.files.kubeconfig)}


def test_gke_lets_the_nodes_service_account_pull_from_artifact_registry(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    create(make_session(GKE))

    commands = stubs.commands()
    grant = commands[index_of(commands, "add-iam-policy-binding")]
    assert grant.startswith("gcloud artifacts repositories add-iam-policy-binding ticketing")
    assert "--location europe-west1 --project demo" in grant
    # Autopilot says `default`: the nodes run as the Compute Engine default service account.
    assert "--member=serviceAccount:123456789-compute@developer.gserviceaccount.com" in grant
    assert "--role=roles/artifactregistry.reader" in grant
    assert index_of(commands, "artifacts repositories create") < index_of(commands, "add-iam")
    first_workload = next(
        i
        for i, r in enumerate(cluster.requests)
        if r.method == "PATCH"
        and r.body
        and r.body["kind"] == "Deployment"
        and r.body["metadata"]["namespace"] == "ticketing"
        and "dryRun" not in r.params
    )
    assert first_workload > 0 and index_of(commands, "add-iam") < index_of(commands, "docker push")


def _managed_gateway_crd() -> dict[str, Any]:
    """The CRD as GKE 1.34+ installs it (GoogleCloudPlatform/gke-gateway-api)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "gateways.gateway.networking.k8s.io",
            "annotations": {
                "components.gke.io/component-name": "gateway-api-crds",
                "components.gke.io/component-version": "1.4.0-gke.3",
                "gateway.networking.k8s.io/bundle-version": "v1.4.0",
                "gateway.networking.k8s.io/channel": "standard",
            },
        },
        "spec": {
            "group": "gateway.networking.k8s.io",
            "scope": "Namespaced",
            "names": {"plural": "gateways", "kind": "Gateway"},
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }


def test_gke_uses_the_gateway_api_crds_it_manages_instead_of_applying_others(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.store(
        "apis/apiextensions.k8s.io/v1", "customresourcedefinitions", _managed_gateway_crd()
    )
    results = create(make_session(GKE))

    applied = [c for c in stubs.commands() if " apply " in c]
    assert not any("standard-install.yaml" in c for c in applied)
    assert any(c.endswith("v2.6.7/deploy/default/deploy.yaml") for c in applied)
    assert "GKE's Gateway API CRDs (v1.4.0) used as they are" in results["ingress"]


def test_gke_without_managed_crds_gets_the_pinned_gateway_api(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    create(make_session(GKE))

    applied = [c for c in stubs.commands() if " apply " in c]
    assert applied[0].endswith("v1.5.1/standard-install.yaml")


@pytest.mark.parametrize("spec", [GKE, GKE_NGINX], ids=["gateway", "nginx"])
def test_delete_removes_the_load_balancers_before_the_cluster(
    spec: ClusterSpec, stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    """NGINX Gateway Fabric re-creates a Gateway's Service: the Gateway must go first."""
    create(make_session(spec))
    session = make_session(spec, timeout=5.0)
    results = perform(session, delete_steps(session))

    deleted = [r.path.split("/")[-2] for r in cluster.requests if r.method == "DELETE"]
    # ingress-nginx's Service is deleted; a Gateway's goes with the Gateway, its owner.
    assert ("gateways" if spec.ingress is Ingress.GATEWAY else "services") in deleted
    commands = stubs.commands()
    assert any(c.startswith("gcloud container clusters delete ticketing") for c in commands)
    assert not [
        o for o in cluster.objects.values() if (o.get("spec") or {}).get("type") == "LoadBalancer"
    ]
    if spec.ingress is Ingress.GATEWAY:
        assert "deleted 1 Gateways" in results["load-balancers"]
    assert "ticketing.dev" not in session.hosts_file.read_text()
    assert not session.files.directory.exists()


def test_eks_creates_from_the_cluster_config_and_resolves_the_load_balancer_hostname(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.load_balancer_reads = 2
    cluster.behaviour.load_balancer_hostname = "localhost"  # an NLB answers with a DNS name
    session = make_session(
        ClusterSpec(Provider.EKS, name="shop", region="eu-west-1", ingress=Ingress.NGINX)
    )
    results = create(session)

    config = session.files.eksctl_config.read_text()
    assert "name: shop" in config and "region: eu-west-1" in config
    commands = stubs.commands()
    assert (
        f"eksctl create cluster -f {session.files.eksctl_config}"
        in commands[index_of(commands, "eksctl create")]
    )
    assert "provider/aws/deploy.yaml" in commands[index_of(commands, " apply ")]
    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert f"docker login --username AWS --password-stdin {registry}" in commands
    assert sum(c.startswith("aws ecr create-repository") for c in commands) == 7
    assert session.context == "dev@shop.eu-west-1.eksctl.io"
    assert results["hosts"].startswith("ticketing.dev -> 127.0.0.1")
    storage = [m for m in cluster.applied() if m["kind"] == "StorageClass"]
    assert storage and storage[0]["provisioner"] == "ebs.csi.aws.com"
    autoscaled = [
        m
        for m in cluster.applied(namespace="ticketing")
        if m["kind"] == "Deployment" and m["metadata"]["name"] in ("orders", "tickets")
    ]
    assert autoscaled and all("replicas" not in m["spec"] for m in autoscaled)


def test_eks_dev_loop_pushes_to_the_repositories_create_made(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    spec = ClusterSpec(Provider.EKS)
    create(make_session(spec))
    session = make_session(spec)
    perform(session, dev_steps(session))

    created = {
        c.split("--repository-name ", 1)[1].split()[0]
        for c in stubs.commands()
        if c.startswith("aws ecr create-repository")
    }
    config = yaml.safe_load(session.files.skaffold.read_text())
    host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    pushed = {artifact["image"] for artifact in config["build"]["artifacts"]}
    assert pushed == {f"{host}/{repository}" for repository in created}
    call = next(c for c in stubs.calls() if c["program"] == "skaffold" and c["args"][0] == "dev")
    # Skaffold's own default-repo rewrite would turn ticketing/auth into ticketing/ticketing_auth.
    assert "--default-repo=" in call["args"]
    assert config["build"]["platforms"] == ["linux/amd64"]


def test_eks_gateway_gets_a_network_load_balancer(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    session = make_session(ClusterSpec(Provider.EKS, ingress=Ingress.GATEWAY))
    create(session)

    proxy = next(m for m in cluster.applied() if m["kind"] == "NginxProxy")
    patch = proxy["spec"]["kubernetes"]["service"]["patches"][0]["value"]
    assert (
        patch["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-type"]
        == "nlb"
    )


def test_container_registry_names_are_refused() -> None:
    with pytest.raises(HarnessError, match="Container Registry was shut down on 2025-03-18"):
        ClusterSpec(Provider.GKE, project="demo", registry="us.gcr.io/demo")
