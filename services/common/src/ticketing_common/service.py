"""The one way a service runs: its `bootstrap` builds a typed object the app holds while it runs.

`ticketing_common.http.create_app` takes the bootstrap, and its lifespan calls
`service_lifespan`; routes reach the object through a typed dependency:

    # tickets/deps.py
    TicketsDep = Annotated[Tickets, Depends(service_dependency(Tickets))]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar

from fastapi import FastAPI, Request

from ticketing_common.health import ReadinessCheck, register_readiness_check


class Service(Protocol):
    """What every running service object offers: its readiness checks and a clean stop."""

    def readiness_checks(self) -> Mapping[str, ReadinessCheck]: ...

    async def stop(self) -> None: ...


ServiceT = TypeVar("ServiceT", bound=Service)
Bootstrap = Callable[[], Awaitable[Service]]


def service_lifespan(
    bootstrap: Bootstrap,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that starts the service, makes `/readyz` check it and stops it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await bootstrap()
        app.state.service = service
        for name, check in service.readiness_checks().items():
            register_readiness_check(app, name, check)
        try:
            yield
        finally:
            await service.stop()

    return lifespan


def service_dependency(cls: type[ServiceT]) -> Callable[[Request], Awaitable[ServiceT]]:
    """A FastAPI dependency answering the app's running service, typed as `cls`."""

    # async: FastAPI would run a plain function in a worker thread on every request.
    async def running_service(request: Request) -> ServiceT:
        service = request.app.state.service
        if not isinstance(service, cls):
            raise TypeError(f"the app runs {type(service).__name__}, not {cls.__name__}")
        return service

    return running_service
