"""py-spy sampling each service process while a phase runs, and the frames its CPU went to.

Each process is sampled without being paused (`--nonblocking`), only while it runs Python
(idle threads are left out), by function (`--nolineno`). The samples are kept as collapsed
stacks (`<stem>-<process>.folded`, one `frame;frame;... count` line per stack), which
speedscope.app, inferno or flamegraph.pl draw as a flame graph.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ticketing_harness.bench.frames import Frames

SAMPLES_PER_SECOND = 200
STOP_TIMEOUT_SECONDS = 30


def py_spy() -> Path | None:
    """The py-spy executable (the dev group installs it beside Python), if there is one."""
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return Path(found) if Path(found).exists() else None


class Samplers:
    """One `py-spy record` per process, from `start` until `stop`."""

    def __init__(self, spy: Path, pids: Mapping[str, int], directory: Path, stem: str) -> None:
        self.spy = spy
        self.pids = pids
        self.outputs = {name: directory / f"{stem}-{_file_name(name)}.folded" for name in pids}
        self._running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        for name, pid in self.pids.items():
            self.outputs[name].parent.mkdir(parents=True, exist_ok=True)
            self._running[name] = subprocess.Popen(
                [
                    *(str(self.spy), "record", "--pid", str(pid), "--format", "raw"),
                    *("--rate", str(SAMPLES_PER_SECOND), "--nolineno"),
                    *("--nonblocking", "--output", str(self.outputs[name])),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

    def stop(self) -> dict[str, Frames]:
        """Stop sampling (py-spy writes its file on SIGINT); each process's frames."""
        for process in self._running.values():
            process.send_signal(signal.SIGINT)
        frames: dict[str, Frames] = {}
        for name, process in self._running.items():
            _, errors = process.communicate(timeout=STOP_TIMEOUT_SECONDS)
            if self.outputs[name].exists():
                frames[name] = Frames.of_folded(self.outputs[name].read_text())
            else:
                print(f"  (py-spy wrote no samples of {name}: {errors.decode().strip()})")
        self._running.clear()
        return frames


def _file_name(process: str) -> str:
    """`orders#2` as `orders-2`: a name without a character shells treat specially."""
    return process.replace("#", "-")
