"""`ticketing logs`: print or follow the components' logs, each line prefixed with its name."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ticketing_harness.local.processes import log_tail

Write = Callable[[str], None]


def show(logs: Sequence[tuple[str, Path]], lines: int, write: Write) -> None:
    """The last `lines` lines of each log, prefixed when there are several."""
    for name, path in logs:
        if not path.exists():
            continue
        for line in log_tail(path, lines).splitlines():
            write(_prefixed(name, line, len(logs) > 1))


def end_offsets(logs: Sequence[tuple[str, Path]]) -> dict[Path, int]:
    """Where each log ends now: `follow` prints what is appended after that."""
    return {path: path.stat().st_size if path.exists() else 0 for _, path in logs}


def follow(
    logs: Sequence[tuple[str, Path]],
    write: Write,
    start: Mapping[Path, int],
    keep_going: Callable[[], bool] = lambda: True,
    interval: float = 0.2,
) -> None:
    """Print lines appended to any of the logs after `start` until `keep_going` says stop."""
    offsets = dict(start)
    partial = {path: "" for _, path in logs}
    while keep_going():
        for name, path in logs:
            try:
                with path.open("rb") as log:
                    log.seek(offsets[path])
                    chunk = log.read()
            except FileNotFoundError:
                continue
            if path.stat().st_size < offsets[path]:
                offsets[path] = 0  # truncated or replaced (`up --fresh`): start over
                continue
            offsets[path] += len(chunk)
            *complete, partial[path] = (partial[path] + chunk.decode(errors="replace")).split("\n")
            for line in complete:
                write(_prefixed(name, line, len(logs) > 1))
        time.sleep(interval)


def _prefixed(name: str, line: str, several: bool) -> str:
    return f"{name:>10} | {line}" if several else line
