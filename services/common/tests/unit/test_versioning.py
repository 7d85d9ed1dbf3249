"""The replica version rule every service applies."""

from __future__ import annotations

import pytest

from ticketing_common.versioning import ReplicaChange, replica_change


@pytest.mark.parametrize(
    ("local", "incoming", "change"),
    [
        (0, 1, ReplicaChange.APPLY),
        (4, 5, ReplicaChange.APPLY),
        (1, 1, ReplicaChange.DUPLICATE),
        (3, 1, ReplicaChange.DUPLICATE),
        (0, 2, ReplicaChange.GAP),
        (1, 5, ReplicaChange.GAP),
        (None, 1, ReplicaChange.GAP),
    ],
)
def test_replica_applies_exactly_the_next_version(
    local: int | None, incoming: int, change: ReplicaChange
) -> None:
    assert replica_change(local, incoming) is change
