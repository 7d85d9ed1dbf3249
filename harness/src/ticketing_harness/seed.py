"""`ticketing seed`: demo data in a running stack, made through the public APIs as users would.

Sellers list realistic tickets; buyers leave a few orders in every state: awaiting payment,
cancelled, and paid (complete). Accounts that exist already are signed in to again, so
seeding twice adds tickets and orders without failing.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ticketing_harness.certificates import CertificateFiles
from ticketing_harness.errors import HarnessError

PASSWORD = "ticketing-demo"
TEST_CARD = "pm_card_visa"
STATES = ("created", "cancelled", "complete")
# How long replication may take before an order (or a payment) finds what it needs.
REPLICATION_SECONDS = 30.0
MOST_ORDERS_PER_STATE = 3
_PEOPLE = (
    "ada.lovelace",
    "grace.hopper",
    "alan.turing",
    "katherine.johnson",
    "edsger.dijkstra",
    "barbara.liskov",
    "margaret.hamilton",
    "donald.knuth",
    "radia.perlman",
    "john.backus",
    "frances.allen",
    "tim.berners-lee",
)
_SHOWS = (
    ("Arctic Monkeys, Wembley Stadium, floor standing", "89.50"),
    ("Hamilton, Victoria Palace Theatre, stalls row F", "145.00"),
    ("Champions League final, category 2", "350.00"),
    ("Billie Eilish, O2 Arena, block 104", "120.00"),
    ("Swan Lake, Royal Opera House, amphitheatre", "62.00"),
    ("Wimbledon Centre Court, day 9", "210.00"),
    ("Dua Lipa, Accor Arena, Paris, seated", "95.00"),
    ("Jazz at Ronnie Scott's, late show", "40.00"),
    ("Six Nations: France v Ireland, Stade de France", "130.00"),
    ("Glastonbury Festival, weekend ticket", "355.00"),
    ("Coldplay, Estadi Olimpic, Barcelona, pitch", "110.00"),
    ("Stand-up: an evening of comedy, Apollo", "35.00"),
    ("NBA London Game, courtside row 3", "480.00"),
    ("The Phantom of the Opera, dress circle", "75.00"),
    ("Berlin Philharmonic, Mahler 5", "88.00"),
    ("Formula 1 British Grand Prix, Club Corner grandstand", "295.00"),
)


@dataclass
class Account:
    """A demo user, the tickets they listed and the orders they placed, by state."""

    email: str
    password: str
    client: httpx.AsyncClient
    listed: int = 0
    orders: Counter[str] = field(default_factory=Counter)


@dataclass
class Seeded:
    """What `seed` made."""

    accounts: list[Account]
    tickets: int

    @property
    def orders(self) -> Counter[str]:
        return sum((account.orders for account in self.accounts), Counter())


def email_of(number: int) -> str:
    """The email of the demo user `number` (0-based)."""
    if number < len(_PEOPLE):
        return f"{_PEOPLE[number]}@example.com"
    return f"demo.user{number + 1}@example.com"


def listings(count: int) -> list[tuple[str, str]]:
    """`count` ticket titles and prices; past the list, the shows come back as later dates."""
    shows = itertools.cycle(_SHOWS)
    made = []
    for number in range(count):
        title, price = next(shows)
        round_ = number // len(_SHOWS)
        made.append((f"{title} (date {round_ + 1})" if round_ else title, price))
    return made


def orders_per_state(tickets: int) -> int:
    """A few orders in every state, leaving most tickets for sale."""
    return min(MOST_ORDERS_PER_STATE, tickets // (2 * len(STATES)))


async def seed(url: str, *, users: int, tickets: int, verify: bool | str = True) -> Seeded:
    """Sign up `users` accounts, list `tickets` tickets, and order some of them."""
    async with _accounts(url, users, verify) as accounts:
        listed = await asyncio.gather(
            *(
                _list(accounts[number % users], title, price)
                for number, (title, price) in enumerate(listings(tickets))
            )
        )
        per_state = orders_per_state(tickets)
        chosen = listed[len(listed) - per_state * len(STATES) :] if per_state else []
        await asyncio.gather(
            *(
                _order(accounts[(number + 1) % users], ticket, STATES[number // per_state])
                for number, ticket in enumerate(chosen)
            )
        )
        return Seeded(accounts, tickets)


@asynccontextmanager
async def _accounts(url: str, users: int, verify: bool | str) -> AsyncIterator[list[Account]]:
    async with AsyncExitStack() as clients:
        accounts = [
            Account(
                email_of(number),
                PASSWORD,
                await clients.enter_async_context(
                    httpx.AsyncClient(base_url=url, timeout=30, verify=verify)
                ),
            )
            for number in range(users)
        ]
        await asyncio.gather(*(_sign_in(account) for account in accounts))
        yield accounts


async def _sign_in(account: Account) -> None:
    """Sign up, or sign in when the account exists from an earlier seed."""
    body = {"email": account.email, "password": account.password}
    signed_up = await _when_not_busy(lambda: account.client.post("/api/users/signup", json=body))
    if signed_up.status_code == 201:
        return
    signed_in = await _when_not_busy(lambda: account.client.post("/api/users/signin", json=body))
    if signed_in.status_code != 200:
        raise HarnessError(
            f"{account.email} could neither sign up ({_answer_text(signed_up)}) nor sign in "
            f"({_answer_text(signed_in)}); start from empty data with `ticketing up --fresh`"
        )


async def _list(seller: Account, title: str, price: str) -> dict[str, Any]:
    response = await _when_not_busy(
        lambda: seller.client.post("/api/tickets", json={"title": title, "price": float(price)})
    )
    _expect(response, 201, f"listing {title!r}")
    seller.listed += 1
    ticket: dict[str, Any] = response.json()
    return ticket


async def _order(buyer: Account, ticket: dict[str, Any], state: str) -> None:
    """Order the ticket, then leave the order awaiting payment, cancel it, or pay it."""
    placed = await _replicated(
        lambda: buyer.client.post("/api/orders", json={"ticketId": ticket["id"]})
    )
    _expect(placed, 201, f"ordering {ticket['title']!r}")
    order_id = placed.json()["id"]
    if state == "cancelled":
        _expect(await buyer.client.delete(f"/api/orders/{order_id}"), 204, "cancelling")
    if state == "complete":
        body = {"orderId": order_id, "token": TEST_CARD}
        paid = await _replicated(lambda: buyer.client.post("/api/payments", json=body))
        _expect(paid, 201, f"paying for {ticket['title']!r}")
        await _until_complete(buyer, order_id)
    buyer.orders[state] += 1


async def _until_complete(buyer: Account, order_id: str) -> None:
    deadline = time.monotonic() + REPLICATION_SECONDS
    while time.monotonic() < deadline:
        response = await buyer.client.get(f"/api/orders/{order_id}")
        if response.status_code == 200 and response.json()["status"] == "complete":
            return
        await asyncio.sleep(0.2)
    raise HarnessError(f"order {order_id} was paid but not complete after {REPLICATION_SECONDS}s")


Call = Callable[[], Awaitable[httpx.Response]]


async def _replicated(call: Call) -> httpx.Response:
    """The answer once the service has heard of the record (404 until its replica arrives)."""
    deadline = time.monotonic() + REPLICATION_SECONDS
    while True:
        response = await _when_not_busy(call)
        if response.status_code != 404 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def _when_not_busy(call: Call, attempts: int = 20) -> httpx.Response:
    """The answer, after waiting out 429 and 503 answers as their Retry-After asks."""
    for _ in range(attempts - 1):
        try:
            response = await call()
        except httpx.TransportError as error:
            raise HarnessError(f"the stack did not answer: {error}") from None
        if response.status_code not in (429, 503):
            return response
        await asyncio.sleep(_retry_after(response))
    return await call()


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("retry-after", "1")), 10.0)
    except ValueError:
        return 1.0


def _expect(response: httpx.Response, status: int, doing: str) -> None:
    if response.status_code != status:
        raise HarnessError(f"{doing} failed: {_answer_text(response)}")


def _answer_text(response: httpx.Response) -> str:
    try:
        errors = response.json()["errors"]
        return f"{response.status_code} {'; '.join(e['message'] for e in errors)}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} {response.text[:200]}"


def ca_for(url: str, certs_dir: Path) -> bool | str:
    """How to verify the stack's https: its local CA; plain http needs nothing."""
    ca = CertificateFiles(certs_dir).ca_certificate
    return str(ca) if url.startswith("https://") and ca.exists() else True


def summary(seeded: Seeded) -> Sequence[str]:
    """One line per kind of thing made."""
    orders = seeded.orders
    return [
        f"{len(seeded.accounts)} accounts, {seeded.tickets} tickets listed",
        f"orders: {orders['created']} awaiting payment, {orders['cancelled']} cancelled, "
        f"{orders['complete']} paid and complete",
    ]
