"""The image pins: one table, used everywhere, each a digest."""

from __future__ import annotations

import re

import yaml

from ticketing_harness.clusters.naming import PLACEHOLDER_REGISTRY
from ticketing_harness.clusters.paths import repo_root
from ticketing_harness.clusters.pins import PINS

REPO = repo_root()
DOCKERFILES = ("services/Dockerfile", "clusters/components/localstripe/Dockerfile")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _manifest_images() -> set[str]:
    found = set()
    for path in (REPO / "clusters").rglob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            found.update(re.findall(r"'image': '([^']+)'", str(document)))
    return {image for image in found if not image.startswith(f"{PLACEHOLDER_REGISTRY}/")}


def _base_images() -> set[str]:
    found = set()
    for dockerfile in DOCKERFILES:
        stages: set[str] = set()
        for image, stage in re.findall(
            r"^FROM (\S+)(?: AS (\S+))?$", (REPO / dockerfile).read_text(), re.MULTILINE
        ):
            if image not in stages:
                found.add(image)
            stages.add(stage)
    return found


def test_every_image_in_the_manifests_and_dockerfiles_is_a_pin_of_the_table() -> None:
    references = {pin.reference for pin in PINS.values()}
    used = _manifest_images() | _base_images()

    assert used, "no images found"
    assert used - references == set(), "pin these in ticketing_harness.clusters.pins"


def test_every_image_pin_is_a_digest() -> None:
    unpinned = [
        f"{name}: docker buildx imagetools inspect {pin.repository}:{pin.tag}"
        " --format '{{json .Manifest.Digest}}'"
        for name, pin in PINS.items()
        if not _DIGEST.fullmatch(pin.digest)
    ]

    assert unpinned == [], "not a digest; resolve each and set it in pins.py:\n" + "\n".join(
        unpinned
    )
