"""kind, GKE and EKS: the provider a cluster spec asks for."""

from __future__ import annotations

from pathlib import Path

from ticketing_harness.clusters.eks import Eks
from ticketing_harness.clusters.gke import Gke
from ticketing_harness.clusters.kind import Kind
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.spec import ClusterSpec, Provider

Cloud = Kind | Gke | Eks
__all__ = ["Cloud", "Eks", "Gke", "Kind", "cloud_for"]


def cloud_for(spec: ClusterSpec, files: ClusterFiles, repo: Path) -> Cloud:
    kinds: dict[Provider, type[Cloud]] = {
        Provider.KIND: Kind,
        Provider.GKE: Gke,
        Provider.EKS: Eks,
    }
    return kinds[spec.provider](spec, files, repo)
