"""A service process: refuses bad settings with one line and exit 2, else serves and logs JSON."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys

import httpx

from ticketing_common.config import ServiceSettings, env_var_name

ENTRY_POINT = """
from ticketing_common.config import ServiceSettings
from ticketing_common.http import create_app, run_service

run_service(ServiceSettings, lambda settings: create_app(title="demo", settings=settings))
"""
STARTUP_DEADLINE_SECONDS = 30.0


def service_environment(**variables: str) -> dict[str, str]:
    settings_variables = {
        env_var_name(ServiceSettings, name) for name in ServiceSettings.model_fields
    }
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in settings_variables}
    return {**inherited, **variables}


async def start_service(**variables: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY_POINT,
        env=service_environment(**variables),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_variable_exits_2_with_one_line_on_stderr() -> None:
    process = await start_service(SERVICE_NAME="demo")
    async with asyncio.timeout(STARTUP_DEADLINE_SECONDS):
        stdout, stderr = await process.communicate()

    assert process.returncode == 2
    assert stderr.decode() == "Missing required environment variable JWT_KEY\n"
    assert stdout == b""


async def test_service_serves_http_and_logs_one_json_line_per_record() -> None:
    process = await start_service(SERVICE_NAME="demo", JWT_KEY="dev-key", PORT="0")
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(STARTUP_DEADLINE_SECONDS):
            while not (address := re.search(r"running on (http://\S+)", "".join(lines))):
                line = await process.stderr.readline()
                assert line, f"service exited before serving: {lines}"
                lines.append(line.decode())
        async with httpx.AsyncClient(base_url=address.group(1)) as client:
            health = await client.get("/healthz")
            missing = await client.get("/nowhere")
    finally:
        process.terminate()
        async with asyncio.timeout(STARTUP_DEADLINE_SECONDS):
            rest, _ = await asyncio.gather(process.stderr.read(), process.wait())
    lines.extend(rest.decode().splitlines(keepends=True))

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (missing.status_code, missing.json()) == (404, {"errors": [{"message": "Not Found"}]})
    records = [json.loads(line) for line in lines]
    assert {record["service"] for record in records} == {"demo"}
    # Each request once, with its id; the probes of /healthz and /readyz are not logged.
    requests = [record for record in records if record["logger"] == "ticketing.requests"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [("GET", "/nowhere", 404)]
    assert requests[0]["correlation_id"] == missing.headers["x-request-id"]
