"""A simulated user of the marketplace: its session, and each API call recorded in the history."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from ticketing_chaos.workload.history import History, Operation

# A rate limit or an overloaded service answers with Retry-After; a user waits that long.
_RETRY_STATUSES = {429, 503}
_MAX_RETRY_AFTER = 5.0


@dataclass(frozen=True)
class Endpoint:
    """An operation of the workload: the service and route it calls, the answers it allows."""

    service: str
    method: str
    route: str
    allowed: frozenset[int]

    def path(self, **params: str) -> str:
        return self.route.format(**params)


ENDPOINTS = {
    "sign_up": Endpoint("auth", "POST", "/api/users/signup", frozenset({201})),
    "list_ticket": Endpoint("tickets", "POST", "/api/tickets", frozenset({201})),
    # 400: still reserved by an order.
    "edit_ticket": Endpoint("tickets", "PUT", "/api/tickets/{ticket_id}", frozenset({200, 400})),
    # 400: another live order holds the ticket; 404: orders has not heard of the ticket yet.
    "place_order": Endpoint("orders", "POST", "/api/orders", frozenset({201, 400, 404})),
    # 400: the order is paid already.
    "cancel_order": Endpoint("orders", "DELETE", "/api/orders/{order_id}", frozenset({204, 400})),
    # 400: cancelled or paid already; 404: payments has not heard of the order yet.
    "pay": Endpoint("payments", "POST", "/api/payments", frozenset({201, 400, 404})),
}


@dataclass
class Answer:
    """What a call got: its status (None when nothing came back) and its JSON body."""

    status: int | None
    body: Any

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class User:
    """One signed-in user, calling the APIs through the gateway like a browser would."""

    def __init__(self, name: str, base_url: str, history: History) -> None:
        self.name = name
        self.history = history
        self.client = httpx.AsyncClient(base_url=base_url, timeout=20.0)
        self.id: str | None = None

    async def close(self) -> None:
        await self.client.aclose()

    async def sign_up(self) -> Answer:
        email = f"{self.name}-{uuid.uuid4().hex[:8]}@chaos.example"
        answer = await self.call("sign_up", {"email": email, "password": "chaos-pass"})
        if answer.ok:
            self.id = answer.body["id"]
        return answer

    async def list_ticket(self, title: str, price: Decimal) -> Answer:
        return await self.call("list_ticket", {"title": title, "price": float(price)})

    async def edit_ticket(self, ticket_id: str, title: str, price: Decimal) -> Answer:
        body = {"title": title, "price": float(price)}
        return await self.call("edit_ticket", body, ticket_id=ticket_id)

    async def place_order(self, ticket_id: str) -> Answer:
        return await self.call("place_order", {"ticketId": ticket_id})

    async def cancel_order(self, order_id: str) -> Answer:
        return await self.call("cancel_order", None, order_id=order_id)

    async def pay(self, order_id: str, token: str = "pm_card_visa") -> Answer:
        return await self.call("pay", {"orderId": order_id, "token": token})

    async def call(self, op: str, body: Any, **params: str) -> Answer:
        """One request, recorded; repeated after Retry-After when the service asks for it."""
        endpoint = ENDPOINTS[op]
        method, path = endpoint.method, endpoint.path(**params)
        while True:
            operation = self.history.invoke(self.name, op, method, path, body)
            answer = await self._send(operation, method, path, body)
            delay = _retry_after(operation)
            if delay is None:
                return answer
            await asyncio.sleep(delay)

    async def _send(self, operation: Operation, method: str, path: str, body: Any) -> Answer:
        try:
            response = await self.client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            operation.error = f"{type(exc).__name__}: {exc}"
            self.history.complete(operation)
            return Answer(None, None)
        operation.status = response.status_code
        operation.headers = {k: v for k, v in response.headers.items() if k == "retry-after"}
        operation.body = _json(response)
        self.history.complete(operation)
        return Answer(response.status_code, operation.body)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return {"notJson": response.text[:500]}


def _retry_after(operation: Operation) -> float | None:
    if operation.status not in _RETRY_STATUSES or not operation.headers:
        return None
    try:
        return min(float(operation.headers["retry-after"]), _MAX_RETRY_AFTER)
    except (KeyError, ValueError):
        return None
