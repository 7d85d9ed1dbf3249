"""The home page and the account pages: sign up, sign in, sign out."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from client.api import FormErrors
from client.deps import ClientDep
from client.ticket_view import TicketView
from client.views import FormText, error_status, listed, page, page_router, redirect

router = page_router()


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, site: ClientDep) -> Response:
    """Every ticket that is for sale (reserved and sold ones are hidden by the API)."""
    user = await site.api.current_user(request)
    response = await site.api.call(request, "GET", "/api/tickets")
    views = [TicketView(ticket, user) for ticket in listed(response)]
    errors = FormErrors() if response.ok else response.errors()
    return await page(
        request, site.api, "index.html", tickets=views, current_user=user, errors=errors
    )


@router.get("/auth/{mode}", response_class=HTMLResponse)
async def auth_form(request: Request, site: ClientDep, mode: str) -> Response:
    if mode == "signout":
        return await page(request, site.api, "signout.html")
    if mode not in ("signup", "signin"):
        return await page(request, site.api, "not_found.html", 404)
    return await page(request, site.api, "auth.html", mode=mode, email="", next=_next(request))


@router.post("/auth/signout")
async def sign_out(request: Request, site: ClientDep) -> Response:
    """End the session everywhere; if that cannot be done now, say so and stay signed in."""
    response = await site.api.call(request, "POST", "/api/users/signout", json={})
    if response.ok:
        return redirect("/", response)
    return await page(
        request, site.api, "signout.html", error_status(response), errors=response.errors()
    )


@router.post("/auth/{mode}", response_class=HTMLResponse)
async def sign_in_or_up(
    request: Request,
    site: ClientDep,
    mode: str,
    email: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    """Sign up or in; on success the session cookie set by auth reaches the browser."""
    if mode not in ("signup", "signin"):
        return await page(request, site.api, "not_found.html", 404)
    body = {"email": email, "password": password}
    response = await site.api.call(request, "POST", f"/api/users/{mode}", json=body)
    if response.ok:
        return redirect(next if _local(next) else "/", response)
    return await page(
        request,
        site.api,
        "auth.html",
        error_status(response),
        mode=mode,
        email=email,
        next=next,
        current_user=None,
        errors=response.errors(("email", "password")),
    )


def _next(request: Request) -> str:
    target = request.query_params.get("next", "/")
    return target if _local(target) else "/"


def _local(target: str) -> bool:
    """A path on this site, where it is safe to send the browser after signing in."""
    return target.startswith("/") and not target.startswith("//")
