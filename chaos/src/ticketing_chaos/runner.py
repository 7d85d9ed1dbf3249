"""One chaos run: start the stack, run the workload under the plan's faults, drain, check."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ticketing_chaos.explanations import explained_by
from ticketing_chaos.invariants import check
from ticketing_chaos.live.journal import Journal
from ticketing_chaos.live.nemesis import Nemesis
from ticketing_chaos.live.rest import come_to_rest
from ticketing_chaos.live.stack import ChaosStack
from ticketing_chaos.scenarios import Scenario
from ticketing_chaos.workload.actors import Workload
from ticketing_chaos.workload.api import ENDPOINTS, User
from ticketing_chaos.workload.history import History
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan
from ticketing_common.faults.record import read_faults
from ticketing_harness.errors import HarnessError
from ticketing_harness.evidence.drain import Drain
from ticketing_harness.evidence.reading import take_snapshot
from ticketing_harness.evidence.results import CheckResult
from ticketing_harness.evidence.snapshot import Evidence

# Longer than the longest ack wait (payments' cancellations, 150 s): an ack lost in a broker
# restart brings its message back only then.
DRAIN_TIMEOUT = 200.0


class ChaosError(HarnessError):
    """The run could not be carried out (as opposed to an invariant that broke)."""


@dataclass(frozen=True)
class RunRequest:
    """What to run: a scenario with a seed, for a duration, with safeguards switched off."""

    scenario: Scenario
    seed: int
    duration: float
    canaries: tuple[Canary, ...] = ()


@dataclass
class RunResult:
    """What one run did and found."""

    request: RunRequest
    plan: FaultPlan
    results: list[CheckResult]
    evidence: Evidence
    journal: Journal
    drain: Drain
    troubles: list[str]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.troubles and all(result.ok for result in self.results)

    @property
    def broken(self) -> set[str]:
        return {result.id for result in self.results if not result.ok}


async def run_once(request: RunRequest, run_dir: Path, plan: FaultPlan | None = None) -> RunResult:
    """Run the scenario once in `run_dir` (kept: plan, history, faults, logs)."""
    plan = _prepare(request, run_dir, plan)
    timings: dict[str, float] = {}
    clock = time.monotonic()
    async with ChaosStack(
        run_dir / "stack",
        fault_plan=run_dir / "plan.json",
        expiration_seconds=request.scenario.expiration_seconds,
        canaries=request.canaries,
    ) as stack:
        timings["stack start"] = time.monotonic() - clock
        openapi = await _documents(stack)
        history = History(run_dir / "history.jsonl")
        users = await _sign_up(stack.url, history, request.scenario.mix.users)
        nemesis = Nemesis(stack, plan)
        clock = time.monotonic()
        nemesis.start()
        try:
            workload = Workload(
                request.scenario.mix,
                users,
                random.Random(request.seed),
                deadline=time.monotonic() + request.duration,
            )
            await workload.run()
            plan.quiet_file.touch()
            timings["workload"] = time.monotonic() - clock
        finally:
            await nemesis.stop()
            await asyncio.gather(*(user.close() for user in users))
        clock = time.monotonic()
        drain = await come_to_rest(stack.access, DRAIN_TIMEOUT)
        timings["drain"] = time.monotonic() - clock
        snapshot = await take_snapshot(stack.access)
    clock = time.monotonic()
    faults = read_faults(plan.log_dir)
    evidence = Evidence(snapshot, explained_by(faults))
    journal = Journal(history.operations, history.epoch, nemesis.outages, faults, openapi)
    results = check(evidence, journal)
    timings["checks"] = time.monotonic() - clock
    troubles = list(nemesis.troubles)
    if not drain.drained:
        troubles.append(f"did not come to rest within {DRAIN_TIMEOUT:.0f}s: {drain.leftovers()}")
    return RunResult(request, plan, results, evidence, journal, drain, troubles, timings)


def _prepare(request: RunRequest, run_dir: Path, plan: FaultPlan | None) -> FaultPlan:
    """The run's directory, and in it the plan its services will read."""
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o711)  # PostgreSQL's own user reaches its data inside
    plan = plan or request.scenario.plan(request.seed, request.duration, run_dir)
    plan = plan.model_copy(update={"run_dir": run_dir, "canaries": request.canaries})
    plan.save(run_dir / "plan.json")
    return plan


async def _documents(stack: ChaosStack) -> dict[str, dict[str, Any]]:
    """Each called service's OpenAPI document, as it serves it."""
    services = {endpoint.service for endpoint in ENDPOINTS.values()}
    async with httpx.AsyncClient(timeout=10) as client:
        documents = {}
        for service in services:
            port = stack.service_port(service)
            response = await client.get(f"http://127.0.0.1:{port}/openapi.json")
            response.raise_for_status()
            documents[service] = response.json()
    return documents


async def _sign_up(url: str, history: History, count: int) -> list[User]:
    users = [User(f"u{n:02d}", url, history) for n in range(count)]
    answers = await asyncio.gather(*(user.sign_up() for user in users))
    signed_up = [user for user, answer in zip(users, answers, strict=True) if answer.ok]
    if len(signed_up) < 2:
        await asyncio.gather(*(user.close() for user in users))
        raise ChaosError(f"only {len(signed_up)} of {count} users could sign up: {answers}")
    return signed_up
