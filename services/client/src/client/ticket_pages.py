"""The ticket pages: selling one, the seller's own list and edit form, a ticket and buying it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from client.api import FormErrors
from client.bootstrap import Client
from client.deps import ClientDep
from client.idempotency import idempotency_header
from client.ticket_view import TicketView
from client.views import (
    FormText,
    error_status,
    listed,
    number,
    offset_of,
    page,
    page_router,
    redirect,
    signin_redirect,
)

router = page_router()
TICKETS_PER_PAGE = 20
NOT_YOURS = "Only the ticket's seller can edit it."


@router.get("/tickets/new", response_class=HTMLResponse)
async def new_ticket_form(request: Request, site: ClientDep) -> Response:
    user = await site.api.current_user(request)
    if user is None:
        return signin_redirect(request)
    return await page(request, site.api, "ticket_new.html", current_user=user, title="", price="")


@router.post("/tickets/new", response_class=HTMLResponse)
async def sell_ticket(
    request: Request, site: ClientDep, title: FormText = "", price: FormText = ""
) -> Response:
    """List a ticket for sale, then show its page."""
    body = {"title": title, "price": number(price)}
    response = await site.api.call(request, "POST", "/api/tickets", json=body)
    if response.status == 401:
        return signin_redirect(request)
    if response.ok:
        return redirect(f"/tickets/{response.body['id']}")
    return await page(
        request,
        site.api,
        "ticket_new.html",
        error_status(response),
        title=title,
        price=price,
        errors=response.errors(("title", "price")),
    )


@router.get("/tickets/mine", response_class=HTMLResponse)
async def my_tickets(request: Request, site: ClientDep) -> Response:
    """The seller's tickets, newest first, each for sale, reserved or sold."""
    offset = offset_of(request)
    path = f"/api/tickets/sellers/me?limit={TICKETS_PER_PAGE}&offset={offset}"
    response = await site.api.call(request, "GET", path)
    if response.status == 401:
        return signin_redirect(request)
    user = await site.api.current_user(request)
    return await page(
        request,
        site.api,
        "tickets_mine.html",
        tickets=[TicketView(ticket, user) for ticket in listed(response)],
        current_user=user,
        errors=FormErrors() if response.ok else response.errors(),
        offset=offset,
        page_size=TICKETS_PER_PAGE,
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
    found = await _ticket(request, site, ticket_id)
    if found is None:
        return await page(request, site.api, "not_found.html", 404, what="ticket")
    view = await _seen_by_visitor(request, site, found)
    return await page(
        request,
        site.api,
        "ticket_show.html",
        status_code,
        view=view,
        ticket=found,
        current_user=view.visitor,
        errors=errors or FormErrors(),
    )


async def _ticket(request: Request, site: Client, ticket_id: str) -> dict[str, Any] | None:
    response = await site.api.call(request, "GET", f"/api/tickets/{ticket_id}")
    return response.body if response.ok and isinstance(response.body, dict) else None


async def _seen_by_visitor(request: Request, site: Client, ticket: dict[str, Any]) -> TicketView:
    """The ticket as the visitor sees it; whether the order holding it is theirs, orders knows
    (it shows an order to its buyer only)."""
    user = await site.api.current_user(request)
    order_id = ticket.get("orderId")
    theirs = False
    if user is not None and order_id and user.get("id") != ticket.get("userId"):
        theirs = (await site.api.call(request, "GET", f"/api/orders/{order_id}")).ok
    return TicketView(ticket, user, their_order=theirs)


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
        return signin_redirect(request)
    if response.ok:
        return redirect(f"/orders/{response.body['id']}")
    return await _ticket_page(request, site, ticket_id, response.errors(), error_status(response))


@router.get("/tickets/{ticket_id}/edit", response_class=HTMLResponse)
async def edit_ticket_form(request: Request, site: ClientDep, ticket_id: str) -> Response:
    """The seller's form for a ticket no order holds; for one that is held, why not."""
    user = await site.api.current_user(request)
    if user is None:
        return signin_redirect(request)
    found = await _ticket(request, site, ticket_id)
    if found is None:
        return await page(request, site.api, "not_found.html", 404, what="ticket")
    view = TicketView(found, user)
    if not view.mine:
        return await _ticket_page(request, site, ticket_id, FormErrors([NOT_YOURS]), 403)
    title, price = found["title"], f"{found['price']:.2f}"
    return await _edit_page(request, site, view, title, price)


@router.post("/tickets/{ticket_id}/edit", response_class=HTMLResponse)
async def edit_ticket(
    request: Request,
    site: ClientDep,
    ticket_id: str,
    title: FormText = "",
    price: FormText = "",
) -> Response:
    """Change the title and price; the API refuses a reserved or sold ticket, and bad values."""
    body = {"title": title, "price": number(price)}
    response = await site.api.call(request, "PUT", f"/api/tickets/{ticket_id}", json=body)
    if response.status == 401:
        return signin_redirect(request)
    if response.ok:
        return redirect(f"/tickets/{ticket_id}")
    found = await _ticket(request, site, ticket_id)
    if found is None:
        return await page(request, site.api, "not_found.html", 404, what="ticket")
    user = await site.api.current_user(request)
    errors = response.errors(("title", "price"))
    return await _edit_page(
        request, site, TicketView(found, user), title, price, errors, error_status(response)
    )


async def _edit_page(
    request: Request,
    site: Client,
    view: TicketView,
    title: str,
    price: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return await page(
        request,
        site.api,
        "ticket_edit.html",
        status_code,
        view=view,
        ticket=view.ticket,
        title=title,
        price=price,
        current_user=view.visitor,
        errors=errors or FormErrors(),
    )
