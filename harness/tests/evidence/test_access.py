"""A stack is reached only while it runs; what an access does not know, it says it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.errors import HarnessError
from ticketing_harness.evidence.access import StackAccess, StripeAccess, local_access
from ticketing_harness.local.layout import Layout


def test_a_directory_without_a_running_stack_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"no stack is running from .*ticketing up --detach"):
        local_access(Layout(tmp_path))


def test_a_store_the_access_does_not_reach_is_named_not_guessed() -> None:
    remote = StackAccess(databases={"orders": "postgresql://db/orders"})
    assert remote.database_url("orders") == "postgresql://db/orders"
    with pytest.raises(HarnessError, match=r"no database of payments is known here"):
        remote.database_url("payments")
    with pytest.raises(HarnessError, match=r"the address of NATS is not known here"):
        remote.nats()


def test_what_the_options_name_replaces_what_the_local_stack_gives() -> None:
    local = StackAccess(
        gateway_url="http://127.0.0.1:1",
        databases={"orders": "postgresql://local/orders", "tickets": "postgresql://local/t"},
        nats_url="nats://local",
        stripe=StripeAccess("http://local-stripe"),
    )
    given = StackAccess(databases={"orders": "postgresql://there/orders"}, nats_url="nats://there")
    merged = local.merged(given)
    assert merged.databases == {
        "orders": "postgresql://there/orders",
        "tickets": "postgresql://local/t",
    }
    assert (merged.nats(), merged.gateway_url) == ("nats://there", "http://127.0.0.1:1")
    assert merged.stripe == StripeAccess("http://local-stripe")
