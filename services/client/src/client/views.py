"""What the page handlers share: a router checking CSRF, pages with the signed-in user,
redirects, and how API answers become page statuses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from client.api import Api, ApiResponse, FormErrors
from client.csrf import verify_csrf
from client.rendering import templates
from ticketing_common.paging import MAX_OFFSET

FormText = Annotated[str, Form()]


def page_router() -> APIRouter:
    """A router whose every POST is checked for its origin and its CSRF token (client.csrf)."""
    return APIRouter(dependencies=[Depends(verify_csrf)])


async def page(
    request: Request, api: Api, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render `template` with the signed-in user, for the header."""
    context.setdefault("current_user", await api.current_user(request))
    context.setdefault("errors", FormErrors())
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str, api_response: ApiResponse | None = None) -> RedirectResponse:
    """A 303 to `url`, relaying the cookies the API set (sign-in, sign-up, sign-out)."""
    response = RedirectResponse(url, status_code=303)
    for cookie in api_response.set_cookies if api_response else ():
        response.headers.append("set-cookie", cookie)
    return response


def signin_redirect(request: Request) -> RedirectResponse:
    """To the sign-in form, which comes back to this page."""
    return redirect(f"/auth/signin?next={request.url.path}")


def error_status(response: ApiResponse) -> int:
    """The page's status for an API error: the API's own, or 502 when it gave none."""
    return response.status if 400 <= response.status < 600 else 502


def number(text: str) -> float | str:
    """A number when the text is one; otherwise the text, for the API to reject by field."""
    try:
        return float(text)
    except ValueError:
        return text


def offset_of(request: Request) -> int:
    """The page's offset from the query; anything but a number in bounds is the first page."""
    text = request.query_params.get("offset", "")
    return int(text) if text.isdigit() and int(text) <= MAX_OFFSET else 0


def listed(response: ApiResponse) -> list[dict[str, Any]]:
    """The items of a list the API answered, or none."""
    return response.body if response.ok and isinstance(response.body, list) else []
