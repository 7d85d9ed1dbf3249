"""When to start a crashed process again, and when to stop trying."""

from __future__ import annotations

from dataclasses import dataclass

# The waits before each new start while a process keeps failing; one more failure gives up.
DELAYS = (0.5, 1.0, 2.0, 4.0)
# A process that stayed ready this long has recovered: its next crash starts a new count.
STABLE_SECONDS = 30.0


@dataclass
class Backoff:
    """The failures of one process in a row, and the wait each one earns."""

    delays: tuple[float, ...] = DELAYS
    stable_seconds: float = STABLE_SECONDS
    failures: int = 0
    ready_at: float | None = None

    def ready(self, now: float) -> None:
        """The process is serving."""
        self.ready_at = now

    def failed(self, now: float) -> float | None:
        """It exited unexpectedly or did not get ready: the wait before the next start, or None
        when it keeps failing and should be left stopped."""
        if self.ready_at is not None and now - self.ready_at >= self.stable_seconds:
            self.failures = 0
        self.ready_at = None
        self.failures += 1
        if self.failures > len(self.delays):
            return None
        return self.delays[self.failures - 1]

    def reset(self) -> None:
        """Someone asked for a start (new code, `ticketing restart`): count afresh."""
        self.failures = 0
