"""What `ticketing cluster` remembers about a cluster: JSON beside the cluster's kubeconfig."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ticketing_harness.clusters.spec import ClusterSpec, Ingress, Provider


@dataclass
class ClusterRecord:
    """A cluster this tool created (or was pointed at with --context and told to use)."""

    name: str
    provider: str
    ingress: str
    region: str | None
    project: str | None
    registry: str | None
    kubeconfig: str
    context: str
    created_by_us: bool
    done: list[str] = field(default_factory=list)
    local_registry: bool = True

    @property
    def spec(self) -> ClusterSpec:
        return ClusterSpec(
            provider=Provider(self.provider),
            name=self.name,
            ingress=Ingress(self.ingress),
            region=self.region,
            project=self.project,
            registry=self.registry,
            local_registry=self.local_registry,
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=2) + "\n")
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> ClusterRecord | None:
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
