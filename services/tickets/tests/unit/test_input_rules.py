"""Title and price rules: trimmed titles, exact prices from JSON numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tickets.domain import InvalidTicket, parse_price, parse_title


@pytest.mark.parametrize(
    ("given", "price"),
    [
        (20, Decimal("20.00")),
        (19.99, Decimal("19.99")),
        (0.01, Decimal("0.01")),
        (0.1, Decimal("0.10")),
        (1_000_000, Decimal("1000000.00")),
        (1e6, Decimal("1000000.00")),
    ],
)
def test_price_is_kept_exact_to_the_cent(given: float, price: Decimal) -> None:
    assert parse_price(given) == price
    assert str(parse_price(given)) == str(price)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (-10, "Price must be greater than 0"),
        (0, "Price must be greater than 0"),
        (-0.0, "Price must be greater than 0"),
        (0.001, "Price must have at most two decimals"),
        (19.999, "Price must have at most two decimals"),
        (1_000_000.01, "Price must be at most 1,000,000"),
        (1e308, "Price must be at most 1,000,000"),
        (10**400, "Price must be at most 1,000,000"),
        (float("nan"), "Price must be a number"),
        (float("inf"), "Price must be a number"),
        ("20", "Price must be a number"),
        (True, "Price must be a number"),
        (None, "Price must be a number"),
    ],
)
def test_invalid_price_is_refused_with_its_reason(given: object, message: str) -> None:
    with pytest.raises(InvalidTicket) as refused:
        parse_price(given)
    assert str(refused.value) == message


def test_title_is_trimmed() -> None:
    assert parse_title("  Concert  ") == "Concert"
    assert parse_title("x" * 200) == "x" * 200


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Title is required"),
        ("   ", "Title is required"),
        (None, "Title is required"),
        (42, "Title is required"),
        ("x" * 201, "Title must be at most 200 characters"),
        ("nul\x00byte", "Title contains characters that are not allowed"),
        ("lone \ud800 surrogate", "Title contains characters that are not allowed"),
    ],
)
def test_invalid_title_is_refused_with_its_reason(given: object, message: str) -> None:
    with pytest.raises(InvalidTicket) as refused:
        parse_title(given)
    assert str(refused.value) == message
