"""What the `ticketing cluster` commands share: their common options, and the session those
options describe (a cluster `create` made, or a context the user names)."""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ticketing_harness.cli.output import StateDir, layout_for
from ticketing_harness.clusters.paths import ClusterFiles, repo_root
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.spec import DEFAULT_REGIONS, ClusterSpec, Provider
from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.errors import HarnessError
from ticketing_harness.hosts_file import DEFAULT_HOSTS_FILE
from ticketing_harness.stripe_key import stripe_key_from_environment

Plan = Annotated[bool, typer.Option("--plan", help="Print every step and command; run none.")]
HostsFile = Annotated[Path, typer.Option("--hosts-file", help="The hosts file to edit.")]
Timeout = Annotated[float, typer.Option(help="Seconds each waiting step may take.")]

_OPTIONS: dict[str, tuple[Any, Any]] = {
    "name": (Annotated[str, typer.Option("--name", help="The cluster's name.")], "ticketing"),
    "provider": (
        Annotated[
            Provider | None,
            typer.Option(
                "--provider", help="kind, gke or eks.", show_default="the cluster's, else kind"
            ),
        ],
        None,
    ),
    "context": (
        Annotated[
            str | None,
            typer.Option(
                "--context",
                help="Use this context of your kubeconfig (a cluster ticketing did not create).",
                show_default="the cluster's own",
            ),
        ],
        None,
    ),
    "yes": (
        Annotated[bool, typer.Option("--yes", help="Confirm the --context without a prompt.")],
        False,
    ),
    "state_dir": (StateDir, None),
}


@dataclass(frozen=True)
class ClusterTarget:
    """Which cluster a command works on: by name, in the state directory, or a named context."""

    name: str = "ticketing"
    provider: Provider | None = None
    context: str | None = None
    yes: bool = False
    state_dir: Path | None = None

    @property
    def files(self) -> ClusterFiles:
        return ClusterFiles(layout_for(self.state_dir).root / "clusters" / self.name)

    @property
    def record(self) -> ClusterRecord | None:
        return ClusterRecord.load(self.files.record)

    def chosen_provider(self) -> Provider:
        """--provider, else the recorded cluster's, else kind."""
        if self.provider is not None:
            return self.provider
        record = self.record
        return Provider(record.provider) if record else Provider.KIND


def cluster_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the shared options `names` (all of them by default) as one `target`."""
    chosen = names or tuple(_OPTIONS)

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        hints = typing.get_type_hints(command, include_extras=True)
        own = [
            parameter.replace(annotation=hints[parameter.name])
            for parameter in inspect.signature(command).parameters.values()
            if parameter.name != "target"
        ]
        shared = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_OPTIONS[name][0],
                default=_OPTIONS[name][1],
            )
            for name in chosen
        ]

        @functools.wraps(command)
        def wrapper(**options: Any) -> None:
            target = ClusterTarget(**{name: options.pop(name) for name in chosen})
            command(target=target, **options)

        parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared
        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate


def new_session(
    spec: ClusterSpec,
    target: ClusterTarget,
    *,
    hosts_file: Path = DEFAULT_HOSTS_FILE,
    timeout: float = 600.0,
    named_context: str | None = None,
) -> Session:
    layout = layout_for(target.state_dir)
    return Session(
        spec=spec,
        files=target.files,
        repo=repo_root(),
        certs_dir=layout.certs_dir,
        hosts_file=hosts_file,
        stripe_key=stripe_key_from_environment(),
        timeout=timeout,
        named_context=named_context,
        confirmed=target.yes,
        ask=typer.prompt if sys.stdin.isatty() else None,
    )


def existing_session(
    target: ClusterTarget, *, timeout: float = 600.0, hosts_file: Path = DEFAULT_HOSTS_FILE
) -> Session:
    """A cluster `create` made (its record), or the one --context names."""
    record = target.record
    if record is None and target.context is None:
        raise HarnessError(
            f"no cluster named {target.name} in {target.files.directory}: create it with"
            f" `ticketing cluster create --name {target.name}`, or name a context with --context"
        )
    if record is not None:
        spec = record.spec
    else:
        chosen = target.chosen_provider()
        spec = ClusterSpec(provider=chosen, name=target.name, region=DEFAULT_REGIONS.get(chosen))
    named = target.context or (None if record is None or record.created_by_us else record.context)
    return new_session(spec, target, hosts_file=hosts_file, timeout=timeout, named_context=named)
