"""Title and price rules: trimmed titles, exact prices from JSON numbers."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickets.domain import TITLE, InvalidTicket, parse_price, parse_title


@pytest.mark.parametrize(
    ("given", "price"),
    [
        (20, Decimal("20.00")),
        (19.99, Decimal("19.99")),
        (0.01, Decimal("0.01")),
        (0.1, Decimal("0.10")),
        (999_999.99, Decimal("999999.99")),
        (999999, Decimal("999999.00")),
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
        (1_000_000, "Price must be at most 999,999.99"),
        (1e6, "Price must be at most 999,999.99"),
        (1e308, "Price must be at most 999,999.99"),
        (10**400, "Price must be at most 999,999.99"),
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


TRICKY = st.text(alphabet=" \t\n\r\x0b\x0c\x00x\u00a0\u2003\U0001f3ab", max_size=210)


@given(st.one_of(st.text(max_size=250), TRICKY))
def test_the_title_pattern_the_openapi_states_is_exactly_what_is_accepted(text: str) -> None:
    try:
        parse_title(text)
    except InvalidTicket:
        accepted = False
    else:
        accepted = True
    assert accepted == (re.fullmatch(TITLE, text) is not None)
