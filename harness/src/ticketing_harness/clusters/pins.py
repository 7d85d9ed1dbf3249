"""Every third-party image the clusters run or build from: one table, each pinned by digest.

A digest names one image for ever; a tag can be moved. Each pin keeps its tag beside the digest
(`name:tag@sha256:...`: the digest decides, the tag says what it is) and where both come from.
The manifests and Dockerfiles in clusters/ and services/ use these exact references, and a test
checks that they do.

To move a pin, resolve the new tag's digest
(`docker buildx imagetools inspect NAME:TAG --format '{{json .Manifest.Digest}}'`) and set
both here; `test_every_image_pin_is_a_digest` refuses a pin without one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    """One image: repository, tag, digest and where they come from."""

    repository: str
    tag: str
    digest: str
    source: str

    @property
    def reference(self) -> str:
        """`repository:tag@digest`: the digest decides, the tag says what it is."""
        return f"{self.repository}:{self.tag}@{self.digest}"


# An official image's tag is rebuilt when its base gets a fix, and each build has its own
# digest: ours is the multi-platform index digest of one build, as published beside the tag.
_OFFICIAL = "Docker official image, the multi-platform index digest of one build of the tag"

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
    "registry": Pin(
        "registry",
        "3.1.1",
        "sha256:1be55279f18a2fe1a74edf2664cac61c1bea305b7b4642dab412e7affdcb3e33",
        _OFFICIAL,
    ),
    # nats:2.14.5-alpine: the newest NATS official image (no 2.15 image is published there).
    "nats": Pin(
        "nats",
        "2.14.5-alpine",
        "sha256:d4ac35882ac65aff236cd65b9d3fa4d24332c681e1a85f94eedccd3cdd65b1da",
        _OFFICIAL,
    ),
    # postgres:17.11-bookworm: the newest 17.x.
    "postgres": Pin(
        "postgres",
        "17.11-bookworm",
        "sha256:051f7b7b3abdd564d5d1bd1e8c4b9c1b6e77087d1dd22020ede611c096a272e0",
        _OFFICIAL,
    ),
    # redis:7.4.11-alpine: the newest 7.4.x.
    "redis": Pin(
        "redis",
        "7.4.11-alpine",
        "sha256:ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf",
        _OFFICIAL,
    ),
    # python:3.11.16-slim-bookworm: the services' and localstripe's base, the newest 3.11.x.
    "python": Pin(
        "python",
        "3.11.16-slim-bookworm",
        "sha256:528257d48c1da0dcecc2e725d1ae34498d60c965f1241e39cd6a85a8859bdf84",
        _OFFICIAL,
    ),
    # ghcr.io/astral-sh/uv:0.13.0: only its `uv` binary is copied into the build stage. Its
    # images are published once per release and never rebuilt.
    "uv": Pin(
        "ghcr.io/astral-sh/uv",
        "0.13.0",
        "sha256:cdc6093146eb3ff6a40107b38f008b789e050e77ad87865e381d9917da55a168",
        "astral-sh/uv releases, the multi-platform index digest",
    ),
}


def reference(name: str) -> str:
    return PINS[name].reference
