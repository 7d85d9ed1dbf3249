"""Where the repository's cluster files are, and where each cluster's own files are kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.errors import HarnessError

_MARKER = Path("clusters/base/kustomization.yaml")


def repo_root(start: Path | None = None) -> Path:
    """The checkout holding `clusters/`: from the working directory up, else this package's."""
    for origin in (start or Path.cwd(), Path(__file__)):
        for directory in (origin.absolute(), *origin.absolute().parents):
            if (directory / _MARKER).is_file():
                return directory
    raise HarnessError(
        "no clusters/ folder found: run `ticketing cluster` inside the ticketing repository"
    )


@dataclass(frozen=True)
class ClusterFiles:
    """A cluster's files in the state directory: record, kubeconfig, kept secrets, manifests."""

    directory: Path

    @property
    def record(self) -> Path:
        return self.directory / "cluster.json"

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    @property
    def secrets(self) -> Path:
        return self.directory / "secrets.json"

    @property
    def manifests(self) -> Path:
        """The kustomization skaffold renders: the overlay plus the chosen components."""
        return self.directory / "manifests"

    @property
    def release(self) -> Path:
        """The kustomization `create` and `deploy` apply: the manifests with image tags set."""
        return self.directory / "release"

    @property
    def skaffold(self) -> Path:
        """The dev loop's config: this cluster's image names and kustomization."""
        return self.directory / "skaffold.yaml"

    @property
    def eksctl_config(self) -> Path:
        return self.directory / "eksctl-cluster.yaml"
