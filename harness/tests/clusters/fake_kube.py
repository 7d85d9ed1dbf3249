"""A fake Kubernetes API server for tests: answers the paths `ticketing cluster` uses.

It keeps objects in memory, records every request, acts as the controllers would (workloads
roll out, ingress-nginx's admission Jobs patch its webhook's CA in and vanish, NGINX Gateway
Fabric keeps a Service per Gateway, load balancers get an address, garbage collection deletes
what a deleted object owned), proxies Service ports to real servers it is told of, and can
misbehave on purpose: an admission webhook that refuses the first dry-runs, a load balancer
slow to get an address.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Manifest = dict[str, Any]
_NAMESPACED = re.compile(
    r"^/(?P<api>api/v1|apis/[^/]+/[^/]+)/namespaces/(?P<ns>[^/]+)/(?P<plural>[^/]+)"
    r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>log))?$"
)
_CLUSTER = re.compile(r"^/(?P<api>api/v1|apis/[^/]+/[^/]+)/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?$")
_PROXY = re.compile(
    r"^/api/v1/namespaces/(?P<ns>[^/]+)/services/(?P<service>[^/]+)/proxy/(?P<path>.*)$"
)
WEBHOOK_REFUSAL = (
    'Internal error occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io":'
    ' failed to call webhook: Post "https://ingress-nginx-controller-admission.ingress-nginx'
    '.svc:443/networking/v1/ingresses?timeout=10s": dial tcp 10.96.0.10:443: connect: connection'
    " refused"
)


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Manifest | None


@dataclass
class Behaviour:
    """How the fake cluster misbehaves: counts of refusals and reads before things are ready."""

    webhook_refusals: int = 0
    load_balancer_reads: int = 0
    load_balancer_hostname: str | None = None
    # Reads of ingress-nginx's webhook configuration before its Jobs patched the CA in.
    admission_reads: int = 0


@dataclass
class FakeCluster:
    behaviour: Behaviour = field(default_factory=Behaviour)
    objects: dict[tuple[str, str | None, str, str], Manifest] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    reads: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    version: int = 0
    # (namespace, "service:port") -> the URL of a real server the API proxies that port to.
    service_proxies: dict[tuple[str, str], str] = field(default_factory=dict)

    def applied(self, namespace: str | None = None) -> list[Manifest]:
        """The bodies of every server-side apply that was not a dry-run."""
        return [
            r.body
            for r in self.requests
            if r.method == "PATCH"
            and r.body is not None
            and "dryRun" not in r.params
            and (namespace is None or r.body["metadata"].get("namespace") == namespace)
        ]

    def dry_runs(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PATCH" and "dryRun" in r.params]

    def get(self, plural: str, namespace: str | None, name: str) -> Manifest | None:
        return next(
            (
                o
                for (_, ns, p, n), o in self.objects.items()
                if (p, ns, n) == (plural, namespace, name)
            ),
            None,
        )

    def store(self, api: str, plural: str, body: Manifest) -> Manifest:
        self.version += 1
        namespace = body["metadata"].get("namespace")
        key = (api, namespace, plural, body["metadata"]["name"])
        previous = self.objects.get(key)
        generation = (previous or {}).get("metadata", {}).get("generation", 0) + 1
        body = json.loads(json.dumps(body))
        body["metadata"].update(resourceVersion=str(self.version), generation=generation)
        body["metadata"].setdefault(
            "creationTimestamp", f"2026-01-01T00:00:{self.version % 60:02d}Z"
        )
        self.objects[key] = body
        return body

    def install(self, url: str) -> None:
        """What `kubectl apply -f <controller manifest>` would leave in the cluster."""
        if "ingress-nginx" in url:
            kind = "/provider/kind/" in url
            self._put(
                "apps/v1", "deployments", _deployment("ingress-nginx", "ingress-nginx-controller")
            )
            # The admission Jobs run, patch the webhook's CA in and delete themselves at once.
            webhook = _object(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                None,
                "ingress-nginx-admission",
            )
            webhook["webhooks"] = [
                {
                    "name": "validate.nginx.ingress.kubernetes.io",
                    "admissionReviewVersions": ["v1"],
                    "sideEffects": "None",
                    "clientConfig": {
                        "service": {
                            "name": "ingress-nginx-controller-admission",
                            "namespace": "ingress-nginx",
                        }
                    },
                }
            ]
            self._put("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", webhook)
            self._put(
                "v1",
                "services",
                _service(
                    "ingress-nginx",
                    "ingress-nginx-controller",
                    "NodePort" if kind else "LoadBalancer",
                ),
            )
            slice_ = _object("discovery.k8s.io/v1", "EndpointSlice", "ingress-nginx", "admission-x")
            slice_["metadata"]["labels"] = {
                "kubernetes.io/service-name": "ingress-nginx-controller-admission"
            }
            slice_["addressType"] = "IPv4"
            slice_["endpoints"] = [{"addresses": ["10.0.0.9"], "conditions": {"ready": True}}]
            self._put("discovery.k8s.io/v1", "endpointslices", slice_)
        if url.endswith("deploy/default/deploy.yaml"):
            self._put("apps/v1", "deployments", _deployment("nginx-gateway", "nginx-gateway"))
            gateway_class = _object("gateway.networking.k8s.io/v1", "GatewayClass", None, "nginx")
            gateway_class["spec"] = {"controllerName": "gateway.nginx.org/nginx-gateway-controller"}
            gateway_class["status"] = {"conditions": [{"type": "Accepted", "status": "True"}]}
            self._put("gateway.networking.k8s.io/v1", "gatewayclasses", gateway_class)

    def _put(self, api_version: str, plural: str, body: Manifest) -> None:
        api = "api/v1" if api_version == "v1" else f"apis/{api_version}"
        self.store(api, plural, body)

    def observe(self, plural: str, obj: Manifest) -> Manifest:
        """The object as a reader sees it now: controllers act on what was applied."""
        key = f"{plural}/{obj['metadata'].get('namespace')}/{obj['metadata']['name']}"
        self.reads[key] = self.reads.get(key, 0) + 1
        reads = self.reads[key]
        spec = obj.get("spec") or {}
        if plural == "deployments":
            replicas = spec.get("replicas", 1)
            obj["status"] = {
                "observedGeneration": obj["metadata"]["generation"],
                "replicas": replicas,
                "updatedReplicas": replicas,
                "availableReplicas": replicas,
            }
        elif plural == "statefulsets":
            replicas = spec.get("replicas", 1)
            obj["status"] = {
                "replicas": replicas,
                "readyReplicas": replicas,
                "updatedReplicas": replicas,
                "currentRevision": "r1",
                "updateRevision": "r1",
            }
        elif plural == "validatingwebhookconfigurations" and reads > self.behaviour.admission_reads:
            for webhook in obj.get("webhooks") or []:
                webhook["clientConfig"]["caBundle"] = "LS0tLS1CRUdJTi0tLS0t"
        elif (
            plural == "services"
            and spec.get("type") == "LoadBalancer"
            and reads > self.behaviour.load_balancer_reads
        ):
            hostname = self.behaviour.load_balancer_hostname
            entry = {"hostname": hostname} if hostname else {"ip": "203.0.113.7"}
            obj["status"] = {"loadBalancer": {"ingress": [entry]}}
        return obj

    def gateway_service(self, namespace: str, gateway: str) -> None:
        """What NGINX Gateway Fabric keeps for a Gateway: its data plane's Service, owned by it."""
        service = _service(namespace, f"{gateway}-nginx", "LoadBalancer")
        service["metadata"]["ownerReferences"] = [
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "Gateway",
                "name": gateway,
                "uid": f"uid-{namespace}-{gateway}",
            }
        ]
        self._put("v1", "services", service)

    def remove(self, plural: str, namespace: str | None, name: str) -> bool:
        """Delete an object, then what it owned; NGINX Gateway Fabric re-creates the Service
        of a Gateway that still exists."""
        found = [k for k in self.objects if (k[2], k[1], k[3]) == (plural, namespace, name)]
        for key in found:
            deleted = self.objects.pop(key)
            owners = deleted["metadata"].get("ownerReferences") or []
            gateway = next((o["name"] for o in owners if o["kind"] == "Gateway"), None)
            if gateway and self.get("gateways", namespace, gateway) is not None:
                self.gateway_service(namespace or "", gateway)
            kind = deleted["kind"]
            owned = [
                (k[2], k[1], k[3])
                for k, o in list(self.objects.items())
                if k[1] == namespace
                and any(
                    r["kind"] == kind and r["name"] == name
                    for r in o["metadata"].get("ownerReferences") or []
                )
            ]
            for child in owned:
                self.remove(*child)
        return bool(found)


def _object(api_version: str, kind: str, namespace: str | None, name: str) -> Manifest:
    metadata: Manifest = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def _deployment(namespace: str, name: str) -> Manifest:
    deployment = _object("apps/v1", "Deployment", namespace, name)
    labels = {"app.kubernetes.io/name": name}
    deployment["spec"] = {
        "replicas": 1,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "controller", "image": "controller"}]},
        },
    }
    return deployment


def _service(namespace: str, name: str, kind: str) -> Manifest:
    service = _object("v1", "Service", namespace, name)
    service["spec"] = {"type": kind, "ports": [{"port": 443}]}
    return service


def _selected(obj: Manifest, params: dict[str, str]) -> bool:
    for clause in filter(None, params.get("labelSelector", "").split(",")):
        key, _, value = clause.partition("=")
        if (obj["metadata"].get("labels") or {}).get(key) != value:
            return False
    for clause in filter(None, params.get("fieldSelector", "").split(",")):
        key, _, value = clause.partition("=")
        if key == "metadata.name" and obj["metadata"]["name"] != value:
            return False
    return True


def _status(code: int, message: str, reason: str = "") -> Manifest:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@contextmanager
def fake_kube(cluster: FakeCluster) -> Iterator[str]:
    """Serve `cluster` on 127.0.0.1; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(
            self, code: int, body: Manifest | str, content_type: str = "application/json"
        ) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _parse(self) -> tuple[Request, re.Match[str] | None]:
            parts = urlsplit(self.path)
            params = {key: values[0] for key, values in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            request = Request(self.command, parts.path, params, body)
            with cluster.lock:
                cluster.requests.append(request)
            return request, _NAMESPACED.match(parts.path) or _CLUSTER.match(parts.path)

        def do_POST(self) -> None:
            request, _ = self._parse()
            if request.path == "/_fake/install" and request.body:
                with cluster.lock:
                    cluster.install(request.body["url"])
                self._reply(200, {})
            else:
                self._reply(404, _status(404, "not found", "NotFound"))

        def do_PATCH(self) -> None:
            request, match = self._parse()
            assert match is not None and request.body is not None, request.path
            body = request.body
            if match.groupdict().get("ns"):
                body["metadata"]["namespace"] = match["ns"]
            with cluster.lock:
                dry_run = "dryRun" in request.params
                if dry_run and body["kind"] == "Ingress" and cluster.behaviour.webhook_refusals > 0:
                    cluster.behaviour.webhook_refusals -= 1
                    self._reply(500, _status(500, WEBHOOK_REFUSAL, "InternalError"))
                    return
                stored = body if dry_run else cluster.store(match["api"], match["plural"], body)
                if not dry_run and body["kind"] == "Gateway":
                    cluster.gateway_service(match["ns"], body["metadata"]["name"])
            self._reply(200, stored)

        def do_DELETE(self) -> None:
            _, match = self._parse()
            assert match is not None
            with cluster.lock:
                found = cluster.remove(match["plural"], match.groupdict().get("ns"), match["name"])
            if found:
                self._reply(200, _status(200, "deleted"))
            else:
                self._reply(404, _status(404, "not found", "NotFound"))

        def do_GET(self) -> None:
            request, match = self._parse()
            proxied = _PROXY.match(request.path)
            if proxied is not None:
                self._proxy(proxied, urlsplit(self.path).query)
                return
            if match is None:
                self._reply(404, _status(404, "not found", "NotFound"))
                return
            namespace, plural, name = match.groupdict().get("ns"), match["plural"], match["name"]
            if match.groupdict().get("sub") == "log":
                self._reply(200, f"{name} started\n{name} ready\n", "text/plain")
                return
            with cluster.lock:
                if name is not None:
                    found = cluster.get(plural, namespace, name)
                    obj = cluster.observe(plural, json.loads(json.dumps(found))) if found else None
                else:
                    obj = None
                    items = [
                        cluster.observe(plural, json.loads(json.dumps(o)))
                        for (_, ns, p, _n), o in sorted(
                            cluster.objects.items(), key=lambda kv: str(kv[0])
                        )
                        if p == plural
                        and (namespace is None or ns == namespace)
                        and _selected(o, request.params)
                    ]
            if name is not None:
                if obj is None:
                    self._reply(404, _status(404, f'{plural} "{name}" not found', "NotFound"))
                else:
                    self._reply(200, obj)
                return
            if request.params.get("watch") == "true":
                self._watch(items)
                return
            self._reply(
                200,
                {
                    "kind": "List",
                    "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(cluster.version)},
                    "items": items,
                },
            )

        def _proxy(self, proxied: re.Match[str], query: str) -> None:
            """The API server's Service proxy: to the real server the test named, else 503."""
            base = cluster.service_proxies.get((proxied["ns"], proxied["service"]))
            if base is None:
                self._reply(503, _status(503, "no endpoints available", "ServiceUnavailable"))
                return
            url = f"{base}/{proxied['path']}" + (f"?{query}" if query else "")
            with urllib.request.urlopen(url, timeout=10) as answer:
                self._reply(200, answer.read().decode())

        def _watch(self, items: list[Manifest]) -> None:
            """The current state as ADDED events; then the stream ends and the client re-watches."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for item in items:
                line = (json.dumps({"type": "ADDED", "object": item}) + "\n").encode()
                self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            """A client closing its watch early is normal; stay quiet."""

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
