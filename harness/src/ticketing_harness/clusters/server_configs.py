"""The configuration files of NATS and Redis in the cluster, written with their credentials.

They travel in the servers' Secrets and are mounted as files, never expanded from environment
variables nor passed as arguments: nats-server parses an expanded `$VARIABLE` as config syntax
(a password starting with `-`, or with digits and a `-`, is refused), and a password on a
command line is visible to every process that lists processes.

Each value is written as a JSON string, which both formats read as a quoted string: the
passwords (URL-safe tokens, see `secrets`) mean exactly themselves. NATS users are a list,
so that more users, each with its own permissions, go in the same place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

NATS_CONFIG_KEY = "nats.conf"
REDIS_CONFIG_KEY = "redis.conf"
NATS_CLIENT_PORT = 4222
NATS_MONITOR_PORT = 8222

# server_name stays a variable: each pod of the StatefulSet names itself.
_NATS_SERVER = f"""\
port: {NATS_CLIENT_PORT}
http_port: {NATS_MONITOR_PORT}
server_name: $POD_NAME
jetstream {{
  store_dir: "/data"
  max_memory_store: 64MB
  max_file_store: 4GB
}}
"""


@dataclass(frozen=True)
class NatsUser:
    """A client account of the NATS server."""

    name: str
    password: str


def nats_config(users: Sequence[NatsUser]) -> str:
    """nats.conf: JetStream on the volume, and only these users may connect."""
    entries = [json.dumps({"user": user.name, "password": user.password}) for user in users]
    listed = "".join(f"    {entry}\n" for entry in entries)
    return f"{_NATS_SERVER}authorization {{\n  users: [\n{listed}  ]\n}}\n"


def redis_config(password: str) -> str:
    """redis.conf: the append-only file on the volume, and a password for every client."""
    return f'appendonly yes\ndir "/data"\nrequirepass {json.dumps(password)}\n'
