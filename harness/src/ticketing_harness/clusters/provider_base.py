"""What every provider's commands are built from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.spec import ClusterSpec


@dataclass(frozen=True)
class ProviderBase:
    """The cluster asked for, its files in the state directory, and the checkout."""

    spec: ClusterSpec
    files: ClusterFiles
    repo: Path
