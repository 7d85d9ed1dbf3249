"""Liveness and readiness endpoints; the service's bootstrap registers what readiness checks.

    register_readiness_check(app, "database", runtime.database_ready)

A check is an async callable answering whether its dependency is ready; raising counts
as not ready. `GET /healthz` answers 200 while the process serves HTTP. `GET /readyz`
runs every check concurrently: 200 with each check's status when all pass, otherwise
503 naming each check that answered False, raised or outlasted `READINESS_TIMEOUT_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from ticketing_common.errors import ErrorDetail

ReadinessCheck = Callable[[], Awaitable[bool]]
READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


def register_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    """Make `GET /readyz` fail while `check` is not ready; a name registered twice is replaced."""
    readiness_checks(app)[name] = check


def readiness_checks(app: FastAPI) -> dict[str, ReadinessCheck]:
    """The checks `GET /readyz` runs, by name."""
    if not hasattr(app.state, "readiness_checks"):
        app.state.readiness_checks = {}
    checks: dict[str, ReadinessCheck] = app.state.readiness_checks
    return checks


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive as long as the process answers HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when every registered check passes."""
    checks = readiness_checks(request.app)
    passed = await asyncio.gather(*(_passes(name, check) for name, check in checks.items()))
    failing = [name for name, ok in zip(checks, passed, strict=True) if not ok]
    if failing:
        errors = [ErrorDetail(f"Readiness check failed: {name}").to_json() for name in failing]
        return JSONResponse({"errors": errors}, status_code=503)
    return JSONResponse({"status": "ok", "checks": {name: "ok" for name in checks}})


async def _passes(name: str, check: ReadinessCheck) -> bool:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            ready = await check()
    except Exception:
        logger.warning("Readiness check %r failed", name, exc_info=True)
        return False
    if not ready:
        logger.warning("Readiness check %r: not ready", name)
    return ready
