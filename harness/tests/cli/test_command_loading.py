"""The `ticketing` command imports a command's module only when it runs, and finds the command
groups other distributions register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from ticketing_harness.cli import BUILTINS, app
from ticketing_harness.cli.lazy import ENTRY_POINT_GROUP, help_line

COMMAND_MODULES = sorted({builtin.module for builtin in BUILTINS.values()})

# Runs the CLI in a fresh interpreter, then prints the harness modules it imported.
RUN_AND_LIST_MODULES = """
import json, sys
from ticketing_harness.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("ticketing_harness"))))
"""

PLUGIN = '''
import typer

app = typer.Typer(help="Say hello from another distribution.")


@app.command()
def greet(name: str = "world") -> None:
    """Greet someone."""
    print(f"hello {name}")
'''


def _imported(*args: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    *output, modules = result.stdout.strip().splitlines()
    return "\n".join(output), json.loads(modules)


def test_every_builtin_command_has_the_help_line_of_its_own_help() -> None:
    group = typer.main.get_group(app)
    context = typer.Context(group)
    for name, builtin in BUILTINS.items():
        command = group.get_command(context, name)
        assert command is not None, name
        assert help_line(command) == builtin.help, name


def test_help_lists_every_command_without_importing_any_command_module() -> None:
    shown, modules = _imported("--help")
    for name, builtin in BUILTINS.items():
        assert f"{name}  " in shown
        assert builtin.help in " ".join(shown.split())
    assert not set(COMMAND_MODULES) & set(modules)


def test_status_imports_the_stack_commands_only(tmp_path: Path) -> None:
    shown, modules = _imported("status", "--state-dir", str(tmp_path))
    assert "Not running" in shown
    assert "ticketing_harness.cli.stack" in modules
    assert not (set(COMMAND_MODULES) - {"ticketing_harness.cli.stack"}) & set(modules)
    assert "ticketing_harness.servers.nats_server" not in modules


def test_a_mistyped_command_is_answered_with_the_close_ones() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ticketing_harness", "stauts"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "No such command 'stauts'. Did you mean 'status'" in result.stderr


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """An installed distribution (its metadata and module) that registers two groups, one of
    them under a built-in's name."""
    (tmp_path / "hello_plugin.py").write_text(PLUGIN)
    metadata = tmp_path / "hello_plugin-1.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-plugin\nVersion: 1.0\n")
    (metadata / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nhello = hello_plugin:app\nstatus = hello_plugin:app\n"
    )
    return tmp_path


def test_a_group_registered_by_another_distribution_is_listed_and_runs(plugin_path: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(plugin_path), *sys.path])}
    shown, _ = _imported("--help", env=env)
    assert "hello" in shown
    assert "Say hello from another distribution." in shown
    greeted, _ = _imported("hello", "greet", "--name", "ada", env=env)
    assert greeted == "hello ada"


def test_a_plugin_cannot_take_the_name_of_a_builtin(plugin_path: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(plugin_path), *sys.path])}
    shown, modules = _imported("status", "--state-dir", str(tmp_path / "state"), env=env)
    assert "Not running" in shown
    assert "ticketing_harness.cli.stack" in modules
