"""HTTP routes of the tickets service: list, list a seller's own, create, show and update."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ticketing_common.auth import UserId
from ticketing_common.paging import DEFAULT_PAGE_SIZE, Limit, Offset
from tickets import handlers
from tickets.deps import TicketId, TicketsDep
from tickets.schemas import TicketIn, TicketOut

router = APIRouter(prefix="/api/tickets", tags=["tickets"])


# A created ticket's id feeds the routes that take one (clients and fuzzers follow these).
_CREATED_LINKS: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "The ticket, at version 0.",
        "links": {
            name: {"operationId": operation, "parameters": {"ticket_id": "$response.body#/id"}}
            for name, operation in (("ShowTicket", "showTicket"), ("UpdateTicket", "updateTicket"))
        },
    }
}


@router.get("", operation_id="listTickets")
async def list_tickets(
    tickets: TicketsDep, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> list[TicketOut]:
    """Tickets for sale (no order holds them), newest first, 20 per page unless `limit` says."""
    for_sale = await handlers.tickets_for_sale(tickets.db, limit=limit, offset=offset)
    return [TicketOut.of(ticket) for ticket in for_sale]


# Two segments: one would also match /{ticket_id}, whose PUT would then be allowed there too.
@router.get("/sellers/me", operation_id="listMyTickets")
async def list_my_tickets(
    seller: UserId, tickets: TicketsDep, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> list[TicketOut]:
    """The signed-in seller's tickets, for sale, reserved or sold, newest first."""
    mine = await handlers.tickets_of_seller(tickets.db, user_id=seller, limit=limit, offset=offset)
    return [TicketOut.of(ticket) for ticket in mine]


@router.post("", status_code=201, operation_id="createTicket", responses=_CREATED_LINKS)
async def create_ticket(body: TicketIn, seller: UserId, tickets: TicketsDep) -> TicketOut:
    """A signed-in user lists a ticket for sale at version 0."""
    ticket = await handlers.create_ticket(
        tickets.db, user_id=seller, title=body.title, price=body.price
    )
    return TicketOut.of(ticket)


@router.get("/{ticket_id}", operation_id="showTicket")
async def show_ticket(ticket_id: TicketId, tickets: TicketsDep) -> TicketOut:
    """Any ticket, with the order holding it; 404 when absent or the id is malformed."""
    return TicketOut.of(await handlers.show_ticket(tickets.db, ticket_id))


@router.put("/{ticket_id}", operation_id="updateTicket")
async def update_ticket(
    ticket_id: TicketId, body: TicketIn, seller: UserId, tickets: TicketsDep
) -> TicketOut:
    """The seller edits title and price: 404 absent, 403 not the seller, 400 while reserved."""
    ticket = await handlers.update_ticket(
        tickets.db, ticket_id=ticket_id, user_id=seller, title=body.title, price=body.price
    )
    return TicketOut.of(ticket)
