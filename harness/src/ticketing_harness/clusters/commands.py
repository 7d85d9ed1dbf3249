"""External commands (kind, docker, gcloud, eksctl, aws, kubectl, skaffold): shown, run, checked."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ticketing_harness.errors import HarnessError

# Where each program comes from, for the "not installed" message.
PACKAGES = {
    "kind": "kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)",
    "docker": "Docker (https://docs.docker.com/engine/install/)",
    "kubectl": "kubectl (`uv sync` installs it into .venv/bin)",
    "gcloud": "the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
    "gke-gcloud-auth-plugin": "gke-gcloud-auth-plugin (`gcloud components install"
    " gke-gcloud-auth-plugin`)",
    "eksctl": "eksctl (https://eksctl.io/installation/)",
    "aws": "the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/"
    "getting-started-install.html)",
    "skaffold": "Skaffold (https://skaffold.dev/docs/install/)",
}


@dataclass(frozen=True)
class Command:
    """One program call; `env` adds variables; `stdin_from` pipes another command's output in,
    `stdin` a text."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    stdin_from: Command | None = None
    stdin: str | None = None

    def __str__(self) -> str:
        prefix = "".join(f"{name}={shlex.quote(value)} " for name, value in self.env.items())
        text = prefix + shlex.join(self.argv)
        if self.cwd is not None:
            text = f"cd {shlex.quote(str(self.cwd))} && {text}"
        if self.stdin is not None:
            # A here-string ends its text with a newline itself.
            text = f"{text} <<< {shlex.quote(self.stdin.removesuffix(chr(10)))}"
        return f"{self.stdin_from} | {text}" if self.stdin_from else text


def command(*argv: str, env: Mapping[str, str] | None = None, stdin: str | None = None) -> Command:
    return Command(tuple(argv), dict(env or {}), stdin=stdin)


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Runner:
    """Runs commands; a failure or a missing program becomes one clear HarnessError."""

    def __init__(self, timeout: float = 3600.0) -> None:
        self.timeout = timeout

    def result(self, cmd: Command, *, stream: bool = False) -> Result:
        """Run `cmd` and return how it ended; output is captured unless `stream`."""
        stdin = self.run(cmd.stdin_from).stdout if cmd.stdin_from else cmd.stdin
        try:
            completed = subprocess.run(
                cmd.argv,
                input=stdin,
                capture_output=not stream,
                text=True,
                env={**os.environ, **cmd.env},
                cwd=cmd.cwd,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            program = cmd.argv[0]
            package = PACKAGES.get(program, program)
            raise HarnessError(f"{program} is not installed: install {package}") from None
        except subprocess.TimeoutExpired:
            raise HarnessError(f"`{cmd}` did not finish within {self.timeout:.0f}s") from None
        return Result(completed.returncode, completed.stdout or "", completed.stderr or "")

    def run(self, cmd: Command, *, stream: bool = False) -> Result:
        """Run `cmd`; raise a HarnessError with its last words when it fails."""
        result = self.result(cmd, stream=stream)
        if not result.ok:
            raise HarnessError(failure_message(cmd, result))
        return result

    def succeeds(self, cmd: Command) -> bool:
        return self.result(cmd).ok


def failure_message(cmd: Command, result: Result) -> str:
    """`<command>` failed (exit N): its last line of error output."""
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines()]
    last = next((line for line in reversed(lines) if line), "no output")
    return f"`{shlex.join(cmd.argv)}` failed (exit {result.returncode}): {last}"
