"""The web client's ASGI app: pages, static files, health routes, around what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from client import order_pages, pages, ticket_pages
from client.bootstrap import bootstrap
from client.config import ClientSettings
from client.csrf import CsrfGuard, CsrfRefused, VisitorCookie
from client.rendering import PACKAGE_DIR, templates
from ticketing_common import health
from ticketing_common.errors import ErrorDetail
from ticketing_common.http import error_response
from ticketing_common.service import service_lifespan
from ticketing_common.tracing import RequestIds


def create_app(settings: ClientSettings) -> FastAPI:
    """The client, calling the APIs at `settings.api_base_url`."""
    app = FastAPI(
        title="ticketing client",
        lifespan=service_lifespan(lambda: bootstrap(settings)),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.csrf = CsrfGuard(settings.csrf_signing_key)
    app.include_router(health.router)
    for pages_of_one_kind in (pages, ticket_pages, order_pages):
        app.include_router(pages_of_one_kind.router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_middleware(VisitorCookie)
    app.add_middleware(RequestIds)
    return app


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    """A form from elsewhere, or without this visitor's token: a 403 page that says what to do."""
    context = {"current_user": None, "reason": str(exc)}
    return templates.TemplateResponse(request, "forbidden.html", context, status_code=403)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown pages get the site's own 404 page; unknown API paths, the API's error body."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if isinstance(exc, HTTPException) and request.url.path.startswith("/api/"):
        return error_response(status, [ErrorDetail(str(exc.detail))])
    context = {"current_user": None, "what": "page"}
    return templates.TemplateResponse(request, "not_found.html", context, status_code=status)
