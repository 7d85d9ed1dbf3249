"""A command group that imports a command's module only when that command runs.

Its built-in commands come from a table (name: the module whose `register(app)` adds it, and
its help line); other distributions add command groups through the entry point group
`ticketing.commands`, each named after its group, its value a `typer.Typer`. `--help` lists
them all, reading the built-ins' help lines from the table and loading only the plugins.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import ClassVar

import typer

# typer's own click: the types of the commands and contexts its groups hold.
from typer import _click
from typer.core import TyperGroup

ENTRY_POINT_GROUP = "ticketing.commands"


@dataclass(frozen=True)
class Builtin:
    """A command of this package: the module that registers it, and its help line."""

    module: str
    help: str


class LazyGroup(TyperGroup):
    """A group whose subclass names its `builtins`; plugins come from the entry points.

    A plugin cannot take a built-in's name: the built-in wins.
    """

    builtins: ClassVar[Mapping[str, Builtin]] = {}

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """The built-ins in the table's order, then the plugins' groups by name."""
        plugins = sorted(name for name in _plugins() if name not in self.builtins)
        return [*self.builtins, *plugins]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name in self.builtins:
            return _registered(self.builtins[cmd_name].module).get(cmd_name)
        plugin = _plugins().get(cmd_name)
        return _plugin_group(plugin) if plugin is not None else None

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as error:
            # typer suggests among the commands it holds, and this group holds none yet.
            close = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if close:
                names = ", ".join(repr(name) for name in close)
                error.message = f"{error.message.rstrip('.')}. Did you mean {names}?"
            raise

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            # typer's rich error handler leaves the help to its own panels, which this has not.
            typer.echo(ctx.get_help())
            ctx.exit(2)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """Plain text: typer's panels would cost more to import than all the rest of `--help`."""
        _click.Command.format_help(self, ctx, formatter)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """One row per command with its whole help line, wrapped to the width."""
        rows = [(name, self._help_line(name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _help_line(self, name: str) -> str:
        if name in self.builtins:
            return self.builtins[name].help
        return help_line(_plugin_group(_plugins()[name]))


def help_line(command: _click.Command) -> str:
    """A command's help line: the first paragraph of its help, on one line."""
    first = re.split(r"\n\s*\n", (command.help or "").strip(), maxsplit=1)[0]
    return " ".join(first.split())


@functools.cache
def _registered(module: str) -> Mapping[str, _click.Command]:
    """The commands `module.register(app)` adds, by name."""
    holder = typer.Typer()
    importlib.import_module(module).register(holder)
    return typer.main.get_group(holder).commands


@functools.cache
def _plugins() -> Mapping[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


@functools.cache
def _plugin_group(point: EntryPoint) -> _click.Command:
    app = point.load()
    if not isinstance(app, typer.Typer):
        raise TypeError(f"the entry point {point.name} = {point.value} is not a typer.Typer")
    group = typer.main.get_group(app)
    group.name = point.name
    return group
