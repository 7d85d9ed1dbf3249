"""One `ticketing cluster` run: the cluster asked for, its files, and pinned access to it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ticketing_harness.clusters import local_registry
from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.guard import confirm_context, current_context, user_kubeconfig
from ticketing_harness.clusters.images import Images
from ticketing_harness.clusters.kube import Kube
from ticketing_harness.clusters.manifests import Composition, kubectl, write_manifests
from ticketing_harness.clusters.naming import RELEASE_FIELD_MANAGER
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.providers import Cloud, Kind, cloud_for
from ticketing_harness.clusters.spec import ClusterSpec, Provider
from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.clusters.tools import UNPRIVILEGED_PORT_START
from ticketing_harness.errors import HarnessError

Ask = Callable[[str], str]


@dataclass
class Session:
    """What every step works with. Every kubectl, skaffold and API call names `context`."""

    spec: ClusterSpec
    files: ClusterFiles
    repo: Path
    certs_dir: Path
    hosts_file: Path
    runner: Runner = field(default_factory=Runner)
    stripe_key: str | None = None
    timeout: float = 600.0
    poll_interval: float = 2.0
    # The host ports kind maps to the ingress controller (kind-cluster.yaml), the local
    # registry's, and the sysctl that says which ports a rootless engine may bind.
    kind_ports: tuple[int, ...] = (80, 443)
    registry_ports: tuple[int, ...] = (local_registry.HOST_PORT,)
    unprivileged_port_start: Path = UNPRIVILEGED_PORT_START
    # --context: a cluster this tool did not create, in the user's own kubeconfig.
    named_context: str | None = None
    confirmed: bool = False
    ask: Ask | None = None
    # The images of this run, once their tag and registry are known (see `publish.images`).
    images: Images | None = None

    @functools.cached_property
    def cloud(self) -> Cloud:
        return cloud_for(self.spec, self.files, self.repo)

    @functools.cached_property
    def registry(self) -> str:
        """Where the cluster's images are: the local registry, Artifact Registry or ECR."""
        return self.cloud.registry(self.runner)

    @property
    def uses_local_registry(self) -> bool:
        """kind pushes to its local registry, unless asked not to or the cluster is not ours."""
        return (
            isinstance(self.cloud, Kind) and self.spec.local_registry and self.named_context is None
        )

    @property
    def localstripe(self) -> bool:
        """Payments use localstripe unless a Stripe key is given."""
        return self.stripe_key is None

    def composition(self, registry: str) -> Composition:
        return Composition(self.cloud.overlay, self.spec.ingress, self.localstripe, registry)

    @property
    def record(self) -> ClusterRecord | None:
        return ClusterRecord.load(self.files.record)

    @property
    def kubeconfig(self) -> Path:
        """Our own kubeconfig, unless --context names a context of the user's."""
        record = self.record
        if self.named_context is None:
            return self.files.kubeconfig
        if record is not None and record.context == self.named_context:
            return Path(record.kubeconfig)
        return user_kubeconfig()

    @property
    def context(self) -> str:
        """The context of every call: --context, else the one our own kubeconfig holds."""
        if self.named_context:
            return self.named_context
        context = current_context(self.files.kubeconfig)
        if context is None:
            raise HarnessError(
                f"no kubeconfig for cluster {self.spec.name} in {self.files.directory}:"
                f" run `ticketing cluster create --provider {self.spec.provider}` first"
            )
        return context

    def planned_context(self) -> str:
        """The context name a plan shows, before any cluster exists."""
        if self.named_context:
            return self.named_context
        if self.spec.provider is Provider.KIND:
            return f"kind-{self.spec.name}"
        if self.spec.provider is Provider.GKE:
            return f"gke_{self.spec.project}_{self.spec.location}_{self.spec.name}"
        return f"<eksctl's context for {self.spec.name}.{self.spec.location}.eksctl.io>"

    def check_context(self) -> None:
        """The context guard: ours, or named and confirmed (see `guard.confirm_context`)."""
        record = self.record
        ours = (self.named_context is None and record is not None and record.created_by_us) or (
            record is not None and record.context == self.named_context
        )
        confirm_context(
            self.context,
            ours=ours,
            named=self.named_context is not None,
            confirmed=self.confirmed,
            ask=self.ask,
        )

    @functools.cached_property
    def kube(self) -> Kube:
        return Kube(self.kubeconfig, self.context)

    def kubectl(self, *args: str, context: str | None = None) -> Command:
        """kubectl pinned to our kubeconfig and context."""
        return command(
            kubectl(), "--kubeconfig", str(self.kubeconfig),
            "--context", context or self.context, *args,
        )  # fmt: skip

    def apply_url(self, url: str, context: str | None = None) -> Command:
        """Apply an upstream release as it is published, under a field manager of its own."""
        return self.kubectl(
            "apply", "--server-side", "--force-conflicts",
            f"--field-manager={RELEASE_FIELD_MANAGER}", "--filename", url, context=context,
        )  # fmt: skip

    def write_manifests(self) -> Path:
        """The cluster's kustomization: overlay, routing, localstripe without a key, images."""
        return write_manifests(self.files, self.repo, self.composition(self.registry))

    def remember(self, created_by_us: bool | None = None, done: str | None = None) -> None:
        """Write the record: the spec, where to reach the cluster, and the steps done."""
        record = self.record
        if record is None:
            record = ClusterRecord(
                name=self.spec.name,
                provider=self.spec.provider.value,
                ingress=self.spec.ingress.value,
                region=self.spec.region,
                project=self.spec.project,
                registry=self.spec.registry,
                kubeconfig=str(self.kubeconfig),
                context=self.context,
                created_by_us=bool(created_by_us),
                local_registry=self.spec.local_registry,
            )
        if created_by_us is not None:
            record.created_by_us = created_by_us
        record.context = self.context
        record.kubeconfig = str(self.kubeconfig)
        if done is not None and done not in record.done:
            record.done.append(done)
        record.save(self.files.record)

    def close(self) -> None:
        if "kube" in self.__dict__:
            self.kube.close()
