"""`nox -s bench_cli`: the CPU time `ticketing --help` and `ticketing status` cost.

Each command runs `--runs` times in a fresh interpreter, as a user runs it; `status` asks a
state directory where nothing runs. The figures are the user and system CPU seconds of the
process (its children included) and the wall time, median and range; nothing is asserted.
Each is measured twice: with a bytecode cache of its own (PYTHONPYCACHEPREFIX, a temporary
directory filled by a first run), as a user's usual runs are, and in this environment as it
is, where PYTHONDONTWRITEBYTECODE may leave the code to be compiled on every run. Run on an
otherwise idle machine: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

COMMANDS = (("--help",), ("status",))


@dataclass(frozen=True)
class Run:
    """One command's cost: CPU seconds in user and system mode, and wall seconds."""

    user: float
    system: float
    wall: float


def measure(argv: list[str], env: dict[str, str]) -> Run:
    """Run `argv` to its end; what it cost."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, wall)


def summary(runs: list[Run]) -> str:
    """Median and range of each figure, in seconds."""

    def figure(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"

    return (
        f"user {figure([r.user for r in runs])}, system {figure([r.system for r in runs])}, "
        f"wall {figure([r.wall for r in runs])}"
    )


def regimes(cache: Path) -> dict[str, dict[str, str]]:
    """The environment of each way to load the code, by name."""
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    as_is = "this environment"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        as_is += ", PYTHONDONTWRITEBYTECODE set"
    return {
        "bytecode cached": {**cached, "PYTHONPYCACHEPREFIX": str(cache)},
        as_is: dict(os.environ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="nox -s bench_cli --", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    options = parser.parse_args()
    ticketing = Path(sys.executable).parent / "ticketing"
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for regime, env in regimes(root / "cache").items():
            for command in COMMANDS:
                argv = [str(ticketing), *command]
                if command == ("status",):
                    argv += ["--state-dir", str(root / "nothing-running")]
                measure(argv, env)  # once to warm the file cache (and fill the bytecode cache)
                runs = [measure(argv, env) for _ in range(options.runs)]
                shown = " ".join(command)
                print(f"ticketing {shown} ({regime}): {summary(runs)}, median of {options.runs}")
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
