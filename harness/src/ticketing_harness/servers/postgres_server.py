"""PostgreSQL from the installed binaries, run as an unprivileged user when we are root."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Unpack

import asyncpg

from ticketing_harness.credentials import secret_in, write_private
from ticketing_harness.servers.server_process import (
    ServerError,
    ServerOptions,
    ServerProcess,
    find_on_path,
)

# Durability traded for speed: for throwaway test data only.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _unprivileged_user() -> str:
    """PostgreSQL refuses to run as root: use its own account, else nobody."""
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "nobody"
    return "postgres"


def _version(bindir: Path) -> int:
    match = re.search(r"(\d+)", bindir.parent.name)
    return int(match.group(1)) if match else 0


def _bindirs() -> list[Path]:
    """Where PostgreSQL binaries may be: pg_config's bindir, then the newest Debian ones."""
    found: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            found.append(Path(result.stdout.strip()))
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    return found


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresServer(ServerProcess):
    """A private PostgreSQL cluster: data in ``directory/data``, socket in ``directory/socket``.

    ``initdb`` runs only when the data directory is new, so a restart or a second
    ``ticketing up`` reuses it. Every connection authenticates with a password
    (scram-sha-256): the superuser ``postgres``'s is generated into ``directory/password``,
    each role's made by ``create_role`` into ``directory/<role>.password``; ``dsn`` carries it.
    """

    name = "PostgreSQL"
    binary_name = "postgres"
    install_hint = "apt-get install postgresql (or pass binary= the path of a postgres executable)"
    stop_signal = signal.SIGINT  # "fast" shutdown; SIGTERM would wait for every client to leave
    superuser = "postgres"

    def __init__(
        self,
        directory: Path | str,
        *,
        fast: bool = False,
        settings: Mapping[str, str] | None = None,
        **options: Unpack[ServerOptions],
    ) -> None:
        super().__init__(directory, **options)
        self.fast = fast
        self.settings = {**(FAST_SETTINGS if fast else {}), **(settings or {})}
        self.user = _unprivileged_user() if os.geteuid() == 0 else None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.directory / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory of the server's unix socket."""
        return self.directory / "socket"

    def password(self, role: str | None = None) -> str:
        """The password of ``role`` (the superuser's by default), generated the first time."""
        name = "password" if role is None else f"{role}.password"
        return secret_in(self.directory / name)

    def dsn(self, database: str = "postgres", role: str | None = None) -> str:
        """Return the DSN of ``database`` on this server, as ``role`` (by default the superuser)."""
        user = role or self.superuser
        return f"postgresql://{user}:{self.password(role)}@127.0.0.1:{self.port}/{database}"

    async def create_role(self, name: str) -> None:
        """Create a role that can sign in with its generated password, unless it exists."""
        statement = f"CREATE ROLE {_quote(name)} LOGIN PASSWORD {_literal(self.password(name))}"
        with contextlib.suppress(asyncpg.DuplicateObjectError):
            await self._admin(statement)

    async def create_database(self, name: str, owner: str | None = None) -> str:
        """Create the database ``name`` and return its DSN.

        With an ``owner`` (a role), only that role (and the superuser) may connect to it.
        """
        if owner is None:
            await self._admin(f"CREATE DATABASE {_quote(name)}")
            return self.dsn(name)
        await self._admin(f"CREATE DATABASE {_quote(name)} OWNER {_quote(owner)}")
        await self._admin(f"REVOKE CONNECT ON DATABASE {_quote(name)} FROM PUBLIC")
        return self.dsn(name, owner)

    async def ensure_databases(self, names: Sequence[str]) -> None:
        """Give each name a role and a database it owns, unless they exist (data survives)."""
        connection = await asyncpg.connect(self.dsn())
        try:
            rows = await connection.fetch("SELECT datname FROM pg_database")
        finally:
            await connection.close()
        existing = {row["datname"] for row in rows}
        for name in names:
            await self.create_role(name)
            if name not in existing:
                await self.create_database(name, owner=name)

    async def drop_database(self, name: str) -> None:
        """Drop the database ``name`` if it exists, disconnecting its clients."""
        await self._admin(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")

    def default_binary(self) -> Path | None:
        """The postgres binary in the first bindir that has one, else on PATH."""
        for bindir in _bindirs():
            if (bindir / self.binary_name).is_file():
                return bindir / self.binary_name
        return find_on_path(self.binary_name)

    def prepare(self, binary: Path) -> None:
        """Give the server user its directories and run initdb once."""
        super().prepare(binary)
        for path in (self.data_dir, self.socket_dir):
            path.mkdir(mode=0o700, exist_ok=True)
            if self.user is not None:
                shutil.chown(path, self.user, pwd.getpwnam(self.user).pw_gid)
        if self.user is not None and self.run_step(["test", "-w", str(self.data_dir)]) != 0:
            raise ServerError(
                f"{self.name}: this process is root, so the server runs as user {self.user!r},"
                f" who cannot reach {self.data_dir}. Use a directory whose parents that user"
                " can search (for example one made under /tmp with mode 0o711)."
            )
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(binary.parent / "initdb")
        elif not self._requires_passwords():
            raise ServerError(
                f"{self.name}: the data in {self.data_dir} was created without passwords; "
                "start afresh (`ticketing up --fresh`, which deletes that data) to recreate it"
            )

    def argv(self, binary: Path) -> list[str]:
        """Listen on 127.0.0.1 and a private socket; settings as ``-c`` options."""
        options = [f"-c{name}={value}" for name, value in self.settings.items()]
        return [
            str(binary),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.socket_dir),
            *options,
        ]

    def is_ready(self) -> bool:
        """Ready when this postmaster's pid file reports "ready" (PostgreSQL 10+)."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        return len(lines) >= 8 and lines[0] == str(self.pid) and lines[7].strip() == "ready"

    def _initdb(self, initdb: Path) -> None:
        # initdb reads the superuser's password as the server's user, from its own directory.
        password_file = self.socket_dir / "initdb-password"
        write_private(password_file, self.password())
        if self.user is not None:
            shutil.chown(password_file, self.user, pwd.getpwnam(self.user).pw_gid)
        args = [
            str(initdb),
            "-D",
            str(self.data_dir),
            "-U",
            self.superuser,
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "-E",
            "UTF8",
            "--locale=C",
            *(["--no-sync"] if self.fast else []),
        ]
        try:
            code = self.run_step(args)
        finally:
            password_file.unlink(missing_ok=True)
        if code:
            raise self.error(f"could not be initialised: initdb exited with code {code}")

    def _requires_passwords(self) -> bool:
        """Whether the cluster's pg_hba.conf asks every client for a password."""
        rules = (self.data_dir / "pg_hba.conf").read_text().splitlines()
        methods = [line.split()[-1] for line in rules if line.split() and line.split()[0][0] != "#"]
        return bool(methods) and all(method == "scram-sha-256" for method in methods)

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(self.dsn())
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
