"""One `ticketing doctor` finding, and running a probe into one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ticketing_harness.errors import HarnessError


@dataclass(frozen=True)
class Check:
    """One finding: whether `up` needs it, whether it holds, and what to do if not."""

    name: str
    required: bool
    ok: bool
    detail: str


def checked(name: str, required: bool, probe: Callable[[], str]) -> Check:
    """Run `probe`: its answer when it holds, its HarnessError's message (the fix) when not."""
    try:
        return Check(name, required, True, probe())
    except HarnessError as error:
        return Check(name, required, False, str(error))
