"""Live progress of `ticketing up`: a table on a terminal, one line per change elsewhere."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ticketing_harness.local.notices import Phase

_STYLES = {
    Phase.WAITING: "dim",
    Phase.STARTING: "yellow",
    Phase.READY: "green",
    Phase.FAILED: "bold red",
}


class Progress:
    """Shows each component's phase: a live table on a terminal, one line per change elsewhere."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.phases: dict[str, tuple[Phase, str]] = {}
        self._live: Live | None = None

    def __call__(self, name: str, phase: Phase, detail: str) -> None:
        self.phases[name] = (phase, detail)
        if self._live is not None:
            self._live.update(self._table())
        elif phase is not Phase.WAITING:
            self.console.print(f"{name}: {phase.value} {detail}".rstrip())

    def __enter__(self) -> Progress:
        if self.console.is_terminal:
            self._live = Live(self._table(), console=self.console, refresh_per_second=10)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, traceback)
            self._live = None

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, pad_edge=False)
        for name, (phase, detail) in self.phases.items():
            style = _STYLES[phase]
            table.add_row(name, f"[{style}]{phase.value}[/]", detail)
        return table
