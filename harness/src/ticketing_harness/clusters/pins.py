"""Every third-party image the clusters run or build from: one table, each pinned by digest.

A digest names one image for ever; a tag can be moved. Each pin keeps its tag beside the digest
(`name:tag@sha256:...`: the digest decides, the tag says what it is) and where both come from.
The manifests and Dockerfiles in clusters/ and services/ use these exact references, and a test
checks that they do.

Where no upstream file readable offline publishes a digest, `digest` is None and the reference
is the tag alone: `test_every_image_pin_is_a_digest` fails and names the command that prints
the digest (`docker buildx imagetools inspect NAME:TAG --format '{{json .Manifest.Digest}}'`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    """One image: repository, tag, digest (None until resolved) and where they come from."""

    repository: str
    tag: str
    digest: str | None
    source: str

    @property
    def reference(self) -> str:
        """`repository:tag@digest`, or `repository:tag` while the digest is unknown."""
        tagged = f"{self.repository}:{self.tag}"
        return f"{tagged}@{self.digest}" if self.digest else tagged


PINS: dict[str, Pin] = {
    # kindest/node:v1.36.1: kind v0.32.0's default node image.
    "kind-node": Pin(
        "kindest/node",
        "v1.36.1",
        "sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5",
        "kind v0.32.0, pkg/apis/config/defaults/image.go",
    ),
    # kindest/node:v1.35.0: for ingress-nginx, tested on Kubernetes 1.31 to 1.35 only. kind
    # v0.31.0's default node image; kind supports it best effort with later releases.
    "kind-node-ingress-nginx": Pin(
        "kindest/node",
        "v1.35.0",
        "sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f",
        "kind v0.31.0, pkg/apis/config/defaults/image.go",
    ),
    # registry:3.1.1: the local registry kind's docs run beside the cluster.
    "registry": Pin("registry", "3.1.1", None, "docker-library/official-images library/registry"),
    # nats:2.14.5-alpine: the newest NATS official image (no 2.15 image is published there).
    "nats": Pin("nats", "2.14.5-alpine", None, "docker-library/official-images library/nats"),
    # postgres:17.11-bookworm: the newest 17.x.
    "postgres": Pin(
        "postgres", "17.11-bookworm", None, "docker-library/official-images library/postgres"
    ),
    # redis:7.4.11-alpine: the newest 7.4.x.
    "redis": Pin("redis", "7.4.11-alpine", None, "docker-library/official-images library/redis"),
    # python:3.11.16-slim-bookworm: the services' and localstripe's base, the newest 3.11.x.
    "python": Pin(
        "python",
        "3.11.16-slim-bookworm",
        None,
        "docker-library/official-images library/python",
    ),
    # ghcr.io/astral-sh/uv:0.13.9: only its `uv` binary is copied into the build stage.
    "uv": Pin("ghcr.io/astral-sh/uv", "0.13.9", None, "astral-sh/uv releases"),
}


def reference(name: str) -> str:
    return PINS[name].reference
