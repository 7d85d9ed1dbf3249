"""The service's FastAPI app: one place that turns every error into a response, and serving it.

Every error answers `{"errors": [{"message": ..., "field": ...}]}` (`field` only when one
is at fault):

- an `AppError` raised anywhere: its status and details;
- invalid input: 400, one entry per problem, `field` naming the body field or query
  parameter; messages are the validators' own texts (see `ticketing_common.validation`);
- a body that is not JSON: 400 "Request body is not valid JSON" (with a JSON content
  type), or "Request body must be a JSON object" (another content type, or not an object);
- an unknown route: 404 "Not Found"; a known path with the wrong method: 405, its `Allow`
  naming every method the path's routes take;
- anything else: 500 "Something went wrong", logged with its traceback, never shown.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketing_common import health
from ticketing_common.auth import AuthConfig
from ticketing_common.config import ServiceSettings, SettingsError, SettingsT, load_settings
from ticketing_common.errors import AppError, ErrorDetail
from ticketing_common.logs import configure_logging
from ticketing_common.openapi import ERROR_RESPONSES
from ticketing_common.service import Bootstrap, service_lifespan
from ticketing_common.validation import readable_message

logger = logging.getLogger(__name__)

_INPUT_SOURCES = {"body", "query", "path", "header", "cookie"}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_NOT_AN_OBJECT = {"model_attributes_type", "model_type", "dict_type"}


def create_app(
    *,
    title: str,
    settings: ServiceSettings,
    bootstrap: Bootstrap | None = None,
    routers: Iterable[APIRouter] = (),
) -> FastAPI:
    """A FastAPI app running the service `bootstrap` starts, with health routes and error handlers.

    Settings and session config are on `app.state` from the start; the service object
    while the app runs (see `ticketing_common.service`).
    """
    lifespan = service_lifespan(bootstrap) if bootstrap is not None else None
    app = FastAPI(title=title, lifespan=lifespan)
    app.state.settings = settings
    app.state.auth_config = AuthConfig.from_settings(settings)
    app.include_router(health.router)
    for router in routers:
        app.include_router(router, responses=ERROR_RESPONSES)
    for exc_class, handler in _HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    app.add_middleware(_UnexpectedErrors)
    return app


def run_service(settings_cls: type[SettingsT], app_factory: Callable[[SettingsT], FastAPI]) -> None:
    """Entry point: load settings (exit 2 with one line on stderr if invalid), log, serve."""
    try:
        settings = load_settings(settings_cls)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(app_factory(settings), host=settings.host, port=settings.port, log_config=None)


def error_response(
    status_code: int, details: Sequence[ErrorDetail], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one shape of every error answer."""
    body = {"errors": [detail.to_json() for detail in details]}
    return JSONResponse(body, status_code=status_code, headers=headers)


def validation_details(errors: Sequence[Any]) -> list[ErrorDetail]:
    """One detail per pydantic error, naming the field; a JSON syntax error is reported alone."""
    if any(error["type"] == "json_invalid" for error in errors):
        return [ErrorDetail("Request body is not valid JSON")]
    return [_validation_detail(error) for error in errors]


def _validation_detail(error: Any) -> ErrorDetail:
    loc = tuple(error["loc"])
    if loc == ("body",) and error["type"] == "missing":
        return ErrorDetail("Request body is required")
    if loc == ("body",) and error["type"] in _NOT_AN_OBJECT:
        return ErrorDetail("Request body must be a JSON object")
    path = loc[1:] if loc and loc[0] in _INPUT_SOURCES else loc
    field = next((part for part in reversed(path) if isinstance(part, str)), None)
    return ErrorDetail(readable_message(error), field)


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    return error_response(exc.status_code, exc.details, headers=exc.headers)


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(400, validation_details(exc.errors()))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    headers = exc.headers
    if exc.status_code == 405:
        # Starlette names only the first route of the path; the path may have several.
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    return error_response(exc.status_code, [ErrorDetail(str(exc.detail))], headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


_HANDLERS: dict[type[Exception], Callable[..., Awaitable[JSONResponse]]] = {
    AppError: _app_error,
    RequestValidationError: _invalid_request,
    HTTPException: _http_error,
}


class _UnexpectedErrors:
    """Answer 500 for an exception nothing else handled, and log it with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = error_response(500, [ErrorDetail("Something went wrong")])
            await response(scope, receive, send)
