"""Running the deterministic mode: many orderings against fresh databases, or one program again."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import get_state_machine_test

from ticketing_chaos.deterministic.machine import Marketplace
from ticketing_chaos.deterministic.world import World, build_world
from ticketing_common import faults
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan
from ticketing_harness.servers import PostgresServer


@dataclass(frozen=True)
class Exploration:
    """How many orderings ran, how fast, and the shrunk program of a failure, if any."""

    examples: int
    seconds: float
    failure: str | None
    program: str | None

    @property
    def per_minute(self) -> float:
        return self.examples / self.seconds * 60 if self.seconds else 0.0


def explore(
    *, examples: int, steps: int, seed: int, canaries: tuple[Canary, ...] = ()
) -> Exploration:
    """Let Hypothesis run `examples` programs of up to `steps` steps, shrinking a failure."""
    with _world(canaries) as world:
        Marketplace.world, Marketplace.examples = world, 0
        test = get_state_machine_test(
            Marketplace,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                database=None,
                print_blob=False,
                suppress_health_check=list(HealthCheck),
            ),
        )
        started = time.monotonic()
        try:
            hypothesis.seed(seed)(test)()
        except AssertionError as failure:
            elapsed = time.monotonic() - started
            return Exploration(Marketplace.examples, elapsed, str(failure), _program(failure))
        return Exploration(Marketplace.examples, time.monotonic() - started, None, None)


def _program(failure: BaseException) -> str:
    """The shrunk steps Hypothesis attached to the failure, from `state = ...` to teardown."""
    lines = getattr(failure, "__notes__", [])
    start = next((n for n, line in enumerate(lines) if line.startswith("state = ")), len(lines))
    end = next((n for n, line in enumerate(lines) if line == "state.teardown()"), len(lines) - 1)
    return "\n".join(lines[start : end + 1])


def replay(program: str, canaries: tuple[Canary, ...] = ()) -> None:
    """Run a program Hypothesis printed (`state = Marketplace()` ...) once more; it raises the
    same error if it still fails."""
    with _world(canaries) as world:
        Marketplace.world = world
        exec(compile(program, "<program>", "exec"), {"Marketplace": Marketplace})


@contextmanager
def _world(canaries: tuple[Canary, ...]) -> Iterator[World]:
    """A private PostgreSQL, the three databases, and the canaries switched off."""
    with tempfile.TemporaryDirectory(prefix="ticketing-chaos-explore-") as scratch:
        root = Path(scratch)
        root.chmod(0o711)  # PostgreSQL's own user reaches its data inside
        plan = FaultPlan(seed=0, run_dir=root / "run", canaries=canaries)
        loop = asyncio.new_event_loop()
        with PostgresServer(root / "postgres", fast=True) as server, faults.activated(plan):
            world = loop.run_until_complete(build_world(server, canaries))
            try:
                yield world
            finally:
                loop.run_until_complete(world.close())
                loop.close()
