"""The buyer's pages: their orders, one order with its countdown, paying and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from client.api import FormErrors
from client.bootstrap import Client
from client.deps import ClientDep
from client.idempotency import idempotency_header
from client.views import (
    FormText,
    error_status,
    listed,
    offset_of,
    page,
    page_router,
    redirect,
    signin_redirect,
)

router = page_router()
ORDERS_PER_PAGE = 20


@router.get("/orders", response_class=HTMLResponse)
async def my_orders(request: Request, site: ClientDep) -> Response:
    """The visitor's orders, oldest first, a page at a time."""
    offset = offset_of(request)
    path = f"/api/orders?limit={ORDERS_PER_PAGE}&offset={offset}"
    response = await site.api.call(request, "GET", path)
    if response.status == 401:
        return signin_redirect(request)
    orders = listed(response)
    for order in orders:
        order["seconds_left"] = _seconds_left(order.get("expiresAt"))
    errors = FormErrors() if response.ok else response.errors()
    return await page(
        request,
        site.api,
        "orders.html",
        orders=orders,
        errors=errors,
        offset=offset,
        page_size=ORDERS_PER_PAGE,
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def show_order(request: Request, site: ClientDep, order_id: str) -> Response:
    """The order; right after its payment (`?paid`), it says so until orders confirms it."""
    return await _order_page(request, site, order_id, paid="paid" in request.query_params)


async def _order_page(
    request: Request,
    site: Client,
    order_id: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
    token: str | None = None,
    paid: bool = False,
) -> Response:
    response = await site.api.call(request, "GET", f"/api/orders/{order_id}")
    if response.status == 401:
        return signin_redirect(request)
    if not response.ok:
        return await page(request, site.api, "not_found.html", 404, what="order")
    order = response.body
    return await page(
        request,
        site.api,
        "order_show.html",
        status_code,
        order=order,
        confirming=paid and order.get("status") == "created",
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
        return signin_redirect(request)
    if response.ok:
        return redirect(f"/orders/{order_id}?paid")
    errors = response.errors(("token",))
    return await _order_page(request, site, order_id, errors, error_status(response), token)


@router.post("/orders/{order_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, site: ClientDep, order_id: str) -> Response:
    """Cancel an unpaid order, then show it; a paid one cannot be cancelled."""
    response = await site.api.call(request, "DELETE", f"/api/orders/{order_id}")
    if response.status == 401:
        return signin_redirect(request)
    if response.ok:
        return redirect(f"/orders/{order_id}")
    return await _order_page(request, site, order_id, response.errors(), error_status(response))


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
