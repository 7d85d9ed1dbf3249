"""The Kubernetes API through lightkube, pinned to one kubeconfig file and one context.

Server-side apply with our field manager, server dry-run, and watch-based waits bounded by
our own deadline (lightkube's watch reconnects forever, so each wait runs under a timeout).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from lightkube import ApiError, AsyncClient, Client, KubeConfig
from lightkube.codecs import from_dict
from lightkube.core.exceptions import ConfigError, LoadResourceError
from lightkube.generic_resource import (
    create_global_resource,
    create_namespaced_resource,
    get_generic_resource,
)
from lightkube.resources.apps_v1 import Deployment, StatefulSet
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import ConfigMap, Pod, Secret, Service
from lightkube.resources.discovery_v1 import EndpointSlice

from ticketing_harness.clusters.naming import FIELD_MANAGER
from ticketing_harness.errors import HarnessError

Manifest = dict[str, Any]
Ready = Callable[[Manifest], bool]


@functools.cache
def register_custom_kinds() -> None:
    """Teach lightkube the custom kinds we apply: the Gateway API's and NginxProxy."""
    create_global_resource("gateway.networking.k8s.io", "v1", "GatewayClass", "gatewayclasses")
    create_namespaced_resource("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
    create_namespaced_resource("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
    create_namespaced_resource("gateway.nginx.org", "v1alpha2", "NginxProxy", "nginxproxies")


@dataclass(frozen=True)
class Target:
    """One kind of object to wait for, by name, and what "ready" means for it."""

    resource: Any
    name: str
    namespace: str | None
    ready: Ready
    what: str


class Kube:
    """One cluster: every call uses `context` from `kubeconfig`, never the current context."""

    def __init__(self, kubeconfig: Path, context: str, timeout: float = 30.0) -> None:
        register_custom_kinds()
        try:
            self.config = KubeConfig.from_file(kubeconfig).get(context_name=context)
        except (ConfigError, OSError) as error:
            raise HarnessError(f"cannot use context {context!r} of {kubeconfig}: {error}") from None
        self.context = context
        self.timeout = timeout
        self.client = Client(
            config=self.config, field_manager=FIELD_MANAGER, timeout=httpx2.Timeout(timeout)
        )

    def close(self) -> None:
        self.client.close()

    def apply(self, manifests: list[Manifest], *, dry_run: bool = False) -> int:
        """Server-side apply each object, taking over fields others set; the number applied."""
        for manifest in manifests:
            obj = _load(manifest)
            try:
                self.client.apply(obj, force=True, dry_run=dry_run)
            except ApiError as error:
                raise HarnessError(
                    f"the cluster refused {describe(manifest)}: {error.status.message}"
                ) from None
        return len(manifests)

    def try_apply(self, manifests: list[Manifest], *, dry_run: bool = False) -> str | None:
        """None when the API server (and its admission webhooks) accepted them; else why not."""
        try:
            self.apply(manifests, dry_run=dry_run)
        except HarnessError as error:
            return str(error)
        return None

    def get(self, resource: Any, name: str, namespace: str | None = None) -> Manifest | None:
        try:
            obj = self.client.get(resource, name, namespace=namespace)
        except ApiError as error:
            if error.status.code == 404:
                return None
            raise HarnessError(f"cannot read {name}: {error.status.message}") from None
        return _as_dict(obj)

    def secret_data(self, name: str, namespace: str) -> Mapping[str, str]:
        """The base64-encoded data of a Secret, empty when there is none."""
        secret = self.get(Secret, name, namespace)
        return dict((secret or {}).get("data") or {})

    def config_map(self, name: str, namespace: str) -> Mapping[str, str] | None:
        found = self.get(ConfigMap, name, namespace)
        return None if found is None else dict(found.get("data") or {})

    def objects(
        self, resource: Any, namespace: str = "*", labels: Mapping[str, str] | None = None
    ) -> list[Manifest]:
        """Objects of a kind (all namespaces unless one is named), as dicts."""
        selector: dict[str, Any] | None = dict(labels) if labels else None
        try:
            found = self.client.list(resource, namespace=namespace, labels=selector)
            return [_as_dict(obj) for obj in found]
        except ApiError as error:
            raise HarnessError(f"cannot list objects: {error.status.message}") from None

    def delete(self, resource: Any, name: str, namespace: str | None = None) -> None:
        try:
            self.client.delete(resource, name, namespace=namespace)
        except ApiError as error:
            if error.status.code != 404:
                raise HarnessError(f"cannot delete {name}: {error.status.message}") from None

    def load_balancer_services(self) -> list[Manifest]:
        return [s for s in self.objects(Service) if s["spec"].get("type") == "LoadBalancer"]

    def pods(self, namespace: str, labels: Mapping[str, str]) -> list[Manifest]:
        return self.objects(Pod, namespace=namespace, labels=labels)

    def log(self, pod: str, namespace: str, *, follow: bool, tail: int | None) -> Iterator[str]:
        return self.client.log(pod, namespace=namespace, follow=follow, tail_lines=tail)

    def wait(self, target: Target, timeout: float) -> Manifest:
        """The object once `target.ready` holds, watched until `timeout` seconds pass."""
        return self.wait_all([target], timeout)[0]

    def wait_all(self, targets: list[Target], timeout: float) -> list[Manifest]:
        """Watch every target at once until each is ready; fail naming one that is not."""
        return asyncio.run(self._wait_all(targets, timeout))

    async def _wait_all(self, targets: list[Target], timeout: float) -> list[Manifest]:
        client = AsyncClient(
            config=self.config, field_manager=FIELD_MANAGER, timeout=httpx2.Timeout(self.timeout)
        )
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._wait(client, t, timeout)) for t in targets]
        except* HarnessError as failures:
            raise failures.exceptions[0] from None
        finally:
            await client.close()
        return [task.result() for task in tasks]

    async def _wait(self, client: AsyncClient, target: Target, timeout: float) -> Manifest:
        last: Manifest | None = None
        try:
            async with asyncio.timeout(timeout):
                watch = client.watch(
                    target.resource,
                    namespace=target.namespace,
                    fields={"metadata.name": target.name},
                    server_timeout=max(1, int(timeout)),
                )
                async for _, obj in watch:
                    last = _as_dict(obj)
                    if target.ready(last):
                        return last
        except TimeoutError:
            state = "does not exist yet" if last is None else "is not ready"
            raise HarnessError(
                f"{target.what} {state} after {timeout:.0f}s (context {self.context})"
            ) from None
        except ApiError as error:
            raise HarnessError(f"cannot watch {target.what}: {error.status.message}") from None
        raise HarnessError(f"the watch on {target.what} ended")


def describe(manifest: Manifest) -> str:
    """`Kind namespace/name`, for messages."""
    metadata = manifest.get("metadata", {})
    namespace = metadata.get("namespace")
    where = f"{namespace}/" if namespace else ""
    return f"{manifest.get('kind')} {where}{metadata.get('name')}"


def _load(manifest: Manifest) -> Any:
    try:
        return from_dict(manifest)
    except LoadResourceError as error:
        raise HarnessError(f"cannot apply {describe(manifest)}: {error}") from None


def _as_dict(obj: Any) -> Manifest:
    result: Manifest = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return result


def job_complete(job: Manifest) -> bool:
    return _condition(job, "Complete")


def deployment_available(deployment: Manifest) -> bool:
    """Every replica of the current generation is updated and available."""
    spec, status = deployment.get("spec", {}), deployment.get("status") or {}
    wanted: int = spec.get("replicas", 1)
    generation: int = deployment["metadata"].get("generation", 0)
    return bool(
        status.get("observedGeneration", 0) >= generation
        and status.get("updatedReplicas", 0) >= wanted
        and status.get("availableReplicas", 0) >= wanted
    )


def stateful_set_ready(stateful_set: Manifest) -> bool:
    spec, status = stateful_set.get("spec", {}), stateful_set.get("status") or {}
    wanted = spec.get("replicas", 1)
    return bool(
        status.get("readyReplicas", 0) >= wanted
        and status.get("updatedReplicas", 0) >= wanted
        and status.get("currentRevision") == status.get("updateRevision")
    )


def condition_true(kind: str) -> Ready:
    """Ready when the object's status condition `kind` is True (Accepted, Established...)."""
    return lambda obj: _condition(obj, kind)


def _condition(obj: Manifest, kind: str) -> bool:
    conditions: list[Manifest] = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def custom_kind(api_version: str, kind: str) -> Any:
    """The lightkube class of a custom kind `register_custom_kinds` taught it."""
    register_custom_kinds()
    return get_generic_resource(api_version, kind)  # type: ignore[no-untyped-call]


def load_balancer_address(service: Manifest) -> str | None:
    """The IP or hostname a cloud load balancer gave the Service, once it has one."""
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if not ingress:
        return None
    first = ingress[0]
    address: str | None = first.get("ip") or first.get("hostname")
    return address


def rollout_target(manifest: Manifest) -> Target | None:
    """What to wait for after applying `manifest`: Deployments and StatefulSets roll out."""
    name = manifest["metadata"]["name"]
    namespace = manifest["metadata"].get("namespace")
    if manifest["kind"] == "Deployment":
        return Target(Deployment, name, namespace, deployment_available, f"Deployment {name}")
    if manifest["kind"] == "StatefulSet":
        return Target(StatefulSet, name, namespace, stateful_set_ready, f"StatefulSet {name}")
    return None


def job_target(name: str, namespace: str) -> Target:
    return Target(Job, name, namespace, job_complete, f"Job {namespace}/{name}")


def deployment_target(name: str, namespace: str) -> Target:
    return Target(
        Deployment, name, namespace, deployment_available, f"Deployment {namespace}/{name}"
    )


def has_ready_endpoint(slices: list[Manifest]) -> bool:
    return any(
        (endpoint.get("conditions") or {}).get("ready") is True
        for endpoint_slice in slices
        for endpoint in endpoint_slice.get("endpoints") or []
    )


def endpoint_slices(kube: Kube, service: str, namespace: str) -> list[Manifest]:
    return kube.objects(
        EndpointSlice, namespace=namespace, labels={"kubernetes.io/service-name": service}
    )
