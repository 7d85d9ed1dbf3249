"""The replica rule: apply exactly the next version, skip what is applied, wait for gaps."""

from __future__ import annotations

from enum import Enum

from ticketing_common.faults.canaries import Canary, disabled


class ReplicaChange(Enum):
    """What a replicated event does to the local copy."""

    APPLY = "apply"
    DUPLICATE = "duplicate"
    GAP = "gap"


def replica_change(local_version: int | None, event_version: int) -> ReplicaChange:
    """Apply exactly the next version; equal or older is a duplicate; a skip (or no copy) waits."""
    if local_version is None:
        return ReplicaChange.GAP
    if event_version <= local_version:
        return ReplicaChange.DUPLICATE
    if event_version == local_version + 1 or disabled(Canary.NEXT_VERSION_RULE):
        return ReplicaChange.APPLY
    return ReplicaChange.GAP
