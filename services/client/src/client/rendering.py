"""The Jinja2 templates and the filters they use."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from fastapi.templating import Jinja2Templates

from client.csrf import csrf_field
from client.idempotency import idempotency_field

PACKAGE_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")


def money(value: object) -> str:
    """A price as dollars and cents: 20 -> $20.00."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"${amount:,.2f}"


templates.env.filters["money"] = money
templates.env.globals["csrf_field"] = csrf_field
templates.env.globals["idempotency_field"] = idempotency_field
