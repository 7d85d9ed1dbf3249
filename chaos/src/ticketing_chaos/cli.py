"""What the `ticketing chaos` commands need checked before a run starts."""

from __future__ import annotations

import random
from pathlib import Path

from ticketing_chaos.runner import RunRequest
from ticketing_chaos.scenarios import SCENARIOS
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan
from ticketing_harness.errors import HarnessError


def parse_run(
    scenario: str, seed: int | None, duration: float | None, canaries: list[str], plan: Path | None
) -> tuple[RunRequest, FaultPlan | None]:
    """The run asked for, or a one-line error saying what to fix."""
    chosen = SCENARIOS.get(scenario)
    if chosen is None:
        raise HarnessError(f"no scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    switched_off = parse_canaries(canaries)
    fault_plan = _plan(plan) if plan is not None else None
    if seed is None:
        seed = fault_plan.seed if fault_plan else random.SystemRandom().randrange(1, 2**31)
    return RunRequest(chosen, seed, duration or chosen.duration, switched_off), fault_plan


def parse_canaries(names: list[str]) -> tuple[Canary, ...]:
    """The named canaries, or a one-line error naming the known ones."""
    return tuple(_canary(name) for name in names)


def read_program(path: Path) -> str:
    """A program the deterministic mode printed, saved to a file."""
    try:
        program = path.read_text()
    except OSError as exc:
        raise HarnessError(f"cannot read the program {path}: {exc.strerror}") from None
    if "state = Marketplace()" not in program:
        raise HarnessError(f"{path} holds no program: it starts with `state = Marketplace()`")
    return program


def _canary(name: str) -> Canary:
    try:
        return Canary(name)
    except ValueError:
        known = ", ".join(canary.value for canary in Canary)
        raise HarnessError(f"no canary {name!r}; choose one of {known}") from None


def _plan(path: Path) -> FaultPlan:
    try:
        return FaultPlan.load(path)
    except OSError as exc:
        raise HarnessError(f"cannot read the fault plan {path}: {exc.strerror}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise HarnessError(
            f"{path} is not a fault plan ({first}); pass a run's plan.json"
        ) from None
