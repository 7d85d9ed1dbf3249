"""`ticketing cluster render`: the manifests `deploy` would apply, without a cluster.

The same kustomizations, image names and commit tags as `deploy`, written to stdout or one
file per object, for review or a GitOps repository. The Secrets are not in them: `deploy`
makes those from the credentials it keeps (docs/dev-cluster.md lists their keys).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from ticketing_harness.clusters.commands import Runner
from ticketing_harness.clusters.images import CLOUD_PLATFORM, Images, git_tag
from ticketing_harness.clusters.manifests import Composition, release_manifests
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.providers import Kind, cloud_for
from ticketing_harness.clusters.spec import ClusterSpec

Manifest = dict[str, Any]


def rendered(spec: ClusterSpec, localstripe: bool, repo: Path, runner: Runner) -> list[Manifest]:
    """The release for `spec`: images tagged from the commit, in the provider's registry."""
    with tempfile.TemporaryDirectory(prefix="ticketing-render-") as scratch:
        files = ClusterFiles(Path(scratch))
        cloud = cloud_for(spec, files, repo)
        registry = cloud.registry(runner)
        composition = Composition(cloud.overlay, spec.ingress, localstripe, registry)
        platform = None if isinstance(cloud, Kind) else CLOUD_PLATFORM
        images = Images(git_tag(repo, runner), registry, composition.components, platform)
        return release_manifests(files, repo, composition, images, runner)


def as_yaml(manifests: list[Manifest]) -> str:
    return yaml.safe_dump_all(manifests, sort_keys=False, explicit_start=True)


def write_files(manifests: list[Manifest], directory: Path) -> list[Path]:
    """One file per object, `<kind>-<name>.yaml`, in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for manifest in manifests:
        path = directory / f"{manifest['kind'].lower()}-{manifest['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(manifest, sort_keys=False))
        written.append(path)
    return written
