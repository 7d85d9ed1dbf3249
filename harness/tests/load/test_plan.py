"""A run lists a few hot tickets and a long tail; buyers go for the hot ones first."""

from __future__ import annotations

import random
from decimal import Decimal

from ticketing_harness.load.plan import PlannedTicket, pick_ticket, sellers_for, ticket_listings


def test_the_first_tickets_listed_are_the_hot_ones() -> None:
    listings = ticket_listings("run1", count=30, hot=3)
    assert [hot for _, _, hot in listings] == [True] * 3 + [False] * 27
    assert len({title for title, _, _ in listings}) == 30
    assert all(Decimal(0) < price <= Decimal(250) for _, price, _ in listings)
    assert sellers_for(30) == 3 and sellers_for(1) == 1


def test_most_first_tries_are_hot_and_no_ticket_is_tried_twice() -> None:
    tickets = [PlannedTicket(f"t{i}", f"t{i}", Decimal(10), hot=i < 2) for i in range(20)]
    rng = random.Random(7)
    first = [pick_ticket(rng, tickets, set()) for _ in range(1000)]
    hot_share = sum(1 for ticket in first if ticket is not None and ticket.hot) / len(first)
    assert hot_share > 0.75
    tried: set[str] = set()
    while (ticket := pick_ticket(rng, tickets, tried)) is not None:
        assert ticket.id not in tried
        tried.add(ticket.id)
    assert len(tried) == 20
