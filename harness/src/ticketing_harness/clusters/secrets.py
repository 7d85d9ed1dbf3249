"""The cluster's Secrets: credentials generated once and kept, the Stripe key, the TLS certificate.

Values live in the cluster's `secrets.json` (mode 0600) in the state directory, so a second
`create` or `deploy` applies the same ones; a cluster that already holds them keeps them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ticketing_harness.certificates import CertificateFiles
from ticketing_harness.clusters import naming
from ticketing_harness.clusters.server_configs import (
    NATS_CONFIG_KEY,
    REDIS_CONFIG_KEY,
    NatsUser,
    nats_config,
    redis_config,
)
from ticketing_harness.components import DATABASES, SERVICES

Manifest = dict[str, Any]
# localstripe accepts any test-mode key.
LOCALSTRIPE_KEY = "sk_test_localstripe"
_NATS_USER = "ticketing"


@dataclass(frozen=True)
class Credentials:
    """Everything generated once per cluster."""

    jwt_key: str
    postgres_password: str
    database_passwords: dict[str, str]
    nats_password: str
    redis_password: str
    # The web client's form-token key: one for every replica, or forms fail between pods.
    csrf_key: str = field(default_factory=lambda: _token())


def generate() -> Credentials:
    return Credentials(
        jwt_key=_token(),
        postgres_password=_token(),
        database_passwords={database: _token() for database in DATABASES},
        nats_password=_token(),
        redis_password=_token(),
    )


def _token() -> str:
    # URL-safe, so it can sit inside the connection URLs as it is.
    return secrets.token_urlsafe(32)


def ensure_credentials(path: Path, in_cluster: Callable[[str], Mapping[str, str]]) -> Credentials:
    """The kept credentials; else the ones the cluster already has; else new ones. Kept."""
    if path.exists():
        return Credentials(**json.loads(path.read_text()))
    credentials = adopt(in_cluster) or generate()
    _write_private(path, json.dumps(asdict(credentials), indent=2) + "\n")
    return credentials


def adopt(in_cluster: Callable[[str], Mapping[str, str]]) -> Credentials | None:
    """The credentials in the cluster's Secrets, when all of them are there."""
    jwt = _decoded(in_cluster(naming.JWT_SECRET))
    csrf = _decoded(in_cluster(naming.CSRF_SECRET))
    postgres = _decoded(in_cluster(naming.POSTGRES_SECRET))
    nats = _decoded(in_cluster(naming.NATS_SECRET))
    redis = _decoded(in_cluster(naming.REDIS_SECRET))
    try:
        return Credentials(
            jwt_key=jwt["JWT_KEY"],
            postgres_password=postgres["POSTGRES_PASSWORD"],
            database_passwords={
                database: postgres[naming.database_password_key(database)] for database in DATABASES
            },
            nats_password=nats["password"],
            redis_password=redis["password"],
            csrf_key=csrf["CSRF_KEY"],
        )
    except KeyError:
        return None


def secret_manifests(
    credentials: Credentials, stripe_key: str | None, certificates: CertificateFiles
) -> list[Manifest]:
    """The Secrets the manifests read; without a Stripe key, payments use localstripe's."""
    postgres: dict[str, str] = {"POSTGRES_PASSWORD": credentials.postgres_password}
    for service in SERVICES:
        if service.database is None:
            continue
        password = credentials.database_passwords[service.database]
        postgres[naming.database_password_key(service.database)] = password
        postgres[naming.database_url_key(service)] = (
            f"postgresql://{service.database}:{password}@postgres:5432/{service.database}"
        )
    return [
        _secret(naming.JWT_SECRET, {"JWT_KEY": credentials.jwt_key}),
        _secret(naming.CSRF_SECRET, {"CSRF_KEY": credentials.csrf_key}),
        _secret(naming.POSTGRES_SECRET, postgres),
        _secret(
            naming.NATS_SECRET,
            {
                "user": _NATS_USER,
                "password": credentials.nats_password,
                "url": f"nats://{_NATS_USER}:{credentials.nats_password}@nats:4222",
                NATS_CONFIG_KEY: nats_config([NatsUser(_NATS_USER, credentials.nats_password)]),
            },
        ),
        _secret(
            naming.REDIS_SECRET,
            {
                "password": credentials.redis_password,
                "url": f"redis://:{credentials.redis_password}@redis:6379/0",
                REDIS_CONFIG_KEY: redis_config(credentials.redis_password),
            },
        ),
        _secret(naming.STRIPE_SECRET, {"STRIPE_SECRET_KEY": stripe_key or LOCALSTRIPE_KEY}),
        _secret(
            naming.TLS_SECRET,
            {
                "tls.crt": certificates.certificate.read_text(),
                "tls.key": certificates.key.read_text(),
            },
            kind="kubernetes.io/tls",
        ),
    ]


def redacted(manifest: Manifest) -> str:
    """`Secret name: key, key` without values, for plans and progress."""
    keys = ", ".join(sorted(manifest.get("data", {})))
    return f"Secret {manifest['metadata']['name']} ({keys})"


def _secret(name: str, data: dict[str, str], kind: str = "Opaque") -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": naming.NAMESPACE,
            "labels": {"app.kubernetes.io/part-of": naming.PART_OF},
        },
        "type": kind,
        # `data`, not `stringData`: server-side apply tracks the field the API server keeps.
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()},
    }


def _decoded(data: Mapping[str, str]) -> dict[str, str]:
    return {key: base64.b64decode(value).decode() for key, value in data.items()}


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
