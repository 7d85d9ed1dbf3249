"""`ticketing cluster render`: what `deploy` would apply, without a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from lightkube.codecs import from_dict

from ticketing_harness.clusters.commands import Runner
from ticketing_harness.clusters.images import git_tag
from ticketing_harness.clusters.paths import repo_root
from ticketing_harness.clusters.rendering import rendered
from ticketing_harness.clusters.spec import ClusterSpec, Provider
from ticketing_harness.components import SERVICES
from ticketing_harness.testing.stacks import run_ticketing

from .conftest import Stubs
from .fake_kube import FakeCluster
from .test_create import create

REPO = repo_root()


def _images(manifests: list[dict[str, Any]]) -> dict[str, str]:
    return {
        m["metadata"]["name"]: m["spec"]["template"]["spec"]["containers"][0]["image"]
        for m in manifests
        if m["kind"] == "Deployment"
    }


def test_render_is_exactly_what_deploy_applies(
    stubs: Stubs, cluster: FakeCluster, make_session: Any
) -> None:
    spec = ClusterSpec(Provider.KIND)
    create(make_session(spec))

    manifests = rendered(spec, True, REPO, Runner())

    applied = {(m["kind"], m["metadata"]["name"]): m for m in cluster.applied()}
    for manifest in manifests:
        key = (manifest["kind"], manifest["metadata"]["name"])
        assert applied[key] == from_dict(manifest).to_dict(), key  # type: ignore[no-untyped-call]
    ours = {key for key, m in applied.items() if m["metadata"].get("namespace") == "ticketing"}
    secrets = {key for key in ours if key[0] == "Secret"}
    assert ours - secrets <= {(m["kind"], m["metadata"]["name"]) for m in manifests}


def test_render_prints_the_release_with_images_tagged_and_the_routing(state_dir: Path) -> None:
    result = run_ticketing("cluster", "render", "--state-dir", str(state_dir))

    assert result.returncode == 0, result.stderr
    manifests = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    tag = git_tag(REPO, Runner())
    images = _images(manifests)
    for service in SERVICES:
        assert images[service.name] == f"localhost:5001/ticketing/{service.name}:{tag}"
    assert images["localstripe"] == f"localhost:5001/ticketing/localstripe:{tag}"
    kinds = {m["kind"] for m in manifests}
    assert {"Gateway", "HTTPRoute"} <= kinds and "Ingress" not in kinds
    assert "Secret" not in kinds
    assert not (state_dir / "clusters").exists()


def test_render_writes_one_file_per_object_for_the_chosen_provider_and_ingress(
    tmp_path: Path, state_dir: Path
) -> None:
    output = tmp_path / "gitops"
    result = run_ticketing(
        "cluster", "render", "--provider", "gke", "--project", "demo", "--ingress", "nginx",
        "--no-localstripe", "--output", str(output), "--state-dir", str(state_dir),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    files = sorted(output.glob("*.yaml"))
    manifests = [yaml.safe_load(path.read_text()) for path in files]
    assert len(files) > 20 and all(m is not None for m in manifests)
    assert (output / "ingress-ticketing.yaml").exists()
    assert not (output / "deployment-localstripe.yaml").exists()
    registry = "us-central1-docker.pkg.dev/demo/ticketing"
    assert all(image.startswith(f"{registry}/") for image in _images(manifests).values())
    assert "the Secrets come from `deploy`" in result.stderr
