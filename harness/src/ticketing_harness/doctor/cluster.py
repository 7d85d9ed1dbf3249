"""`ticketing doctor` for dev clusters: tools, Docker, ports, the known traps; each with a fix."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.networking_v1 import Ingress

from ticketing_harness.binaries import find_binary
from ticketing_harness.certificates import CertificateFiles
from ticketing_harness.clusters.commands import PACKAGES, Runner
from ticketing_harness.clusters.controllers import INGRESS_NGINX_RELEASE
from ticketing_harness.clusters.kube import Kube
from ticketing_harness.clusters.naming import PLACEHOLDER_REGISTRY
from ticketing_harness.clusters.spec import refuse_container_registry
from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.clusters.tools import (
    TOOLS,
    UNPRIVILEGED_PORT_START,
    container_engine,
    docker_answers,
    ensure_binds,
)
from ticketing_harness.doctor.findings import Check, checked
from ticketing_harness.errors import HarnessError
from ticketing_harness.hosts_file import DEFAULT_HOSTS_FILE
from ticketing_harness.local.layout import Layout

Manifest = dict[str, Any]
# kind's known-issues page: below these, clusters fail with "too many open files".
INOTIFY_MINIMUMS = {"max_user_watches": 524288, "max_user_instances": 512}
WINDOWS_HOSTS = "/mnt/c/Windows/System32/drivers/etc/hosts"
SYSTEM_TRUST = Path("/etc/ssl/certs/ca-certificates.crt")


def cluster_checks(layout: Layout, runner: Runner | None = None) -> list[Check]:
    """Notes for `ticketing cluster`: none of them stops `ticketing up`."""
    runner = runner or Runner(timeout=20)
    records = list(_records(layout))
    tools = [
        checked(f"{name} (cluster)", False, lambda tool=TOOLS[name]: tool.check(runner))  # type: ignore[misc]
        for name in ("kind", "kubectl", "docker", "skaffold")
    ]
    # The cloud CLIs answer slowly; being installed is what matters here.
    tools += [
        checked(f"{name} ({provider})", False, lambda name=name: _installed(name))  # type: ignore[misc]
        for name, provider in (("gcloud", "gke"), ("eksctl", "eks"), ("aws", "eks"))
    ]
    return [
        *tools,
        checked("Docker engine (kind)", False, lambda: docker_answers(runner)),
        checked("ports 80 and 443 (kind)", False, _kind_ports),
        checked("rootless engine (kind)", False, lambda: _binds_ingress_ports(runner)),
        checked("inotify limits (kind)", False, _inotify),
        checked("hosts file writable", False, _hosts_writable),
        checked("WSL hosts file", False, _wsl),
        checked("ticketing.dev certificate trusted", False, lambda: _trusted(layout)),
        checked("ingress-nginx", False, _ingress_nginx_retired),
        checked("image registry names", False, lambda: _registries(records)),
        *[check for record in records for check in _live_checks(record)],
    ]


def latest_images(deployments: list[Manifest]) -> list[str]:
    """Containers that run `:latest` (or no tag) and may pull it: kind never has it to pull.
    Also ours still named as in clusters/ (applied without `ticketing cluster`)."""
    found = []
    for deployment in deployments:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            image = container["image"]
            tag = image.rsplit("/", 1)[-1].partition("@")[0]
            untagged_or_latest = ":" not in tag or tag.endswith(":latest")
            placeholder = image.startswith(f"{PLACEHOLDER_REGISTRY}/")
            if (untagged_or_latest or placeholder) and container.get("imagePullPolicy") != "Never":
                found.append(f"{deployment['metadata']['name']}/{container['name']} ({image})")
    return found


def ingresses_without_class(ingresses: list[Manifest]) -> list[str]:
    """Ingresses ingress-nginx 1.0+ ignores: no spec.ingressClassName."""
    return [
        f"{i['metadata'].get('namespace')}/{i['metadata']['name']}"
        for i in ingresses
        if not (i.get("spec") or {}).get("ingressClassName")
    ]


def _records(layout: Layout) -> Iterator[ClusterRecord]:
    for path in sorted((layout.root / "clusters").glob("*/cluster.json")):
        record = ClusterRecord.load(path)
        if record is not None:
            yield record


def _installed(name: str) -> str:
    found = find_binary(name)
    if found is None:
        raise HarnessError(f"not installed: install {PACKAGES[name]}")
    return str(found)


def _kind_ports() -> str:
    from ticketing_harness.clusters.preflight import ensure_port_free

    for port in (80, 443):
        ensure_port_free(port, "kind maps ports 80 and 443 to the ingress controller")
    return "free"


def _binds_ingress_ports(runner: Runner) -> str:
    engine = container_engine(runner)
    ensure_binds(engine, (80, 443), UNPRIVILEGED_PORT_START)
    return f"{engine.name} may bind ports 80 and 443" + (" (rootless)" if engine.rootless else "")


def _inotify() -> str:
    values = {}
    for name, minimum in INOTIFY_MINIMUMS.items():
        path = Path("/proc/sys/fs/inotify") / name
        if not path.exists():
            return "not Linux: no limit to check"
        values[name] = int(path.read_text())
        if values[name] < minimum:
            settings = " ".join(f"fs.inotify.{n}={m}" for n, m in INOTIFY_MINIMUMS.items())
            raise HarnessError(
                f"fs.inotify.{name} is {values[name]}, kind needs {minimum}: run"
                f" `sudo sysctl {settings}` (and add them to /etc/sysctl.conf)"
            )
    return ", ".join(f"{n}={v}" for n, v in values.items())


def _hosts_writable() -> str:
    if os.access(DEFAULT_HOSTS_FILE, os.W_OK):
        return f"{DEFAULT_HOSTS_FILE} is writable"
    raise HarnessError(
        f"{DEFAULT_HOSTS_FILE} needs root: `ticketing cluster create` prints the"
        " `sudo $(which ticketing) hosts add --ip ...` to run"
    )


def _wsl() -> str:
    release = Path("/proc/sys/kernel/osrelease")
    if not (release.exists() and "microsoft" in release.read_text().lower()):
        return "not WSL"
    raise HarnessError(
        "WSL: the Windows browser reads the Windows hosts file, not this one: from a terminal"
        f" run as administrator, `ticketing hosts add --hosts-file {WINDOWS_HOSTS}`"
    )


def _trusted(layout: Layout) -> str:
    ca = CertificateFiles(layout.certs_dir).ca_certificate
    hint = (
        "ticketing.dev is on the HSTS preload list, so browsers refuse an untrusted certificate"
        " (no 'thisisunsafe'): run `ticketing certs` and trust the CA as it says"
    )
    if not ca.exists():
        raise HarnessError(f"no local CA yet; {hint}")
    body = "".join(ca.read_text().split("-----")[2].split())
    if SYSTEM_TRUST.exists() and body in "".join(SYSTEM_TRUST.read_text().split()):
        return f"{ca} is in the system trust store"
    raise HarnessError(f"{ca} is not in {SYSTEM_TRUST}; {hint}")


def _ingress_nginx_retired() -> str:
    raise HarnessError(
        f"retired upstream since March 2026 (no fixes); `--ingress nginx` pins"
        f" {INGRESS_NGINX_RELEASE}. The default, --ingress gateway, is the Gateway API with"
        " NGINX Gateway Fabric"
    )


def _registries(records: list[ClusterRecord]) -> str:
    names = [r.registry for r in records if r.registry]
    names += [os.environ[v] for v in ("SKAFFOLD_DEFAULT_REPO",) if os.environ.get(v)]
    for name in names:
        refuse_container_registry(name)
    return ", ".join(names) if names else "defaults (Artifact Registry, ECR)"


def _live_checks(record: ClusterRecord) -> list[Check]:
    """Traps in a running cluster: `:latest` images on kind, Ingresses without a class."""
    label = f"cluster {record.name}"
    try:
        kube = Kube(Path(record.kubeconfig), record.context, timeout=3.0)
        try:
            deployments = kube.objects(Deployment)
            ingresses = kube.objects(Ingress)
        finally:
            kube.close()
    except (HarnessError, OSError) as error:
        return [Check(label, False, False, f"not reachable ({_first_line(error)})")]
    checks = [Check(label, False, True, f"reachable (context {record.context})")]
    latest = latest_images(deployments) if record.provider == "kind" else []
    checks.append(
        Check(
            f"{label}: image tags",
            False,
            not latest,
            "no :latest"
            if not latest
            else f"{', '.join(latest)}: kind cannot pull these; tag"
            " images from the git commit and name them on the local registry"
            " (`ticketing cluster deploy` does)",
        )
    )
    unclassed = ingresses_without_class(ingresses)
    checks.append(
        Check(
            f"{label}: Ingress classes",
            False,
            not unclassed,
            "every Ingress names its class"
            if not unclassed
            else f"{', '.join(unclassed)}:"
            " ingress-nginx ignores them (404); set spec.ingressClassName: nginx",
        )
    )
    return checks


def _first_line(error: BaseException) -> str:
    return re.split(r"[\r\n]", str(error), maxsplit=1)[0]
