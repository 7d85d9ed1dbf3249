"""What a load run is asked for: scenario, load, target, processes and where reports go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.errors import HarnessError

SCENARIOS = ("drop", "browse", "steady")
SCENARIO_DIR = Path(__file__).parent / "scenarios"
# Sign-ups are the preparation, not the spike: each Locust process sends a few at a time,
# as registrations spread before a sale would, instead of queueing hundreds at the auth service.
SIGN_UPS_AT_ONCE = 8
SLOWEST_SIGN_UPS_PER_SECOND = 2.0  # past what this rate allows, the doors open anyway
DOORS_GRACE_SECONDS = 60.0
_TIMESPAN = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?")


@dataclass(frozen=True)
class LoadSettings:
    """One run of a scenario."""

    scenario: str
    host: str
    users: int
    tickets: int
    hot: int
    spawn_rate: float
    duration: float  # seconds the load lasts once every user is in
    reports: Path
    workers: int = 0  # local worker processes; 0 runs Locust in one process
    remote_workers: int = 0  # workers started on other machines
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None

    def __post_init__(self) -> None:
        if self.hot > self.tickets:
            raise HarnessError(f"--hot {self.hot} is more than --tickets {self.tickets}")

    @property
    def locustfile(self) -> Path:
        return locustfile(self.scenario)

    @property
    def distributed(self) -> bool:
        return self.workers + self.remote_workers > 0


def doors_deadline(users: int, spawn_rate: float) -> float:
    """Seconds after the start by which the sale opens, even if some users are not in yet."""
    return users / spawn_rate + users / SLOWEST_SIGN_UPS_PER_SECOND + DOORS_GRACE_SECONDS


def locustfile(scenario: str) -> Path:
    """The locustfile of a scenario."""
    if scenario not in SCENARIOS:
        raise HarnessError(f"no scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    return SCENARIO_DIR / f"{scenario}.py"


def seconds(timespan: str) -> float:
    """Seconds in "90", "90s", "2m" or "1h30m"."""
    match = _TIMESPAN.fullmatch(timespan.strip())
    if not timespan.strip() or match is None:
        raise HarnessError(f"--duration {timespan!r}: give seconds, or a time like 30s, 2m, 1h30m")
    hours, minutes, secs = (float(group) if group else 0.0 for group in match.groups())
    total = hours * 3600 + minutes * 60 + secs
    if total <= 0:
        raise HarnessError(f"--duration {timespan!r}: must be more than zero")
    return total
