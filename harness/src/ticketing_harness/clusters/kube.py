"""The Kubernetes API through lightkube, pinned to one kubeconfig file and one context.

Server-side apply under a named field manager, server dry-run, and watch-based waits bounded
by our own deadline (lightkube's watch reconnects forever, so each wait runs under a timeout).
Every failure to reach or use the API, a watch's included, becomes one HarnessError.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from lightkube import ApiError, AsyncClient, Client, KubeConfig
from lightkube.codecs import from_dict
from lightkube.config.client_adapter import Client as HttpClient
from lightkube.config.client_adapter import ConnectionParams
from lightkube.config.kubeconfig import SingleConfig
from lightkube.core.exceptions import ConfigError, LoadResourceError
from lightkube.generic_resource import (
    create_global_resource,
    create_namespaced_resource,
    get_generic_resource,
)
from lightkube.resources.core_v1 import ConfigMap, Pod, Secret, Service

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
            config = KubeConfig.from_file(kubeconfig).get(context_name=context)
        except (ConfigError, OSError) as error:
            raise HarnessError(f"cannot use context {context!r} of {kubeconfig}: {error}") from None
        if config is None:
            raise HarnessError(f"cannot use context {context!r} of {kubeconfig}: it has none")
        self.config: SingleConfig = config
        self.context = context
        self.timeout = timeout
        self.client = Client(
            config=self.config, field_manager=FIELD_MANAGER, timeout=httpx2.Timeout(timeout)
        )

    def close(self) -> None:
        self.client.close()

    @contextmanager
    def _calling(self, doing: str) -> Iterator[None]:
        """An API call that fails (unreachable, refused, timed out) raises one HarnessError."""
        try:
            yield
        except ApiError as error:
            raise HarnessError(f"cannot {doing}: {error.status.message}") from None
        except httpx2.HTTPError as error:
            raise HarnessError(
                f"cannot {doing}: the API server of context {self.context} did not answer"
                f" ({_reason(error)})"
            ) from None

    def apply(
        self,
        manifests: list[Manifest],
        *,
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> int:
        """Server-side apply each object, taking over fields others set; the number applied."""
        for manifest in manifests:
            obj = _load(manifest)
            with self._calling(f"apply {describe(manifest)}"):
                try:
                    self.client.apply(obj, force=True, dry_run=dry_run, field_manager=field_manager)
                except ApiError as error:
                    raise HarnessError(
                        f"the cluster refused {describe(manifest)}: {error.status.message}"
                    ) from None
        return len(manifests)

    def try_apply(
        self,
        manifests: list[Manifest],
        *,
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> str | None:
        """None when the API server (and its admission webhooks) accepted them; else why not."""
        try:
            self.apply(manifests, dry_run=dry_run, field_manager=field_manager)
        except HarnessError as error:
            return str(error)
        return None

    def get(self, resource: Any, name: str, namespace: str | None = None) -> Manifest | None:
        with self._calling(f"read {name}"):
            try:
                return _as_dict(self.client.get(resource, name, namespace=namespace))
            except ApiError as error:
                if error.status.code == 404:
                    return None
                raise

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
        with self._calling("list objects"):
            found = self.client.list(resource, namespace=namespace, labels=selector)
            return [_as_dict(obj) for obj in found]

    def served_objects(self, resource: Any) -> list[Manifest]:
        """Objects of a custom kind in every namespace, none when the cluster lacks the kind."""
        with self._calling("list objects"):
            try:
                return [_as_dict(obj) for obj in self.client.list(resource, namespace="*")]
            except ApiError as error:
                if error.status.code == 404:
                    return []
                raise

    def delete(self, resource: Any, name: str, namespace: str | None = None) -> None:
        with self._calling(f"delete {name}"):
            try:
                self.client.delete(resource, name, namespace=namespace)
            except ApiError as error:
                if error.status.code != 404:
                    raise

    def load_balancer_services(self) -> list[Manifest]:
        return [s for s in self.objects(Service) if s["spec"].get("type") == "LoadBalancer"]

    def pods(self, namespace: str, labels: Mapping[str, str]) -> list[Manifest]:
        return self.objects(Pod, namespace=namespace, labels=labels)

    def log(self, pod: str, namespace: str, *, follow: bool, tail: int | None) -> Iterator[str]:
        with self._calling(f"read the log of {pod}"):
            yield from self.client.log(pod, namespace=namespace, follow=follow, tail_lines=tail)

    def service_proxy(self, namespace: str, service: str, port: str, path: str) -> Any:
        """GET `path` from a Service's port through the API server's proxy, as JSON."""
        url = f"/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{path.lstrip('/')}"
        params = ConnectionParams(timeout=httpx2.Timeout(self.timeout))
        with (
            self._calling(f"read {path} of Service {namespace}/{service}"),
            HttpClient(self.config, params) as http,
        ):
            response = http.get(url)
            response.raise_for_status()
            try:
                return response.json()
            except ValueError:
                raise HarnessError(f"{url} answered {response.text[:80]!r}, not JSON") from None

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
            with self._calling(f"watch {target.what}"):
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
        raise HarnessError(f"the watch on {target.what} ended")


def _reason(error: httpx2.HTTPError) -> str:
    if isinstance(error, httpx2.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return str(error) or type(error).__name__


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
