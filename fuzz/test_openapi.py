"""Fuzz each service's HTTP API with schemathesis against its own OpenAPI document.

Each service runs in process under uvicorn on a free port, on real PostgreSQL (and NATS);
schemathesis generates valid and invalid requests from the document the service serves and
fails on any 5xx, an undocumented status or content type, or a body that breaks its schema.

    uv run pytest fuzz -n 2                      # FUZZ_MAX_EXAMPLES=100 and FUZZ_SEED=1 by default
    FUZZ_MAX_EXAMPLES=500 FUZZ_SEED=7 uv run pytest fuzz
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

from auth.app import create_app as create_auth_app
from auth.config import Settings as AuthSettings
from ticketing_common.auth import AuthConfig
from ticketing_common.config import load_settings
from ticketing_harness.testing.sessions import session_headers
from tickets.app import create_app as create_tickets_app
from tickets.config import Settings as TicketsSettings

from .conftest import uvicorn_server

JWT_KEY = "fuzzing-signing-key-of-at-least-32-characters"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
FUZZ_SECONDS = 1800

pytestmark = pytest.mark.timeout(FUZZ_SECONDS + 120)


def schemathesis(base_url: str, workdir: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    """Run the schemathesis command line against the running service's OpenAPI document."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--mode",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "100"),
        "--seed",
        os.environ.get("FUZZ_SEED", "1"),
        "--workers",
        "1",
        *(option for header in headers for option in ("--header", header)),
    ]
    return subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=FUZZ_SECONDS, check=False
    )


def fuzz(app: FastAPI, workdir: Path, *headers: str) -> None:
    with uvicorn_server(app) as base_url:
        result = schemathesis(base_url, workdir, *headers)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


def test_auth_api_answers_every_request_as_documented(database_dsn: str, tmp_path: Path) -> None:
    settings = load_settings(
        AuthSettings,
        database_url=database_dsn,
        jwt_key=JWT_KEY,
        environment="test",
        plain_http=True,
    )
    fuzz(create_auth_app(settings), tmp_path)


def test_tickets_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        TicketsSettings,
        database_url=database_dsn,
        nats_url=nats_url,
        jwt_key=JWT_KEY,
        environment="test",
        plain_http=True,
    )
    cookie = session_headers(AuthConfig.from_settings(settings))["Cookie"]
    fuzz(create_tickets_app(settings), tmp_path, f"Cookie: {cookie}")
