"""CSRF protection of the web client's forms: a token tied to the visitor, and their origin.

A page on another port of the same host is the same site, so the SameSite=Lax session
cookie travels with a form it posts here. Every POST to the client is therefore refused
(a 403 page) unless:

1. its `Origin` (or, when a browser sends none, its `Referer`) is this site itself, and
2. its `csrf_token` field is the HMAC, under CSRF_KEY, of the visitor's own random `csrf`
   cookie and of their session cookie: another visitor's token, or one from before a
   sign-in or sign-out, does not match.

The router checks every POST (`verify_csrf`); a form only needs one line in its template:

    <form method="post" action="/orders/{{ order.id }}/cancel">
      {{ csrf_field() }}
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketing_common.auth import SESSION_COOKIE

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
_VISITOR = "csrf_visitor"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfRefused(Exception):
    """A POST that did not come from this site's own form; the message says which check failed."""


class CsrfGuard:
    """Makes and checks the tokens of one site, under its key."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def token(self, request: Request) -> str:
        """The token the visitor's forms carry now."""
        visitor = getattr(request.state, _VISITOR, "")
        session = request.cookies.get(SESSION_COOKIE, "")
        message = f"{visitor}|{session}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    async def verify(self, request: Request) -> None:
        """Refuse a state-changing request from elsewhere, or without this visitor's token."""
        if request.method in _SAFE_METHODS:
            return
        if not _from_this_site(request):
            raise CsrfRefused("the form was not sent from this site")
        sent = (await request.form()).get(CSRF_FIELD)
        if CSRF_COOKIE not in request.cookies or not isinstance(sent, str):
            raise CsrfRefused("the form carried no token")
        if not hmac.compare_digest(sent, self.token(request)):
            raise CsrfRefused("the form's token does not match")


async def verify_csrf(request: Request) -> None:
    """Router dependency: every POST, PUT, PATCH or DELETE passes the checks or is refused."""
    guard: CsrfGuard = request.app.state.csrf
    await guard.verify(request)


@pass_context
def csrf_field(context: Context) -> Markup:
    """Template global: the hidden field carrying the visitor's token."""
    request: Request = context["request"]
    guard: CsrfGuard = request.app.state.csrf
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, guard.token(request)
    )


class VisitorCookie:
    """Gives each visitor a random `csrf` cookie (HttpOnly, SameSite=Lax) the first time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        visitor = Request(scope).cookies.get(CSRF_COOKIE, "")
        new = not visitor
        if new:
            visitor = secrets.token_urlsafe(32)
        scope.setdefault("state", {})[_VISITOR] = visitor
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_cookie(message: Message) -> None:
            if new and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie", f"{CSRF_COOKIE}={visitor}; Path=/; HttpOnly; SameSite=Lax{secure}"
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _from_this_site(request: Request) -> bool:
    """Origin, else Referer, names this site's scheme, host and port (as the gateway told)."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own
    referer = urlsplit(request.headers.get("referer", ""))
    return f"{referer.scheme}://{referer.netloc}" == own
