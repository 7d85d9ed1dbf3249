"""deploy, status, logs, dev and the context guard; plans and errors through the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from ticketing_harness.clusters.devloop import dev_steps
from ticketing_harness.clusters.kube import Kube
from ticketing_harness.clusters.logs import pod_names, stream
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.readiness import deployment_target
from ticketing_harness.clusters.spec import ClusterSpec, Provider
from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.clusters.status import workloads
from ticketing_harness.clusters.workflows import delete_steps, deploy_steps
from ticketing_harness.errors import HarnessError
from ticketing_harness.ports import free_port
from ticketing_harness.testing.stacks import run_ticketing

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create, perform

KIND = ClusterSpec(Provider.KIND)


def test_deploy_rebuilds_and_applies_on_the_cluster_create_made(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    create(make_session(KIND))
    applied_before = len(cluster.applied())
    session = make_session(KIND)
    results = perform(session, deploy_steps(session))

    assert results["preflight"].startswith("context kind-ticketing")
    assert "rolled out" in results["deploy"]
    assert len(cluster.applied()) > applied_before
    reader = make_session(KIND)
    found = workloads(reader)
    reader.close()
    assert {w.name for w in found} >= {"auth", "orders", "nats", "postgres", "redis"}
    assert all(w.is_ready for w in found)


def test_a_context_that_looks_like_production_is_refused(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    session = make_session(KIND, named_context="gke_shop_europe-west1_prod")

    with pytest.raises(HarnessError, match=r"looks like production.*--yes"):
        perform(session, deploy_steps(session))
    assert cluster.requests == []


def users_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, current: str) -> Path:
    """The user's own kubeconfig ($KUBECONFIG): contexts `lab` and `mine` on the fake API."""
    kubeconfig = tmp_path / "user-kubeconfig"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "lab", "cluster": {"server": os.environ["FAKE_KUBE_URL"]}}],
        "users": [{"name": "lab", "user": {"token": "t"}}],
        "contexts": [
            {"name": "lab", "context": {"cluster": "lab", "user": "lab"}},
            {"name": "mine", "context": {"cluster": "lab", "user": "lab"}},
        ],
        "current-context": current,
    }
    kubeconfig.write_text(json.dumps(config))
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    return kubeconfig


def test_a_named_context_needs_confirmation_and_is_never_made_current(
    stubs: Stubs,
    cluster: FakeCluster,
    make_session: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kubeconfig = users_kubeconfig(tmp_path, monkeypatch, current="mine")

    unconfirmed = make_session(KIND, named_context="lab")
    with pytest.raises(HarnessError, match="was not created by `ticketing cluster create`"):
        perform(unconfirmed, deploy_steps(unconfirmed))
    typed = make_session(KIND, named_context="lab", ask=lambda question: "lab")
    results = perform(typed, deploy_steps(typed))

    assert results["preflight"].startswith("context lab")
    assert json.loads(kubeconfig.read_text())["current-context"] == "mine"


def test_logs_come_from_every_pod_of_the_service(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    for name in ("orders-a", "orders-b"):
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": "ticketing",
                "labels": {"app.kubernetes.io/name": "orders"},
            },
            "spec": {"containers": [{"name": "orders", "image": "ticketing/orders:abc"}]},
        }
        cluster.store("api/v1", "pods", pod)
    create(make_session(KIND))
    session = make_session(KIND)
    lines: list[str] = []
    for name in pod_names(session, "orders"):
        stream(session, name, False, 10, True, lines.append)
    session.close()

    assert lines == [
        "orders-a | orders-a started\n",
        "orders-a | orders-a ready\n",
        "orders-b | orders-b started\n",
        "orders-b | orders-b ready\n",
    ]


def test_dev_runs_skaffold_on_the_clusters_kustomization_pinned_to_its_context(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    create(make_session(KIND))
    session = make_session(KIND)
    perform(session, dev_steps(session))

    call = next(c for c in stubs.calls() if c["program"] == "skaffold" and c["args"][0] == "dev")
    args = call["args"]
    assert args[args.index("--kube-context") + 1] == "kind-ticketing"
    assert args[args.index("--kubeconfig") + 1] == str(session.files.kubeconfig)
    assert args[args.index("--filename") + 1] == str(session.files.skaffold)
    config = yaml.safe_load(session.files.skaffold.read_text())
    assert config["manifests"]["kustomize"]["paths"] == [str(session.files.manifests)]
    assert config["build"]["local"]["push"] is True  # to the local registry
    # Skaffold finds localhost:5001 in local-registry-hosting (a prefix of our names) and so
    # pushes only, instead of also loading the images into kind.
    assert not [arg for arg in args if arg.startswith("--default-repo")]
    assert cluster.get("configmaps", "kube-public", "local-registry-hosting") is not None
    assert "platforms" not in config["build"]
    kustomization = (session.files.manifests / "kustomization.yaml").read_text()
    assert "components/gateway-api" in kustomization and "components/localstripe" in kustomization


def test_dev_refuses_a_skaffold_that_cannot_read_its_config(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    """skaffold/v4beta14 first ships in Skaffold v2.19.0; older ones say "unknown apiVersion"."""
    create(make_session(KIND))
    (stubs.directory / "skaffold").write_text("#!/bin/sh\necho v2.18.2\n")
    session = make_session(KIND)

    with pytest.raises(HarnessError, match=r"skaffold 2\.18\.2 is too old: .* needs 2\.19\.0"):
        perform(session, dev_steps(session))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ("--provider", "kind"),
            [
                "docker run --detach --restart=always --publish 127.0.0.1:5001:5000",
                "kind create cluster --name ticketing --image kindest/node:v1.36.1@sha256:",
                "docker exec --interactive '<node>' sh -c",
                "API: server-side apply ConfigMap kube-public/local-registry-hosting",
                "v1.5.1/standard-install.yaml",
                "docker push 'localhost:5001/ticketing/auth:<git commit>'",
                "map ticketing.dev to 127.0.0.1",
            ],
        ),
        (
            ("--provider", "kind", "--ingress", "nginx", "--no-local-registry"),
            [
                "kind create cluster --name ticketing --image kindest/node:v1.35.0@sha256:",
                "controller-v1.15.1/deploy/static/provider/kind/deploy.yaml",
                "until it has a CA bundle",
                "kind load docker-image",
            ],
        ),
        (
            ("--provider", "gke", "--ingress", "nginx"),
            [
                "KUBECONFIG=",
                "gcloud container clusters create-auto ticketing --region us-central1"
                " --project demo",
                "provider/cloud/deploy.yaml",
                "--role=roles/artifactregistry.reader",
                "docker push 'us-central1-docker.pkg.dev/demo/ticketing/auth:<git commit>'",
                "load balancer address of Service ingress-nginx/ingress-nginx-controller",
            ],
        ),
        (
            ("--provider", "gke"),
            [
                "GKE 1.34+ installs and manages the Gateway API CRDs",
                "load balancer address of Service ticketing/ticketing-nginx",
            ],
        ),
        (
            ("--provider", "eks"),
            [
                "eksctl create cluster -f",
                "nginx-gateway-fabric/eks.yaml (field manager ticketing-settings)",
                "aws ecr get-login-password --region us-east-1 | docker login",
                "resolved to an IP",
            ],
        ),
    ],
    ids=["kind", "kind-nginx-load", "gke-nginx", "gke", "eks"],
)
def test_plan_prints_every_step_and_command_and_runs_none(
    options: tuple[str, ...], expected: list[str], stubs: Stubs, state_dir: Path
) -> None:
    result = run_ticketing(
        "cluster", "create", *options, "--project", "demo", "--plan",
        "--state-dir", str(state_dir),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    steps = [
        line for line in result.stdout.splitlines() if line[:2] in {f"{n}." for n in range(1, 9)}
    ]
    assert len(steps) == 8, result.stdout
    for text in expected:
        assert text in result.stdout, text
    assert stubs.calls() == []
    assert not (state_dir / "clusters").exists()


def _one_error_line(result: Any) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: "), result.stderr
    return str(lines[-1])


def test_cli_reports_a_wrong_context_in_one_line(stubs: Stubs, state_dir: Path) -> None:
    result = run_ticketing(
        "cluster", "deploy", "--context", "arn:aws:eks:us-east-1:1:cluster/prod-shop",
        "--state-dir", str(state_dir),
    )  # fmt: skip

    assert "looks like production" in _one_error_line(result)


def test_cli_reports_a_missing_cluster_in_one_line(stubs: Stubs, state_dir: Path) -> None:
    result = run_ticketing("cluster", "status", "--name", "nope", "--state-dir", str(state_dir))

    assert "no cluster named nope" in _one_error_line(result)


def test_cli_refuses_a_container_registry_name(stubs: Stubs, state_dir: Path) -> None:
    result = run_ticketing(
        "cluster", "create", "--provider", "gke", "--project", "demo", "--registry",
        "gcr.io/demo", "--plan", "--state-dir", str(state_dir),
    )  # fmt: skip

    assert "Container Registry was shut down" in _one_error_line(result)


def test_delete_leaves_a_cluster_ticketing_did_not_create_untouched(
    stubs: Stubs,
    cluster: FakeCluster,
    make_session: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users_kubeconfig(tmp_path, monkeypatch, current="lab")
    adopted = make_session(
        ClusterSpec(Provider.KIND, name="lab"), named_context="lab", confirmed=True
    )
    perform(adopted, deploy_steps(adopted))
    requests_before = len(cluster.requests)
    calls_before = len(stubs.calls())

    doomed = make_session(
        ClusterSpec(Provider.KIND, name="lab"), named_context="lab", confirmed=True
    )
    with pytest.raises(HarnessError, match="was not created by ticketing: nothing was deleted"):
        perform(doomed, delete_steps(doomed))
    assert not [r for r in cluster.requests[requests_before:] if r.method == "DELETE"]
    assert not any("delete" in call["args"] for call in stubs.calls()[calls_before:])


def _unreachable_cluster(state_dir: Path) -> Path:
    """A cluster record whose API server has gone away (a deleted or stopped cluster)."""
    files = ClusterFiles(state_dir / "clusters" / "ticketing")
    files.directory.mkdir(parents=True)
    server = f"http://127.0.0.1:{free_port()}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "gone", "cluster": {"server": server}}],
        "users": [{"name": "gone", "user": {"token": "t"}}],
        "contexts": [{"name": "kind-ticketing", "context": {"cluster": "gone", "user": "gone"}}],
        "current-context": "kind-ticketing",
    }
    files.kubeconfig.write_text(json.dumps(config))
    ClusterRecord(
        "ticketing", "kind", "gateway", None, None, None, str(files.kubeconfig),
        "kind-ticketing", True,
    ).save(files.record)  # fmt: skip
    return files.kubeconfig


def test_watching_an_api_server_that_does_not_answer_raises_one_harness_error(
    state_dir: Path,
) -> None:
    kube = Kube(_unreachable_cluster(state_dir), "kind-ticketing", timeout=2.0)
    try:
        with pytest.raises(HarnessError, match="did not answer"):
            kube.wait(deployment_target("orders", "ticketing"), timeout=5.0)
    finally:
        kube.close()


def test_cli_reports_an_api_server_that_does_not_answer_in_one_line(
    stubs: Stubs, state_dir: Path
) -> None:
    _unreachable_cluster(state_dir)

    result = run_ticketing("cluster", "status", "--state-dir", str(state_dir))

    assert "the API server of context kind-ticketing did not answer" in _one_error_line(result)
