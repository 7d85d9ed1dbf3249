"""What the simulated users do, concurrently, until the workload's deadline.

Sellers list tickets and edit each several times in a row. Crowds of buyers race for one
ticket at a time; the winner cancels (and the seller edits the ticket that very moment,
while the crowd races again), pays, pays just as the order expires, pays while cancelling,
or lets the order expire.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ticketing_chaos.workload.api import Answer, User

# How long a user keeps retrying while a service has not heard of a record yet (404).
REPLICATION_PATIENCE = 5.0
RETRY_PAUSE = 0.15
# Crowds go for tickets listed at least this long ago, which orders has most likely heard of.
SETTLED_LISTING = 1.0


@dataclass(frozen=True)
class Mix:
    """How many users do what, and how often each ending of an order is chosen."""

    users: int = 10
    sellers: int = 2
    edits: tuple[int, int] = (2, 4)
    crowds: int = 2
    crowd_size: tuple[int, int] = (3, 6)
    rounds: int = 3
    think: tuple[float, float] = (0.5, 1.5)
    endings: tuple[tuple[str, float], ...] = (
        ("cancel", 3.0),
        ("pay", 2.0),
        ("pay_at_expiry", 2.0),
        ("pay_and_cancel", 1.0),
        ("expire", 1.0),
    )


@dataclass
class Listing:
    """A ticket a seller listed; `busy` while a crowd races for it, `sold` once paid."""

    id: str
    seller: User
    title: str
    listed_at: float = field(default_factory=time.monotonic)
    busy: bool = False
    sold: bool = False


@dataclass
class Market:
    """The tickets listed so far, newest last."""

    listings: list[Listing] = field(default_factory=list)

    def take(self) -> Listing | None:
        """The newest ticket no crowd is racing for and nobody bought, listed a while ago."""
        free = [listing for listing in self.listings if not listing.busy and not listing.sold]
        settled = [x for x in free if x.listed_at < time.monotonic() - SETTLED_LISTING]
        if not free:
            return None
        chosen = (settled or free)[-1]
        chosen.busy = True
        return chosen


@dataclass
class Workload:
    """One run of the simulated users against the gateway."""

    mix: Mix
    users: Sequence[User]
    rng: random.Random
    deadline: float
    market: Market = field(default_factory=Market)

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    async def run(self) -> None:
        actors: list[Awaitable[None]] = []
        for n in range(self.mix.sellers):
            actors.append(
                self.sell(self.users[n % len(self.users)], random.Random(self.rng.random()))
            )
        for _ in range(self.mix.crowds):
            actors.append(self.race(random.Random(self.rng.random())))
        await asyncio.gather(*actors)

    async def sell(self, seller: User, rng: random.Random) -> None:
        """List a ticket, then edit its price several times in a row; again and again."""
        while self.running():
            title = f"Show {rng.randrange(10_000)}"
            listed = await seller.list_ticket(title, _price(rng))
            if listed.ok:
                self.market.listings.append(Listing(listed.body["id"], seller, title))
                for _ in range(rng.randint(*self.mix.edits)):
                    await seller.edit_ticket(listed.body["id"], title, _price(rng))
            await asyncio.sleep(rng.uniform(*self.mix.think))

    async def race(self, rng: random.Random) -> None:
        """A crowd races for one ticket; after a cancel or an expiry it races again."""
        while self.running():
            listing = self.market.take()
            if listing is None:
                await asyncio.sleep(0.2)
                continue
            try:
                for _ in range(self.mix.rounds):
                    if not self.running() or not await self._round(listing, rng):
                        break
            finally:
                listing.busy = False

    async def _round(self, listing: Listing, rng: random.Random) -> bool:
        """One race and how its winner ends the order; True if the ticket may be raced again."""
        size = min(rng.randint(*self.mix.crowd_size), len(self.users))
        buyers = rng.sample(list(self.users), size)
        answers = await asyncio.gather(*(_order(buyer, listing.id) for buyer in buyers))
        winners = [(b, a.body) for b, a in zip(buyers, answers, strict=True) if a.status == 201]
        if not winners:
            return False
        names, weights = zip(*self.mix.endings, strict=True)
        sold = await asyncio.gather(
            *(self._end(rng.choices(names, weights)[0], b, o, listing, rng) for b, o in winners)
        )
        return not any(sold)

    async def _end(
        self, ending: str, buyer: User, order: dict[str, str], listing: Listing, rng: random.Random
    ) -> bool:
        """End the order as `ending` says; True once the ticket is (most likely) sold."""
        order_id = order["id"]
        if ending == "cancel":
            await asyncio.sleep(rng.uniform(0, 0.5))
            await asyncio.gather(buyer.cancel_order(order_id), _edit_when_free(listing, rng))
            return False
        if ending == "pay":
            await asyncio.sleep(rng.uniform(0, 0.5))
            paid = await _pay(buyer, order_id)
        elif ending == "pay_at_expiry":
            expires_at = datetime.fromisoformat(order["expiresAt"]).timestamp()
            await asyncio.sleep(max(0.0, expires_at - time.time() + rng.uniform(-0.4, 0.6)))
            paid = await _pay(buyer, order_id)
        elif ending == "pay_and_cancel":
            paid, cancelled = await asyncio.gather(
                _pay(buyer, order_id), _later(rng.uniform(0, 0.3), buyer.cancel_order(order_id))
            )
            if cancelled.status == 204:
                return False
        else:  # expire: the buyer walks away
            return False
        listing.sold = paid.status == 201
        return listing.sold


async def _order(buyer: User, ticket_id: str) -> Answer:
    """Order the ticket, waiting while the orders service has not heard of it yet."""
    return await _until_known(lambda: buyer.place_order(ticket_id))


async def _pay(buyer: User, order_id: str) -> Answer:
    """Pay for the order, waiting while the payments service has not heard of it yet."""
    return await _until_known(lambda: buyer.pay(order_id))


async def _until_known(call: Callable[[], Awaitable[Answer]]) -> Answer:
    deadline = time.monotonic() + REPLICATION_PATIENCE
    while True:
        answer = await call()
        if answer.status != 404 or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(RETRY_PAUSE)


async def _edit_when_free(listing: Listing, rng: random.Random) -> None:
    """The seller edits the ticket as its order is cancelled: refused until it is released."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        answer = await listing.seller.edit_ticket(listing.id, listing.title, _price(rng))
        if answer.status != 400:
            return
        await asyncio.sleep(RETRY_PAUSE)


async def _later(seconds: float, call: Awaitable[Answer]) -> Answer:
    await asyncio.sleep(seconds)
    return await call


def _price(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(500, 20_000)) / 100
