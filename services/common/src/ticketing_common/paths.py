"""Ids in URL paths: an id that is not a UUID names nothing, so it is 404 like an absent one."""

from __future__ import annotations

from uuid import UUID

from ticketing_common.contracts import is_uuid
from ticketing_common.errors import NotFound


def uuid_or_not_found(text: str) -> UUID:
    """The UUID `text` spells; NotFound when it spells none."""
    if not is_uuid(text):
        raise NotFound()
    return UUID(text)
