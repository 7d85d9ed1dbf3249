"""Every `--help` of the command line, as a CI log gets it: 80 columns, no terminal.

Nothing is cut or wider than the page, each command's summary is one whole line in its
group's list, and every option that takes a value says its default.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
import typer.main

from ticketing_harness.cli import app
from ticketing_harness.testing.stacks import run_ticketing

WIDTH = 80
# One child process prints every help page: each `ticketing ... --help` would import it all.
PRINT_EVERY_HELP = """
import sys
import typer.main
from ticketing_harness.cli import app

root = typer.main.get_command(app)
for path in sys.argv[1:]:
    print("\\f" + path)
    try:
        root.main(args=[*path.split(), "--help"], prog_name="ticketing", standalone_mode=False)
    except SystemExit:
        pass
"""


@dataclass(frozen=True)
class Command:
    """A command of the CLI as click knows it: its path and its parameters."""

    path: tuple[str, ...]
    params: tuple[Any, ...]
    group: bool

    @property
    def name(self) -> str:
        return " ".join(["ticketing", *self.path])


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[Command]:
    group = hasattr(command, "list_commands")
    params = tuple(param for param in command.params if param.name != "help")
    found = [Command(path, params, group)]
    if group:
        context = command.context_class(command, info_name=path[-1] if path else "ticketing")
        for name in command.list_commands(context):
            found += _commands(command.get_command(context, name), (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))
GROUPS = [command for command in COMMANDS if command.group]


@pytest.fixture(scope="module")
def pages() -> dict[tuple[str, ...], str]:
    """Every command's help, printed without a terminal at 80 columns."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TERMINAL_WIDTH")
    }
    paths = [" ".join(command.path) for command in COMMANDS]
    result = subprocess.run(
        [sys.executable, "-c", PRINT_EVERY_HELP, *paths],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "COLUMNS": str(WIDTH)},
        check=True,
    )
    found = {}
    for chunk in result.stdout.split("\f")[1:]:
        path, _, text = chunk.partition("\n")
        found[tuple(path.split())] = text
    return found


def _long_names(param: Any) -> list[str]:
    return [name for name in (*param.opts, *param.secondary_opts) if name.startswith("--")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_a_help_page_fits_80_columns_and_cuts_nothing(
    command: Command, pages: dict[tuple[str, ...], str]
) -> None:
    text = pages[command.path]
    assert text.strip(), f"{command.name} printed no help"
    assert "…" not in text, text
    too_wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_wide, text
    for param in command.params:
        for name in _long_names(param):
            assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (
                f"{name} is cut or missing in\n{text}"
            )


def _panel_lines(text: str, panel: str) -> list[str] | None:
    """The lines of a help panel, boxed (typer's) or plain (click's, the top-level page)."""
    boxed = re.search(rf"╭─ {panel} ─+╮\n(.*?)╰", text, re.DOTALL)
    if boxed is not None:
        return [line.strip("│").rstrip() for line in boxed.group(1).splitlines()]
    plain = re.search(rf"^{panel}:\n((?:  .*\n?)+)", text, re.MULTILINE)
    return None if plain is None else plain.group(1).splitlines()


def _starts_entry(line: str) -> bool:
    return re.match(r" {1,2}(\*\s+)?[\w-]", line) is not None


def _rows(text: str, panel: str) -> list[str]:
    """The rows of a help panel (`Options`, `Commands`): one string per entry."""
    rows: list[str] = []
    for line in _panel_lines(text, panel) or []:
        if _starts_entry(line) or not rows:
            rows.append(line.strip())
        else:
            rows[-1] += " " + line.strip()
    return rows


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_every_option_that_takes_a_value_shows_its_default(
    command: Command, pages: dict[tuple[str, ...], str]
) -> None:
    text = pages[command.path]
    rows = [row for panel in _option_panels(text) for row in _rows(text, panel)]
    for param in command.params:
        flag_off = getattr(param, "is_flag", False) and param.default is False
        if param.param_type_name != "option" or param.required or flag_off:
            continue
        [name, *_] = _long_names(param)
        [row] = [row for row in rows if re.match(rf"{re.escape(name)}(?![\w-])", row)]
        assert "[default: " in row, f"{command.name} {name} shows no default: {row}"


def _option_panels(text: str) -> list[str]:
    return [name for name in re.findall(r"╭─ (.+?) ─", text) if name != "Commands"]


@pytest.mark.parametrize("command", GROUPS, ids=lambda command: command.name)
def test_each_command_of_a_group_is_summed_up_in_one_whole_line(
    command: Command, pages: dict[tuple[str, ...], str]
) -> None:
    text = pages[command.path]
    lines = _panel_lines(text, "Commands")
    assert lines, text
    continued = [line for line in lines if not re.match(r" {1,2}[\w-]+ +\S", line)]
    assert not continued, f"{command.name}: a summary spans lines\n{text}"
    assert all(line.rstrip().endswith(".") for line in lines), text


def test_the_real_command_prints_the_same_top_level_help(
    pages: dict[tuple[str, ...], str],
) -> None:
    result = run_ticketing("--help", env={"COLUMNS": str(WIDTH)})
    assert result.returncode == 0, result.stderr
    assert _rows(result.stdout, "Commands") == _rows(pages[()], "Commands")
    assert any(row.startswith("status ") for row in _rows(result.stdout, "Commands"))
