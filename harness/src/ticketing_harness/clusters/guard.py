"""Context safety: only clusters this tool made, or a context named and confirmed by the user."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from ticketing_harness.errors import HarnessError

_PRODUCTION = re.compile(r"(?<![a-z])(prod|production|prd|live)(?![a-z])", re.IGNORECASE)


def looks_like_production(context: str) -> bool:
    """`prod`, `production`, `prd` or `live` as a word of the name (gke_x_prod, .../prod-1)."""
    return bool(_PRODUCTION.search(context))


def user_kubeconfig() -> Path:
    """The kubeconfig kubectl would use: the first file of $KUBECONFIG, else ~/.kube/config."""
    paths = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return Path(paths[0]) if paths else Path.home() / ".kube" / "config"


def current_context(kubeconfig: Path) -> str | None:
    """The current-context of a kubeconfig file; we read it, never set it."""
    try:
        config = yaml.safe_load(kubeconfig.read_text()) or {}
    except FileNotFoundError:
        return None
    context = config.get("current-context")
    return str(context) if context else None


def confirm_context(
    context: str, *, ours: bool, named: bool, confirmed: bool, ask: Callable[[str], str] | None
) -> None:
    """Refuse a context we did not create, or a production-looking one, unless it was named
    with --context (`named`) and confirmed: --yes (`confirmed`), or its name typed when `ask`
    prompts on a terminal.
    """
    production = looks_like_production(context)
    if ours and not production:
        return
    reason = (
        f"context {context!r} looks like production"
        if production
        else f"context {context!r} was not created by `ticketing cluster create`"
    )
    if named and confirmed:
        return
    if named and ask is not None and ask(f"{reason}. Type its name to use it anyway") == context:
        return
    raise HarnessError(
        f"refusing {reason}: name it with --context {context} and confirm with --yes"
        " (or type its name when asked)"
    )
