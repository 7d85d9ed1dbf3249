"""One Idempotency-Key per form shown: sending the same form again is a retry, not a new request.

A form that creates something (an order, a payment) carries `{{ idempotency_field() }}`, a
new key each time the page is rendered; its handler sends the key to the API, which answers
a repeated submission (a double click, a browser resending after a lost answer) with the
first answer instead of acting twice.
"""

from __future__ import annotations

import re
import uuid

from markupsafe import Markup

FIELD = "idempotency_key"
_KEY = re.compile(r"^[!-~]{1,255}$")


def idempotency_field() -> Markup:
    """Template global: a hidden field with a new key."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, uuid.uuid4())


def idempotency_header(key: str) -> dict[str, str]:
    """The header that sends a form's key to the API; none for a missing or malformed key."""
    return {"Idempotency-Key": key} if _KEY.match(key) else {}
