"""The route table: which service answers which path."""

from __future__ import annotations

import pytest

from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.routes import ROUTES, Route, routed_services, service_for


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/users/signup", "auth"),
        ("/api/users", "auth"),
        ("/api/tickets", "tickets"),
        ("/api/tickets/abc", "tickets"),
        ("/api/orders/123", "orders"),
        ("/api/payments", "payments"),
        ("/", "client"),
        ("/tickets/new", "client"),
        ("/api/unknown", "client"),
    ],
)
def test_each_api_prefix_goes_to_its_service_and_the_rest_to_the_client(
    path: str, service: str
) -> None:
    assert service_for(path) == service


def test_a_prefix_matches_whole_segments_only() -> None:
    assert service_for("/api/usersettings") == "client"
    assert not Route("/api/users", "auth").matches("/api/users-x")


def test_every_routed_service_is_a_service_of_the_system() -> None:
    assert set(routed_services()) <= set(SERVICE_NAMES)
    assert set(routed_services()) == set(SERVICE_NAMES) - {"expiration"}


def test_client_pages_never_live_under_api() -> None:
    client_prefixes = [route.prefix for route in ROUTES if route.service == "client"]
    assert client_prefixes == ["/"]
