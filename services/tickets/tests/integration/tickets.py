"""Calling the tickets API as a seller or buyer would."""

from __future__ import annotations

from typing import Any

import httpx


async def create_ticket(
    client: httpx.AsyncClient, title: str = "concert", price: float = 20
) -> dict[str, Any]:
    response = await client.post("/api/tickets", json={"title": title, "price": price})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


async def show_ticket(client: httpx.AsyncClient, ticket_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def messages(response: httpx.Response) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]
