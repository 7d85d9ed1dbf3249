"""`ticketing up --tls`: https with the local CA, Secure session cookies, pages served over it."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from ticketing_harness.testing.forms import submit
from ticketing_harness.testing.stacks import RunningStack, start_stack, stop_stack, unique

# A whole stack starts within the test: allow it the time.
pytestmark = [pytest.mark.xdist_group("tls-stack"), pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def tls_stack() -> Iterator[RunningStack]:
    running = start_stack("--tls")
    yield running
    stop_stack(running)


async def test_https_with_the_local_ca_signs_in_with_a_secure_cookie(
    tls_stack: RunningStack,
) -> None:
    assert tls_stack.url.startswith("https://")
    trust = ssl.create_default_context(cafile=str(tls_stack.state_dir / "certs" / "ca.pem"))
    async with httpx.AsyncClient(base_url=tls_stack.url, verify=trust, timeout=10) as browser:
        email = f"{unique('tls')}@example.com"
        signed_up = await submit(browser, "/auth/signup", email=email, password="pw1234")
        assert signed_up.status_code == 303
        cookie = signed_up.headers["set-cookie"].lower()
        assert "secure" in cookie
        assert "httponly" in cookie
        home = await browser.get("/")
    assert f"Signed in as {email}" in home.text
    assert home.headers["strict-transport-security"].startswith("max-age=")
    async with httpx.AsyncClient(timeout=10) as plain:
        with pytest.raises(httpx.ConnectError):
            await plain.get(tls_stack.url)
