"""What the auth routes depend on: the running service and the client's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from auth.bootstrap import Auth
from ticketing_common.service import service_dependency


def _client_address(request: Request) -> str:
    """The client's address: the peer's, or behind a trusted proxy the one it forwards.

    uvicorn takes it from X-Forwarded-For only when the peer is in FORWARDED_ALLOW_IPS
    (loopback by default: the local gateway); see docs/security.md.
    """
    return request.client.host if request.client else "unknown"


AuthDep = Annotated[Auth, Depends(service_dependency(Auth))]
ClientAddress = Annotated[str, Depends(_client_address)]
