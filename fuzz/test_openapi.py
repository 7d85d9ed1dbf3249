"""Fuzz each service's HTTP API with schemathesis, every check on, against its own OpenAPI.

Each of auth, tickets, orders and payments runs in process under uvicorn on a free port, on
real PostgreSQL, NATS (and localstripe); schemathesis generates valid and invalid requests
from the document the service serves and fails on any 5xx, an undocumented status, content
type or header, a body that breaks its schema, valid data refused or invalid data accepted,
a method answered that the document does not list, and more (`st explain`). Known business
refusals of valid data are listed in fuzz/schemathesis.toml.

    uv run pytest fuzz -n 2                      # FUZZ_MAX_EXAMPLES=100 and FUZZ_SEED=1 by default
    FUZZ_MAX_EXAMPLES=500 FUZZ_SEED=7 uv run pytest fuzz
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from auth.app import create_app as create_auth_app
from auth.config import Settings as AuthSettings
from orders.app import create_app as create_orders_app
from orders.config import Settings as OrdersSettings
from payments.app import create_app as create_payments_app
from payments.config import Settings as PaymentsSettings
from ticketing_common.auth import AuthConfig, new_claims, sign_session
from ticketing_common.config import ServiceSettings, load_settings
from tickets.app import create_app as create_tickets_app
from tickets.config import Settings as TicketsSettings

from .conftest import uvicorn_server

JWT_KEY = "fuzzing-signing-key-of-at-least-32-characters"
CONFIG = Path(__file__).with_name("schemathesis.toml")
FUZZ_SECONDS = 1800

pytestmark = pytest.mark.timeout(FUZZ_SECONDS + 120)


def schemathesis(base_url: str, workdir: Path, session: str) -> subprocess.CompletedProcess[str]:
    """Run the schemathesis command line against the running service's OpenAPI document."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "100"),
        "--seed",
        os.environ.get("FUZZ_SEED", "1"),
        "--workers",
        "1",
    ]
    return subprocess.run(
        command,
        cwd=workdir,
        env={**os.environ, "FUZZ_SESSION": session},
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS,
        check=False,
    )


def fuzz(app: FastAPI, workdir: Path, settings: ServiceSettings) -> None:
    """Fuzz the app, signed in as a user of its own when a route asks for one."""
    config = AuthConfig.from_settings(settings)
    claims = new_claims(user_id=str(uuid.uuid4()), email="fuzz@example.com", config=config)
    session = sign_session(claims, config)
    with uvicorn_server(app) as base_url:
        result = schemathesis(base_url, workdir, session)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


def test_auth_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    # Rationing is generous: the fuzzer is one address making thousands of attempts.
    settings = load_settings(
        AuthSettings,
        **_common(database_dsn, nats_url),
        signin_rate_per_address="100000/minute",
        signin_rate_per_account="100000/minute",
        signin_at_once_per_account=100,
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
    )
    fuzz(create_auth_app(settings), tmp_path, settings)


def test_tickets_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    settings = load_settings(TicketsSettings, **_common(database_dsn, nats_url))
    fuzz(create_tickets_app(settings), tmp_path, settings)


def test_orders_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    settings = load_settings(OrdersSettings, **_common(database_dsn, nats_url))
    fuzz(create_orders_app(settings), tmp_path, settings)


def test_payments_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, stripe_api_base: str, tmp_path: Path
) -> None:
    settings = load_settings(
        PaymentsSettings,
        **_common(database_dsn, nats_url),
        stripe_secret_key="sk_test_fuzz",
        stripe_api_base=stripe_api_base,
    )
    fuzz(create_payments_app(settings), tmp_path, settings)


def _common(database_dsn: str, nats_url: str) -> dict[str, Any]:
    return {
        "database_url": database_dsn,
        "nats_url": nats_url,
        "jwt_key": JWT_KEY,
        "environment": "test",
        "plain_http": True,
    }
