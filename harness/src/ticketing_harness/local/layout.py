"""Where the local stack keeps its data, logs, config and state, under one state directory."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.components import SERVICE_NAMES, Server
from ticketing_harness.credentials import secret_in
from ticketing_harness.errors import HarnessError

STATE_DIR_VARIABLE = "TICKETING_STATE_DIR"
GATEWAY = "gateway"
SERVER_NAMES: tuple[str, ...] = tuple(server.value for server in Server)
COMPONENT_NAMES: tuple[str, ...] = (*SERVER_NAMES, *SERVICE_NAMES, GATEWAY)


def default_state_dir() -> Path:
    """$TICKETING_STATE_DIR, else .ticketing in the current directory."""
    return Path(os.environ.get(STATE_DIR_VARIABLE) or ".ticketing").absolute()


@dataclass(frozen=True)
class Layout:
    """The paths inside one state directory."""

    root: Path

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "up.lock"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def gateway_dir(self) -> Path:
        return self.root / "gateway"

    @property
    def certs_dir(self) -> Path:
        return self.root / "certs"

    def server_dir(self, server: Server) -> Path:
        return self.data_dir / server.value

    def log_path(self, component: str) -> Path:
        """The log of a component; servers keep theirs beside their data."""
        if component in SERVER_NAMES:
            return self.server_dir(Server(component)) / "server.log"
        return self.log_dir / f"{component}.log"

    def jwt_key(self) -> str:
        """The signing key of this stack's sessions, made once so sign-ins survive a restart."""
        return secret_in(self.root / "jwt-key")

    def csrf_key(self) -> str:
        """The key of the web client's CSRF tokens, made once so open forms survive a restart."""
        return secret_in(self.root / "csrf-key")


def ensure_reachable(root: Path) -> Path:
    """As root, PostgreSQL runs as its own user, who must be able to reach the directory."""
    if os.geteuid() == 0:
        for parent in [root, *root.parents]:
            if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
                raise HarnessError(
                    f"{parent} is not searchable by other users, so PostgreSQL's user cannot "
                    f"reach {root}; run `chmod o+x {parent}` or use another --state-dir"
                )
    return root
