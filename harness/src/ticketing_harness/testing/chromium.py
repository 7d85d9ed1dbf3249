"""For tests: headless Chromium through Playwright, as the browser tests drive it.

The pytest plugin's `chromium` fixture gives one per test:

    async def test_sign_up(stack: RunningStack, chromium: Browser) -> None:
        page = await (await chromium.new_context()).new_page()
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: no sandbox (tests may run as root), GPU, updates or sync.
_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def headless_chromium() -> AsyncIterator[Browser]:
    """The Debian Chromium ./dev installs, headless; closed on the way out."""
    # Imported here: only the browser tests need Playwright.
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
