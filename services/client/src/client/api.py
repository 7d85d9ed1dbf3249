"""Calls to the APIs through the gateway on behalf of the browser, forwarding its cookie."""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
from fastapi import Request

UNAVAILABLE = "The service is unavailable right now; please try again in a moment."


@dataclass(frozen=True)
class FormErrors:
    """API errors split into those about a form field and the rest."""

    general: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.general or self.fields)


@dataclass(frozen=True)
class ApiResponse:
    """What an API answered: status, JSON body and the cookies it set for the browser."""

    status: int
    body: Any
    set_cookies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def errors(self, form_fields: tuple[str, ...] = ()) -> FormErrors:
        """The `{"errors": [{message, field}]}` body; a field outside the form counts as general."""
        result = FormErrors()
        entries = self.body.get("errors") if isinstance(self.body, dict) else None
        if not isinstance(entries, list) or not entries:
            result.general.append(f"Something went wrong (status {self.status}).")
            return result
        for entry in entries:
            message = str(entry.get("message", "Something went wrong"))
            name = entry.get("field")
            if name in form_fields:
                result.fields.setdefault(name, []).append(message)
            else:
                result.general.append(message)
        return result


class _KeepNoCookies(DefaultCookiePolicy):
    """The client serves many browsers: it must never remember one's session for another."""

    def set_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False


def cookieless_jar() -> CookieJar:
    """A cookie jar for the shared HTTP client that stores nothing."""
    return CookieJar(policy=_KeepNoCookies())


class Api:
    """The gateway's APIs, called with the browser's cookie."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(
        self,
        request: Request,
        method: str,
        path: str,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """Call an API as the visitor: their cookie, and their address for sign-in rationing."""
        headers = {"accept": "application/json", **(headers or {})}
        if cookie := request.headers.get("cookie"):
            headers["cookie"] = cookie
        if request.client is not None:
            headers["x-forwarded-for"] = request.client.host
        try:
            response = await self.http.request(method, path, json=json, headers=headers)
        except httpx.TransportError:
            return ApiResponse(503, {"errors": [{"message": UNAVAILABLE}]})
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return ApiResponse(response.status_code, body, response.headers.get_list("set-cookie"))

    async def current_user(self, request: Request) -> dict[str, Any] | None:
        """The signed-in user, or None (also when auth cannot be reached)."""
        response = await self.call(request, "GET", "/api/users/currentuser")
        if not response.ok or not isinstance(response.body, dict):
            return None
        user = response.body.get("currentUser")
        return user if isinstance(user, dict) else None
