"""For tests: submit a page's form as a browser does, with its hidden fields and the page's origin.

The web client refuses a POST without its CSRF token and from another origin; a browser
sends both without being asked. So does `submit`:

    page = await submit(browser, "/tickets/new", title="Gig", price="5")
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx


class _Forms(HTMLParser):
    """The hidden inputs of each form of a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._action = attributes.get("action", "")
            self.forms.setdefault(self._action, {})
        elif tag == "input" and self._action is not None and attributes.get("type") == "hidden":
            self.forms[self._action][attributes.get("name", "")] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts to `action`."""
    parser = _Forms()
    parser.feed(html)
    if action not in parser.forms:
        raise AssertionError(f"no form posts to {action}; the page has {sorted(parser.forms)}")
    return parser.forms[action]


def origin_of(client: httpx.AsyncClient) -> str:
    """The origin a browser on the client's base URL sends: scheme, host and port."""
    url = client.base_url
    return f"{url.scheme}://{url.netloc.decode()}"


async def submit(
    client: httpx.AsyncClient, page: str, action: str | None = None, **fields: Any
) -> httpx.Response:
    """Open `page` and post its form to `action` (by default the page's own path) with `fields`.

    The form's hidden fields (the CSRF token, an idempotency key) go along, and so does the
    page's origin, as a browser would send them.
    """
    opened = await client.get(page)
    hidden = hidden_fields(opened.text, action or opened.url.path)
    headers = {"origin": origin_of(client)}
    return await client.post(action or opened.url.path, data={**hidden, **fields}, headers=headers)
