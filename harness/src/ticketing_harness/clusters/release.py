"""Steps 4 and 6: the Secrets, and the manifests applied server-side until rolled out."""

from __future__ import annotations

import time
from typing import Any

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.clusters import readiness
from ticketing_harness.clusters.ingress import namespace
from ticketing_harness.clusters.manifests import release_manifests, render_command
from ticketing_harness.clusters.naming import FIELD_MANAGER, NAMESPACE
from ticketing_harness.clusters.publish import images
from ticketing_harness.clusters.secrets import ensure_credentials, redacted, secret_manifests
from ticketing_harness.clusters.session import Session

Manifest = dict[str, Any]
SECRET_NAMES = (
    "ticketing-jwt (JWT_KEY) and ticketing-csrf (CSRF_KEY), generated once and kept",
    "ticketing-postgres (a password and DATABASE_URL per service)",
    "ticketing-nats, ticketing-redis (password, URL, and the server's configuration file)",
    "ticketing-stripe (STRIPE_SECRET_KEY from the environment, else localstripe's)",
    "ticketing-tls (ticketing.dev, signed by the `ticketing certs` CA)",
)


def plan_secrets(session: Session) -> list[str]:
    where = session.files.secrets
    lines = [f"keep generated credentials in {where} (mode 0600)"]
    return lines + [f"API: server-side apply Secret {name}" for name in SECRET_NAMES]


def run_secrets(session: Session) -> str:
    kube = session.kube
    kube.apply([namespace(session)])
    credentials = ensure_credentials(
        session.files.secrets, lambda name: kube.secret_data(name, NAMESPACE)
    )
    certificates, _ = ensure_certificates(session.certs_dir)
    manifests = secret_manifests(credentials, session.stripe_key, certificates)
    kube.apply(manifests)
    return "; ".join(redacted(manifest) for manifest in manifests)


def plan_deploy(session: Session) -> list[str]:
    files = session.files
    return [
        f"write {files.manifests}/kustomization.yaml (overlay {session.cloud.overlay},"
        f" routing {session.spec.ingress}"
        + (", localstripe" if session.localstripe else "")
        + f", images in {session.cloud.registry(None)})",
        f"write {files.release}/kustomization.yaml (images tagged from the git commit)",
        str(render_command(files.release)),
        f"API: server-side apply of every rendered object (field manager {FIELD_MANAGER})",
        "API: watch each Deployment and StatefulSet until rolled out",
    ]


def run_deploy(session: Session) -> str:
    deadline = time.monotonic() + session.timeout
    manifests = release_manifests(
        session.files,
        session.repo,
        session.composition(session.registry),
        images(session),
        session.runner,
    )
    kube = session.kube
    kube.apply(manifests)
    targets = [t for t in map(readiness.rollout_target, manifests) if t is not None]
    kube.wait_all(targets, max(deadline - time.monotonic(), 1.0))
    session.remember(done="deploy")
    return f"applied {len(manifests)} objects; {len(targets)} workloads rolled out"
