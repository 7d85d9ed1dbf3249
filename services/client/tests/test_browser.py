"""In headless Chromium: the buttons follow the rules, a seller edits from "My tickets", and an
order page confirms its payment by itself."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Browser, Page, expect

from ticketing_harness.testing.stacks import RunningStack, unique

from .support import PASSWORD

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

Person = Callable[[str], Awaitable[Page]]
NOT_RELOADED = "window.notReloaded === true"


@pytest.fixture
def person(stack: RunningStack, chromium: Browser) -> Person:
    """A new visitor in a browser of their own, signed up through the form."""

    async def signed_up(who: str) -> Page:
        page = await (await chromium.new_context()).new_page()
        await page.goto(f"{stack.url}/auth/signup")
        await page.fill("#email", f"{unique(who)}@example.com")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return signed_up


async def _sell(page: Page, title: str, price: str) -> str:
    await page.click("text=Sell a ticket")
    await page.fill("#title", title)
    await page.fill("#price", price)
    await page.click("button:has-text('Sell')")
    await expect(page.locator("h1")).to_have_text(title)
    return page.url


async def _order(page: Page, ticket_url: str) -> str:
    """Purchase; orders may not know the new ticket yet, so retry. The order page's URL."""
    await page.goto(ticket_url)
    for _ in range(30):
        await page.get_by_role("button", name="Purchase").click()
        if "/orders/" in page.url:
            return page.url
        await page.wait_for_timeout(500)
    raise AssertionError(f"no order was created; last page {page.url}")


async def _until_note(page: Page, text: str) -> None:
    """Reload until the ticket's note says `text`: the other services hear of it by events."""
    for _ in range(60):
        if text in await page.locator("#ticket-note").all_inner_texts():
            return
        await page.wait_for_timeout(500)
        await page.reload()
    raise AssertionError(f"the ticket never said {text!r}")


async def test_purchase_is_offered_only_on_other_sellers_tickets_for_sale(
    stack: RunningStack, person: Person, chromium: Browser
) -> None:
    seller = await person("seller")
    ticket_url = await _sell(seller, unique("Quartet"), "30")
    await expect(seller.get_by_role("button", name="Purchase")).to_have_count(0)
    await expect(seller.get_by_role("link", name="Edit it")).to_be_visible()

    anonymous = await (await chromium.new_context()).new_page()
    await anonymous.goto(ticket_url)
    await expect(anonymous.get_by_role("button", name="Purchase")).to_have_count(0)
    await expect(anonymous.get_by_role("link", name="Sign in to buy")).to_be_visible()

    buyer, other = await person("buyer"), await person("other")
    await other.goto(ticket_url)
    await expect(other.get_by_role("button", name="Purchase")).to_be_visible()
    order_url = await _order(buyer, ticket_url)

    await other.reload()
    await _until_note(
        other, "This ticket is reserved by another buyer until their order is paid or expires."
    )
    await expect(other.get_by_role("button", name="Purchase")).to_have_count(0)

    await buyer.goto(order_url)
    for _ in range(30):  # payments may not know the new order yet
        await buyer.get_by_role("button", name=re.compile("^Pay ")).click()
        if buyer.url.endswith("?paid"):
            break
        await buyer.wait_for_timeout(500)
    await _until_note(other, "This ticket is sold.")
    await expect(other.locator(".state-sold")).to_have_text("sold")
    await expect(other.get_by_role("button", name="Purchase")).to_have_count(0)
    await seller.reload()
    await expect(seller.locator("#ticket-note")).to_have_text("You sold this ticket.")


async def test_a_seller_edits_from_my_tickets_until_an_order_holds_the_ticket(
    stack: RunningStack, person: Person
) -> None:
    seller = await person("seller")
    title = unique("Recital")
    ticket_url = await _sell(seller, title, "20")
    await seller.click("text=My tickets")
    row = seller.get_by_role("row", name=re.compile(title))
    await expect(row.locator(".state-for-sale")).to_have_text("for sale")
    await row.get_by_role("link", name="Edit").click()
    await expect(seller.locator("#price")).to_have_value("20.00")
    await seller.fill("#price", "1000000")
    await seller.click("button:has-text('Save')")
    await expect(seller.locator("#price-error")).to_have_text("Price must be at most 999,999.99")
    await expect(seller.locator("#price")).to_have_value("1000000")
    renamed = unique("Recital, row A")
    await seller.fill("#title", renamed)
    await seller.fill("#price", "24.50")
    await seller.click("button:has-text('Save')")
    await expect(seller.locator("h1")).to_have_text(renamed)
    await expect(seller.locator(".price")).to_have_text("$24.50")

    buyer = await person("buyer")
    await _order(buyer, ticket_url)
    await seller.goto(f"{stack.url}/tickets/mine")
    for _ in range(30):  # tickets hears of the order through its event
        row = seller.get_by_role("row", name=re.compile(renamed))
        if await row.locator(".state-reserved").count():
            break
        await seller.wait_for_timeout(500)
        await seller.reload()
    await expect(row.get_by_role("link", name="Edit")).to_have_count(0)
    await seller.goto(f"{ticket_url}/edit")
    await expect(seller.locator("form[action$='/edit']")).to_have_count(0)
    await expect(seller.locator("#ticket-note")).to_contain_text(
        "neither its title nor its price can change"
    )


async def test_the_order_page_shows_the_payment_confirmed_without_a_reload(
    stack: RunningStack, person: Person
) -> None:
    seller, buyer = await person("seller"), await person("buyer")
    order_url = await _order(buyer, await _sell(seller, unique("Premiere"), "15"))
    # The page as it is right after paying, before orders has heard of the payment.
    await buyer.goto(f"{order_url}?paid")
    await expect(buyer.locator(".status-confirming")).to_have_text("payment received, confirming")
    await expect(buyer.locator("#countdown")).to_have_count(0)
    await expect(buyer.get_by_role("button", name=re.compile("^Pay "))).to_have_count(0)
    await buyer.evaluate("window.notReloaded = true")

    order_id = order_url.rsplit("/", 1)[-1]
    for _ in range(30):  # payments may not know the new order yet
        paid = await buyer.context.request.post(
            f"{stack.url}/api/payments", data={"orderId": order_id, "token": "pm_card_visa"}
        )
        if paid.status == 201:
            break
        await buyer.wait_for_timeout(500)
    assert paid.status == 201, await paid.text()

    await expect(buyer.locator("#order .status-complete")).to_have_text("complete", timeout=30_000)
    await expect(buyer.locator(".status-confirming")).to_have_count(0)
    await expect(buyer.get_by_text("Paid. The ticket is yours.")).to_be_visible()
    assert await buyer.evaluate(NOT_RELOADED)
