"""Headless Chromium clicks through sign-up, selling, buying and paying; a screenshot per page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from ticketing_harness.testing.stacks import RunningStack, created, signed_up, unique

# A whole stack starts within the first test of the group: allow it the time.
pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


class Shots:
    """Numbered screenshots of each page, in the test's output folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []

    async def __call__(self, page: Page, name: str) -> None:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        await page.screenshot(path=path, full_page=True)
        self.taken.append(path)


async def _sign_up(page: Page, url: str, shots: Shots, who: str) -> None:
    await page.goto(f"{url}/auth/signup")
    await page.fill("#email", f"{unique(who)}@example.com")
    await page.fill("#password", "secret-pass")
    await shots(page, f"{who}-sign-up")
    await page.click("button[type=submit]")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await shots(page, f"{who}-home")


async def _sell(page: Page, title: str, price: str) -> None:
    await page.click("text=Sell a ticket")
    await page.fill("#title", title)
    await page.fill("#price", price)
    await page.click("button:has-text('Sell')")


async def test_sell_buy_and_pay_in_the_browser(
    stack: RunningStack, chromium: Browser, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    title = unique("Opera night")
    seller = await (await chromium.new_context()).new_page()
    await _sign_up(seller, stack.url, shots, "seller")
    await _sell(seller, title, "0")
    await expect(seller.locator("#price-error")).to_be_visible()
    await shots(seller, "seller-price-error")
    await seller.fill("#price", "42.50")
    await seller.click("button:has-text('Sell')")
    await expect(seller.locator("h1")).to_have_text(title)
    await shots(seller, "seller-ticket")

    buyer = await (await chromium.new_context(viewport={"width": 390, "height": 844})).new_page()
    await _sign_up(buyer, stack.url, shots, "buyer")
    await expect(buyer.get_by_text(title)).to_be_visible()
    await buyer.get_by_role("row", name=re.compile(title)).get_by_role("link", name="View").click()
    await expect(buyer.locator(".price")).to_have_text("$42.50")
    await shots(buyer, "buyer-ticket")
    await _purchase_until_ordered(buyer)
    countdown = buyer.locator("#countdown")
    await expect(countdown).to_contain_text("left to pay")
    shown = await countdown.inner_text()
    await expect(countdown).not_to_have_text(shown, timeout=5000)  # it counts down live
    await expect(buyer.locator("#token")).to_have_value("pm_card_visa")
    await shots(buyer, "buyer-order")
    await _pay_until_accepted(buyer)
    # The order page confirms the payment by itself: no reload, no countdown once paid.
    await expect(buyer.locator("#order .status-complete")).to_be_visible(timeout=30_000)
    await expect(buyer.locator("#countdown")).to_have_count(0)
    await shots(buyer, "buyer-orders-complete")

    await buyer.goto(stack.url)
    await expect(buyer.get_by_text(title)).to_have_count(0)
    await shots(buyer, "buyer-ticket-gone")
    assert [path.name for path in shots.taken] == [
        "01-seller-sign-up.png",
        "02-seller-home.png",
        "03-seller-price-error.png",
        "04-seller-ticket.png",
        "05-buyer-sign-up.png",
        "06-buyer-home.png",
        "07-buyer-ticket.png",
        "08-buyer-order.png",
        "09-buyer-orders-complete.png",
        "10-buyer-ticket-gone.png",
    ]
    assert all(path.stat().st_size > 0 for path in shots.taken)


async def _purchase_until_ordered(page: Page) -> None:
    """Purchase; the orders service may not have the new ticket yet, so retry a few times."""
    for _ in range(30):
        await page.click("button:has-text('Purchase')")
        if "/orders/" in page.url:
            return
        await page.wait_for_timeout(500)
    raise AssertionError(f"no order was created; last page {page.url}")


async def _pay_until_accepted(page: Page) -> None:
    """Pay; payments may not have the new order yet, so retry a few times."""
    for _ in range(30):
        await page.click("button:has-text('Pay')")
        if page.url.endswith("?paid"):
            return
        await page.wait_for_timeout(500)
    raise AssertionError(f"the payment was not accepted; last page {page.url}")


async def test_my_orders_counts_down_and_an_order_is_cancelled_in_the_browser(
    stack: RunningStack, chromium: Browser, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    title = unique("Matinee")
    async with signed_up(stack.url) as seller:
        ticket = await created(seller, "/api/tickets", {"title": title, "price": 18})
    page = await (await chromium.new_context()).new_page()
    await _sign_up(page, stack.url, shots, "member")
    await page.goto(f"{stack.url}/tickets/{ticket['id']}")
    await _purchase_until_ordered(page)
    await page.click("text=My orders")
    row = page.get_by_role("row", name=re.compile(title))
    await expect(row.locator(".status-created")).to_be_visible()
    countdown = row.locator(".countdown")
    await expect(countdown).to_contain_text(re.compile(r"\d+ min \d+ s"))
    shown = await countdown.inner_text()
    await expect(countdown).not_to_have_text(shown, timeout=5000)  # it counts down live
    await shots(page, "orders-time-left")
    await row.get_by_role("link", name="View").click()
    await page.click("button:has-text('Cancel order')")
    await expect(page.locator(".status-cancelled")).to_be_visible()
    await expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    await shots(page, "order-cancelled")
