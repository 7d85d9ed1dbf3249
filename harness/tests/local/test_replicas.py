"""`--replicas orders=3,tickets=2`: several processes per service, and their names."""

from __future__ import annotations

import pytest

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.replicas import (
    all_instances,
    instance_names,
    parse_replicas,
    replica_number,
    service_of,
)


def test_replicas_are_read_per_service() -> None:
    assert parse_replicas("orders=3, tickets=2") == {"orders": 3, "tickets": 2}
    assert parse_replicas("") == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("shipping=2", "no service 'shipping'; choose among auth, tickets"),
        ("orders", "'orders' needs a count from 1 to 16, e.g. orders=3"),
        ("orders=0", "needs a count from 1 to 16"),
        ("orders=17", "needs a count from 1 to 16"),
        ("orders=two", "needs a count from 1 to 16"),
    ],
)
def test_a_bad_replica_count_is_refused_with_what_to_write(text: str, problem: str) -> None:
    with pytest.raises(HarnessError, match=problem):
        parse_replicas(text)


def test_the_first_process_keeps_the_service_name_and_the_others_are_numbered() -> None:
    assert instance_names("orders", 3) == ["orders", "orders#2", "orders#3"]
    assert all_instances({"orders": 2})["orders"] == ["orders", "orders#2"]
    assert all_instances({"orders": 2})["auth"] == ["auth"]
    assert [service_of(name) for name in ("orders#2", "orders", "gateway")] == [
        "orders",
        "orders",
        "gateway",
    ]
    assert [replica_number(name) for name in ("orders", "orders#3")] == [1, 3]
