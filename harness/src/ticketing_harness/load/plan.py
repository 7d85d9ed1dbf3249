"""The tickets a run lists before it starts, a few hot ones and a long tail, and which to try."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

HOT_SHARE = 0.8  # of first attempts go to a hot ticket, as a drop's crowd does
SELLER_PER_TICKETS = 10  # one seller lists this many tickets


@dataclass(frozen=True)
class PlannedTicket:
    """A ticket of the run: its id once listed, its title and price, whether it is hot."""

    id: str
    title: str
    price: Decimal
    hot: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "price": str(self.price), "hot": self.hot}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PlannedTicket:
        return cls(raw["id"], raw["title"], Decimal(raw["price"]), raw["hot"])


def ticket_listings(run_id: str, count: int, hot: int) -> list[tuple[str, Decimal, bool]]:
    """Title, price and hotness of each ticket to list: the first `hot` are the hot ones."""
    rng = random.Random(run_id)
    listings = []
    for number in range(1, count + 1):
        is_hot = number <= hot
        kind = "hot" if is_hot else "seat"
        price = Decimal(250) if is_hot else Decimal(rng.randrange(2000, 15000)) / 100
        listings.append((f"{run_id} {kind} {number}", price, is_hot))
    return listings


def sellers_for(tickets: int) -> int:
    """How many sellers list the run's tickets."""
    return max(1, -(-tickets // SELLER_PER_TICKETS))


def pick_ticket(
    rng: random.Random, tickets: Sequence[PlannedTicket], tried: set[str]
) -> PlannedTicket | None:
    """A buyer's next try: first mostly a hot one, then any not tried; None when none is left."""
    left = [ticket for ticket in tickets if ticket.id not in tried]
    hot = [ticket for ticket in left if ticket.hot]
    if not tried and hot and rng.random() < HOT_SHARE:
        return rng.choice(hot)
    return rng.choice(left) if left else None
