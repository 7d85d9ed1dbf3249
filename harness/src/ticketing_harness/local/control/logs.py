"""`ticketing logs`: the components' logs, merged in time order, filtered, or followed.

Each line keeps its text; when several logs are shown, it is prefixed with its component's
name, coloured by service. A line's time is read in whichever format its program writes
(our JSON lines, nginx, PostgreSQL, NATS, Redis, localstripe); a line without one (a
traceback's) goes with the line before it.
"""

from __future__ import annotations

import heapq
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.markup import escape
from rich.text import Text

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import COMPONENT_NAMES, SUPERVISOR, Layout
from ticketing_harness.local.replicas import replica_number, service_of

_COLOURS = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "blue",
    "bright_cyan",
    "bright_magenta",
    "bright_green",
    "bright_yellow",
    "bright_blue",
    "bright_red",
    "white",
    "bright_white",
)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
# (pattern, strptime format, whether the program writes local time rather than UTC)
_FORMATS = (
    # nginx error log: 2026/12/01 23:54:38 [error]
    (re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \["), "%Y/%m/%d %H:%M:%S", True),
    # PostgreSQL: 2026-12-01 23:54:42.514 UTC [22606] LOG:
    (re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC "), "%Y-%m-%d %H:%M:%S.%f", False),
    # NATS: [22192] 2026/12/01 23:54:32.216734 [INF]
    (re.compile(r"^\[\d+\] (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+) "), "%Y/%m/%d %H:%M:%S.%f", True),
    # Redis: 22193:C 01 Dec 2026 23:54:32.215 #
    (re.compile(r"^\d+:\w (\d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d+) "), "%d %b %Y %H:%M:%S.%f", True),
    # localstripe (aiohttp): ... [01/Dec/2026:23:54:36 +0000] "GET
    (
        re.compile(r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] \""),
        "%d/%b/%Y:%H:%M:%S %z",
        False,
    ),
)

Write = Callable[[Text], None]


@dataclass(frozen=True)
class LogFile:
    """A component's log and the colour of its name."""

    name: str
    path: Path
    colour: str = "default"


@dataclass(frozen=True, order=True)
class Line:
    """One line of one log, with the time it was written."""

    time: datetime
    source: int  # the log's position: equal times keep the order of the logs
    number: int  # the line's position in its log
    name: str
    text: str


def of_component(layout: Layout, component: str | None) -> list[LogFile]:
    """The logs of `component` (a service: all its processes), or of everything."""
    groups = [*COMPONENT_NAMES, SUPERVISOR]
    if component is not None and service_of(component) not in groups:
        raise HarnessError(
            f"no component {component!r}; choose one of {', '.join(groups)} "
            "(or a replica such as orders#2)"
        )
    found = []
    for index, group in enumerate(groups):
        replicas = sorted(
            (path.stem for path in layout.log_dir.glob(f"{group}#*.log")), key=replica_number
        )
        for name in [group, *replicas]:
            if component in (None, group, name):
                colour = _COLOURS[index % len(_COLOURS)]
                found.append(LogFile(name, layout.log_path(name), colour))
    if component is not None and not found:
        raise HarnessError(f"no log of {escape(component)} in {layout.log_dir}")
    return found


def line_time(text: str) -> datetime | None:
    """When the line was written, if it says so."""
    if text.startswith("{"):
        try:
            entry = json.loads(text)
        except ValueError:
            return None
        stamp = entry.get("time") if isinstance(entry, dict) else None
        try:
            return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
        except ValueError:
            return None
    for pattern, layout, local in _FORMATS:
        found = pattern.search(text)
        if found is None:
            continue
        try:
            moment = datetime.strptime(found.group(1), layout)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.astimezone() if local else moment.replace(tzinfo=UTC)
        return moment
    return None


def timed(name: str, source: int, texts: Iterable[str], before: datetime = _EARLIEST) -> list[Line]:
    """Lines with their times; a line that has none takes the time of the line before it."""
    lines = []
    for number, text in enumerate(texts):
        before = line_time(text) or before
        lines.append(Line(before, source, number, name, text))
    return lines


def merged(logs: Sequence[LogFile], lines: int, pattern: re.Pattern[str] | None) -> list[Line]:
    """The last `lines` matching lines of all the logs together, in time order."""
    per_log = (
        timed(log.name, index, _last_lines(log.path, lines, whole=pattern is not None))
        for index, log in enumerate(logs)
        if log.path.exists()
    )
    ordered = heapq.merge(*per_log)
    chosen = [line for line in ordered if pattern is None or pattern.search(line.text)]
    return chosen[-lines:] if lines else []


def _last_lines(path: Path, lines: int, whole: bool) -> list[str]:
    """The last `lines` lines of a log (all of it to search it), the first one whole."""
    with path.open("rb") as log:
        size = log.seek(0, os.SEEK_END)
        start = 0 if whole else max(size - max(lines * 2048, 65536), 0)
        log.seek(start)
        text = log.read().decode(errors="replace")
    found = text.splitlines()
    if start > 0:
        found = found[1:]  # cut in the middle
    return found if whole else found[-lines:]


def render(line: Line, logs: Sequence[LogFile]) -> Text:
    """The line, after its component's name in colour when several logs are shown."""
    if len(logs) == 1:
        return Text(line.text)
    colour = next((log.colour for log in logs if log.name == line.name), "default")
    return Text.assemble((f"{line.name:>12}", colour), " | ", line.text)


def end_offsets(logs: Sequence[LogFile]) -> dict[Path, int]:
    """Where each log ends now: `follow` prints what is appended after that."""
    return {log.path: log.path.stat().st_size if log.path.exists() else 0 for log in logs}


def follow(
    logs: Sequence[LogFile],
    write: Write,
    start: Mapping[Path, int],
    pattern: re.Pattern[str] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
    interval: float = 0.2,
) -> None:
    """Print lines appended to any of the logs after `start`, in time order, until told to stop."""
    offsets = dict(start)
    partial = {log.path: "" for log in logs}
    last = {log.path: _EARLIEST for log in logs}
    while keep_going():
        batch: list[Line] = []
        for index, log in enumerate(logs):
            texts = _appended(log.path, offsets, partial)
            if texts:
                batch.extend(timed(log.name, index, texts, last[log.path]))
                last[log.path] = batch[-1].time
        for line in sorted(batch):
            if pattern is None or pattern.search(line.text):
                write(render(line, logs))
        time.sleep(interval)


def _appended(path: Path, offsets: dict[Path, int], partial: dict[Path, str]) -> list[str]:
    """The whole lines appended to `path` since its offset."""
    try:
        with path.open("rb") as log:
            log.seek(offsets[path])
            chunk = log.read()
    except FileNotFoundError:
        return []
    if path.stat().st_size < offsets[path]:
        offsets[path] = 0  # truncated or replaced (`up --fresh`): start over
        return []
    offsets[path] += len(chunk)
    *complete, partial[path] = (partial[path] + chunk.decode(errors="replace")).split("\n")
    return complete
