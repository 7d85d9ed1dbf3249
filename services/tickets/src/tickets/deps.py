"""What the tickets routes depend on: the running service and the ticket named in the path."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from ticketing_common.paths import uuid_or_not_found
from ticketing_common.service import service_dependency
from tickets.bootstrap import Tickets


async def _ticket_id(ticket_id: str) -> UUID:
    """The ticket id in the path; one that is not a UUID names no ticket (404)."""
    return uuid_or_not_found(ticket_id)


TicketsDep = Annotated[Tickets, Depends(service_dependency(Tickets))]
TicketId = Annotated[UUID, Depends(_ticket_id)]
