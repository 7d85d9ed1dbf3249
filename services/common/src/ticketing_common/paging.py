"""Pages of a list: the `limit` and `offset` query parameters every list route takes alike.

@router.get("")
async def list_things(limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0) -> list[ThingOut]:
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000

Limit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Page size: {DEFAULT_PAGE_SIZE} unless given, at most {MAX_PAGE_SIZE}.",
    ),
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip: 0 unless given.")]
