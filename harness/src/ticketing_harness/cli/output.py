"""What every `ticketing` command shares: output, error reporting and the state directory."""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout, default_state_dir

# Without a terminal (a CI log, a pipe) no line is wrapped or cut to fit a width: a log
# viewer wraps for itself, and an id, an email or a command must survive copy and paste.
UNBOUNDED_WIDTH = 10_000


def _console(*, stderr: bool = False) -> Console:
    """A console for people: the terminal's width, or as wide as each line needs in a log."""
    made = Console(stderr=stderr, highlight=False)
    if not made.is_terminal:
        made.width = UNBOUNDED_WIDTH
    return made


console = _console()
errors = _console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="Where data, logs and state live.",
        show_default="$TICKETING_STATE_DIR or ./.ticketing",
    ),
]


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A HarnessError becomes `error: <message>` on stderr and exit code 1, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except HarnessError as error:
            errors.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def layout_for(state_dir: Path | None) -> Layout:
    """The layout of --state-dir, else of the default state directory."""
    return Layout((state_dir or default_state_dir()).absolute())


@contextmanager
def stopped_like_ctrl_c() -> Iterator[None]:
    """Within the block, `kill` (SIGTERM) or a closing terminal (SIGHUP) stop the command as
    Ctrl-C would, so that what it started is stopped too."""
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def interrupt(signum: int, frame: FrameType | None) -> None:
    """A signal handler that stops the command as Ctrl-C does."""
    raise KeyboardInterrupt
