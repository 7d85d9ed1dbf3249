"""Wires the web client: the HTTP connection pool to the APIs behind the gateway."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from client.api import Api, cookieless_jar
from client.config import ClientSettings
from ticketing_common.health import ReadinessCheck


@dataclass
class Client:
    """The running web client."""

    settings: ClientSettings
    api: Api

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        """None: the client serves pages (and says when an API is down) without any server."""
        return {}

    async def stop(self) -> None:
        await self.api.http.aclose()


async def bootstrap(settings: ClientSettings) -> Client:
    """Open the connection pool to the gateway."""
    http = httpx.AsyncClient(
        base_url=settings.api_base_url,
        timeout=settings.api_timeout_seconds,
        cookies=cookieless_jar(),
    )
    return Client(settings, Api(http))
