"""Several processes per service (`ticketing up --replicas orders=3,tickets=2`) and their names.

The first process of a service is named after it (`orders`), the others `orders#2`,
`orders#3`: one service with one process looks as it always did.
"""

from __future__ import annotations

from collections.abc import Mapping

from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.errors import HarnessError

SEPARATOR = "#"
MAX_REPLICAS = 16


def parse_replicas(text: str) -> dict[str, int]:
    """`orders=3,tickets=2` as {"orders": 3, "tickets": 2}; one line saying what is wrong."""
    counts: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        service, equals, count = item.partition("=")
        service = service.strip()
        if service not in SERVICE_NAMES:
            raise HarnessError(
                f"--replicas: no service {service!r}; choose among {', '.join(SERVICE_NAMES)}"
            )
        if not equals or not count.strip().isdigit() or not 1 <= int(count) <= MAX_REPLICAS:
            raise HarnessError(
                f"--replicas: {item!r} needs a count from 1 to {MAX_REPLICAS}, e.g. {service}=3"
            )
        counts[service] = int(count)
    return counts


def instance_names(service: str, count: int) -> list[str]:
    """The names of a service's processes: `orders`, `orders#2`, ..."""
    return [service, *(f"{service}{SEPARATOR}{number}" for number in range(2, count + 1))]


def all_instances(replicas: Mapping[str, int]) -> dict[str, list[str]]:
    """Every service with the names of its processes, in the services' order."""
    return {name: instance_names(name, replicas.get(name, 1)) for name in SERVICE_NAMES}


def service_of(instance: str) -> str:
    """The service (or server, or gateway) a process belongs to: `orders#2` -> `orders`."""
    return instance.partition(SEPARATOR)[0]


def replica_number(instance: str) -> int:
    """1 for `orders`, 2 for `orders#2`."""
    _, _, number = instance.partition(SEPARATOR)
    return int(number) if number else 1
