"""GKE and EKS against stub gcloud, eksctl, aws and docker, and a fake API."""

from __future__ import annotations

from typing import Any

import pytest

from ticketing_harness.clusters.spec import ClusterSpec, Ingress, Provider
from ticketing_harness.clusters.workflows import delete_steps
from ticketing_harness.errors import HarnessError

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create, index_of, perform

GKE = ClusterSpec(Provider.GKE, project="demo", region="europe-west1")


def test_gke_waits_for_the_load_balancer_and_maps_ticketing_dev_to_it(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.load_balancer_reads = 3  # no address for the first reads
    session = make_session(GKE)
    results = create(session)

    commands = stubs.commands()
    assert any(c.startswith("gcloud container clusters create-auto ticketing") for c in commands)
    credentials = next(c for c in stubs.calls() if "get-credentials" in c["args"])
    assert credentials["env"]["KUBECONFIG"] == str(session.files.kubeconfig)
    assert "provider/cloud/deploy.yaml" in commands[index_of(commands, " apply ")]
    registry = "europe-west1-docker.pkg.dev/demo/ticketing"
    assert any(c == f"docker push {registry}/orders:{session.images.tag}" for c in commands)
    assert index_of(commands, "artifacts repositories create") < index_of(commands, "docker push")
    assert all("--platform linux/amd64" in c for c in commands if c.startswith("docker build"))
    binding = next(m for m in cluster.applied() if m["kind"] == "ClusterRoleBinding")
    assert binding["subjects"][0]["name"] == "developer@example.com"
    assert results["hosts"].startswith("ticketing.dev -> 203.0.113.7")
    assert "203.0.113.7 ticketing.dev" in session.hosts_file.read_text()
    deployments = [m for m in cluster.applied(namespace="ticketing") if m["kind"] == "Deployment"]
    assert {
        m["spec"]["replicas"] for m in deployments if m["metadata"]["name"] != "localstripe"
    } == {2}


def test_delete_removes_the_load_balancers_before_the_cluster(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    session = make_session(GKE)
    create(session)
    session = make_session(GKE)
    perform(session, delete_steps(session))

    deleted_services = [
        i for i, r in enumerate(cluster.requests) if r.method == "DELETE" and "/services/" in r.path
    ]
    assert deleted_services, "the LoadBalancer Service was not deleted"
    commands = stubs.commands()
    assert any(c.startswith("gcloud container clusters delete ticketing") for c in commands)
    assert not [
        o for o in cluster.objects.values() if (o.get("spec") or {}).get("type") == "LoadBalancer"
    ]
    assert "ticketing.dev" not in session.hosts_file.read_text()
    assert not session.files.directory.exists()


def test_eks_creates_from_the_cluster_config_and_resolves_the_load_balancer_hostname(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    cluster.behaviour.load_balancer_reads = 2
    cluster.behaviour.load_balancer_hostname = "localhost"  # an NLB answers with a DNS name
    session = make_session(ClusterSpec(Provider.EKS, name="shop", region="eu-west-1"))
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
