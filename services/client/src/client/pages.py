"""The pages: each one calls the APIs with the browser's cookie and renders HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from client.api import Api, ApiResponse, FormErrors
from client.bootstrap import Client
from client.csrf import verify_csrf
from client.deps import ClientDep
from client.idempotency import idempotency_header
from client.rendering import templates
from ticketing_common.paging import MAX_OFFSET

# Every POST is checked for its origin and its CSRF token (see client.csrf).
router = APIRouter(dependencies=[Depends(verify_csrf)])
FormText = Annotated[str, Form()]
ORDERS_PER_PAGE = 20


async def _page(
    request: Request, api: Api, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render `template` with the signed-in user, for the header."""
    context.setdefault("current_user", await api.current_user(request))
    context.setdefault("errors", FormErrors())
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _redirect(url: str, api_response: ApiResponse | None = None) -> RedirectResponse:
    """A 303 to `url`, relaying the cookies the API set (sign-in, sign-up, sign-out)."""
    response = RedirectResponse(url, status_code=303)
    for cookie in api_response.set_cookies if api_response else ():
        response.headers.append("set-cookie", cookie)
    return response


def _signin_redirect(request: Request) -> RedirectResponse:
    return _redirect(f"/auth/signin?next={request.url.path}")


def _error_status(response: ApiResponse) -> int:
    return response.status if 400 <= response.status < 600 else 502


def _number(text: str) -> float | str:
    """A number when the text is one; otherwise the text, for the API to reject by field."""
    try:
        return float(text)
    except ValueError:
        return text


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, site: ClientDep) -> Response:
    """Every ticket that is for sale (reserved and sold ones are hidden by the API)."""
    response = await site.api.call(request, "GET", "/api/tickets")
    tickets = response.body if response.ok and isinstance(response.body, list) else []
    errors = FormErrors() if response.ok else response.errors()
    return await _page(request, site.api, "index.html", tickets=tickets, errors=errors)


@router.get("/auth/{mode}", response_class=HTMLResponse)
async def auth_form(request: Request, site: ClientDep, mode: str) -> Response:
    if mode == "signout":
        return await _page(request, site.api, "signout.html")
    if mode not in ("signup", "signin"):
        return await _page(request, site.api, "not_found.html", 404)
    return await _page(request, site.api, "auth.html", mode=mode, email="", next=_next(request))


@router.post("/auth/signout")
async def sign_out(request: Request, site: ClientDep) -> Response:
    """End the session everywhere; if that cannot be done now, say so and stay signed in."""
    response = await site.api.call(request, "POST", "/api/users/signout", json={})
    if response.ok:
        return _redirect("/", response)
    return await _page(
        request, site.api, "signout.html", _error_status(response), errors=response.errors()
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
        return await _page(request, site.api, "not_found.html", 404)
    body = {"email": email, "password": password}
    response = await site.api.call(request, "POST", f"/api/users/{mode}", json=body)
    if response.ok:
        return _redirect(
            next if next.startswith("/") and not next.startswith("//") else "/", response
        )
    return await _page(
        request,
        site.api,
        "auth.html",
        _error_status(response),
        mode=mode,
        email=email,
        next=next,
        current_user=None,
        errors=response.errors(("email", "password")),
    )


def _next(request: Request) -> str:
    target = request.query_params.get("next", "/")
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/tickets/new", response_class=HTMLResponse)
async def new_ticket_form(request: Request, site: ClientDep) -> Response:
    user = await site.api.current_user(request)
    if user is None:
        return _signin_redirect(request)
    return await _page(request, site.api, "ticket_new.html", current_user=user, title="", price="")


@router.post("/tickets/new", response_class=HTMLResponse)
async def sell_ticket(
    request: Request, site: ClientDep, title: FormText = "", price: FormText = ""
) -> Response:
    """List a ticket for sale, then show its page."""
    body = {"title": title, "price": _number(price)}
    response = await site.api.call(request, "POST", "/api/tickets", json=body)
    if response.status == 401:
        return _signin_redirect(request)
    if response.ok:
        return _redirect(f"/tickets/{response.body['id']}")
    return await _page(
        request,
        site.api,
        "ticket_new.html",
        _error_status(response),
        title=title,
        price=price,
        errors=response.errors(("title", "price")),
    )


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
async def show_ticket(request: Request, site: ClientDep, ticket_id: str) -> Response:
    return await _ticket_page(request, site, ticket_id)


async def _ticket_page(
    request: Request,
    site: Client,
    ticket_id: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    response = await site.api.call(request, "GET", f"/api/tickets/{ticket_id}")
    if not response.ok:
        return await _page(request, site.api, "not_found.html", 404, what="ticket")
    return await _page(
        request,
        site.api,
        "ticket_show.html",
        status_code,
        ticket=response.body,
        errors=errors or FormErrors(),
    )


@router.post("/tickets/{ticket_id}/purchase", response_class=HTMLResponse)
async def purchase(
    request: Request, site: ClientDep, ticket_id: str, idempotency_key: FormText = ""
) -> Response:
    """Reserve the ticket with a new order (once per form), then show it with its countdown."""
    response = await site.api.call(
        request,
        "POST",
        "/api/orders",
        json={"ticketId": ticket_id},
        headers=idempotency_header(idempotency_key),
    )
    if response.status == 401:
        return _signin_redirect(request)
    if response.ok:
        return _redirect(f"/orders/{response.body['id']}")
    return await _ticket_page(request, site, ticket_id, response.errors(), _error_status(response))


@router.get("/orders", response_class=HTMLResponse)
async def my_orders(request: Request, site: ClientDep) -> Response:
    """The visitor's orders, oldest first, a page at a time."""
    offset = _offset(request.query_params.get("offset", ""))
    page = f"/api/orders?limit={ORDERS_PER_PAGE}&offset={offset}"
    response = await site.api.call(request, "GET", page)
    if response.status == 401:
        return _signin_redirect(request)
    orders = response.body if response.ok and isinstance(response.body, list) else []
    errors = FormErrors() if response.ok else response.errors()
    return await _page(
        request,
        site.api,
        "orders.html",
        orders=orders,
        paid=request.query_params.get("paid"),
        errors=errors,
        offset=offset,
        page_size=ORDERS_PER_PAGE,
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def show_order(request: Request, site: ClientDep, order_id: str) -> Response:
    return await _order_page(request, site, order_id)


async def _order_page(
    request: Request,
    site: Client,
    order_id: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
    token: str | None = None,
) -> Response:
    response = await site.api.call(request, "GET", f"/api/orders/{order_id}")
    if response.status == 401:
        return _signin_redirect(request)
    if not response.ok:
        return await _page(request, site.api, "not_found.html", 404, what="order")
    order = response.body
    return await _page(
        request,
        site.api,
        "order_show.html",
        status_code,
        order=order,
        seconds_left=_seconds_left(order.get("expiresAt")),
        token=site.settings.test_payment_token if token is None else token,
        errors=errors or FormErrors(),
    )


@router.post("/orders/{order_id}/pay", response_class=HTMLResponse)
async def pay(
    request: Request,
    site: ClientDep,
    order_id: str,
    token: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Pay the order (once per form); orders marks it complete once payments reports the charge."""
    body = {"orderId": order_id, "token": token.strip()}
    headers = idempotency_header(idempotency_key)
    response = await site.api.call(request, "POST", "/api/payments", json=body, headers=headers)
    if response.status == 401:
        return _signin_redirect(request)
    if response.ok:
        return _redirect(f"/orders?paid={order_id}")
    errors = response.errors(("token",))
    return await _order_page(request, site, order_id, errors, _error_status(response), token)


def _offset(text: str) -> int:
    """The page's offset from the query; anything but a number in bounds is the first page."""
    return int(text) if text.isdigit() and int(text) <= MAX_OFFSET else 0


def _seconds_left(expires_at: object) -> int:
    if not isinstance(expires_at, str):
        return 0
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(int((moment - datetime.now(UTC)).total_seconds()), 0)
