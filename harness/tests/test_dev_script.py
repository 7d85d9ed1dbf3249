"""`./dev`: its own help, one line for an unknown command, and a sync only when an input changed.

The sync tests run a copy of the script in a skeleton of the repository, with stand-ins for
uv and npm that record their calls: a real sync would install the whole environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ticketing_harness.clusters.paths import repo_root

REPO = repo_root()
STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
{extra}
"""
# `python3 -m uv ...` is recorded; anything else runs the real Python.
PYTHON_STUB = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "uv" ]; then
  shift 2; echo "uv $*" >> "$CALLS"; exit 0
fi
exec {sys.executable} "$@"
"""


def dev(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cwd / "dev"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def nox_sessions() -> dict[str, str]:
    """What nox itself lists: each session of noxfile.py with its description."""
    nox = Path(sys.executable).parent / "nox"
    listed = subprocess.run(
        [str(nox), "--list"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return dict(re.findall(r"^[*-] (\S+) -> (.*)$", listed, re.MULTILINE))


def test_help_lists_the_commands_and_every_nox_session_with_its_description() -> None:
    result = dev("help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ./dev COMMAND")
    for verb in ("up [OPTIONS]", "test [PYTEST ARGS]", "ticketing ARGS...", "help"):
        assert re.search(rf"^  {re.escape(verb)} ", result.stdout, re.MULTILINE), verb
    sessions = nox_sessions()
    assert {"tests", "lint", "contracts"} <= sessions.keys()
    for name, description in sessions.items():
        assert re.search(rf"^  {name} +{re.escape(description)}$", result.stdout, re.MULTILINE)


@pytest.mark.parametrize("args", [(), ("--help",), ("-h",)])
def test_a_bare_dev_and_its_help_options_print_the_help(args: tuple[str, ...]) -> None:
    result = dev(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == dev("help").stdout
    assert result.stderr == ""


def test_an_unknown_command_is_one_line_then_the_list_and_a_failure() -> None:
    result = dev("nosuchcmd", "--flag")
    assert result.returncode == 2
    assert result.stdout == ""
    first, *rest = result.stderr.splitlines()
    assert first == "./dev: no command or nox session is named 'nosuchcmd'; choose one of these:"
    listed = "\n".join(rest)
    assert "  test [PYTEST ARGS]" in listed
    assert all(f"  {name} " in listed for name in nox_sessions())


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    """The files ./dev reads, with stand-ins for uv, npm and the environment's commands."""
    root = tmp_path / "repo"
    for name in ("dev", "noxfile.py", "uv.lock", "package-lock.json", "pyproject.toml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    for member in ("harness", "services/orders"):
        (root / member).mkdir(parents=True)
        shutil.copy2(REPO / member / "pyproject.toml", root / member / "pyproject.toml")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    _script(stubs / "python3", PYTHON_STUB)
    touch_lock = "mkdir -p node_modules && touch node_modules/.package-lock.json"
    _script(stubs / "npm", STUB.format(extra=touch_lock))
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    for command in ("ticketing", "nox"):
        _script(venv_bin / command, STUB.format(extra=""))
    return root


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def _run(skeleton: Path, *args: str) -> list[str]:
    """Run ./dev in the skeleton; the calls it made, in order."""
    calls = skeleton.parent / "calls"
    calls.unlink(missing_ok=True)
    env = {
        "PATH": f"{skeleton.parent / 'bin'}:{os.environ['PATH']}",
        "CALLS": str(calls),
        "PYTHON": str(skeleton.parent / "bin" / "python3"),
    }
    result = dev(*args, cwd=skeleton, env=env)
    assert result.returncode == 0, result.stderr
    return calls.read_text().splitlines() if calls.exists() else []


def test_the_environment_is_synced_once_then_again_only_when_an_input_changes(
    skeleton: Path,
) -> None:
    sync = ["uv --version", "uv sync --quiet --all-packages --frozen"]
    assert _run(skeleton, "ticketing", "--help") == [
        *sync,
        "npm ci --silent --no-audit --no-fund",
        "ticketing --help",
    ]
    assert _run(skeleton, "ticketing", "--help") == ["ticketing --help"]
    assert _run(skeleton, "test", "-k", "outbox") == ["nox -s tests -- -k outbox"]
    assert _run(skeleton, "lint") == ["nox -s lint --"]

    member = skeleton / "services" / "orders" / "pyproject.toml"
    member.write_text(member.read_text() + "\n# a new dependency\n")
    assert _run(skeleton, "up", "--port", "9") == [*sync, "ticketing up --port 9"]
    assert _run(skeleton, "up", "--port", "9") == ["ticketing up --port 9"]

    lock = skeleton / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")
    os.utime(lock, (lock.stat().st_atime, lock.stat().st_mtime + 10))
    assert "npm ci --silent --no-audit --no-fund" in _run(skeleton, "ticketing", "status")


def test_help_and_an_unknown_command_sync_nothing(skeleton: Path) -> None:
    assert _run(skeleton, "help") == []
    calls = skeleton.parent / "calls"
    env = {"PATH": f"{skeleton.parent / 'bin'}:{os.environ['PATH']}", "CALLS": str(calls)}
    assert dev("nosuchcmd", cwd=skeleton, env=env).returncode == 2
    assert not calls.exists()
