"""The dev loop's skaffold.yaml, written for one cluster by `ticketing cluster dev`.

Its artifacts carry the exact image names the cluster's kustomization uses (REGISTRY/<name>),
so Skaffold replaces them with what it builds and pushes to the repositories `create` made,
without rewriting them (see `devloop.skaffold_command`): its default-repo rewrite would push
`.../ticketing/ticketing_auth` to ECR, a repository that does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ticketing_harness.clusters.images import DOCKERFILE, LOCALSTRIPE_CONTEXT, repository
from ticketing_harness.clusters.manifests import Composition
from ticketing_harness.clusters.naming import FIELD_MANAGER, LOCALSTRIPE

Manifest = dict[str, Any]
# Skaffold v2.19.0 is the first to read this schema (see clusters.tools).
API_VERSION = "skaffold/v4beta14"


def skaffold_config(
    repo: Path, composition: Composition, manifests: Path, *, push: bool, platform: str | None
) -> Manifest:
    """Build each image's `dev` target, sync Python sources into it, deploy `manifests`."""
    artifacts: list[Manifest] = []
    for component in composition.components:
        image = repository(composition.registry, component)
        if component == LOCALSTRIPE:
            artifacts.append({"image": image, "context": str(repo / LOCALSTRIPE_CONTEXT)})
            continue
        artifacts.append(
            {
                "image": image,
                "context": str(repo),
                "docker": {
                    "dockerfile": str(DOCKERFILE),
                    "target": "dev",
                    "buildArgs": {"SERVICE": component},
                },
                # The dev image runs the service under watchfiles, which restarts it on a change.
                "sync": {
                    "manual": [
                        {"src": f"services/{name}/src/**/*", "dest": "/app"}
                        for name in (component, "common")
                    ]
                },
            }
        )
    build: Manifest = {
        "tagPolicy": {"gitCommit": {"variant": "AbbrevCommitSha"}},
        # Without a push (kind without its registry), Skaffold `kind load`s what it builds.
        "local": {"push": push, "useBuildkit": True},
        "artifacts": artifacts,
    }
    if platform:
        build["platforms"] = [platform]
    return {
        "apiVersion": API_VERSION,
        "kind": "Config",
        "metadata": {"name": "ticketing"},
        "build": build,
        "manifests": {"kustomize": {"paths": [str(manifests)]}},
        "deploy": {
            "kubectl": {
                "flags": {
                    "apply": [
                        "--server-side",
                        "--force-conflicts",
                        f"--field-manager={FIELD_MANAGER}",
                    ]
                }
            },
            "statusCheckDeadlineSeconds": 600,
        },
    }


def write_skaffold(path: Path, config: Manifest) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `ticketing cluster dev` for this cluster; rewritten on every run.\n"
    path.write_text(header + yaml.safe_dump(config, sort_keys=False))
    return path
