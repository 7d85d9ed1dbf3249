"""`ticketing contracts check --live`: the running broker's streams and consumers as declared."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import nats.js.errors
from nats.js.api import ConsumerConfig, StreamConfig

from ticketing_common.bus import Bus
from ticketing_common.contracts import Problem
from ticketing_common.jetstream import consumer_config, stream_configs
from ticketing_harness.contracts.inspection import DeclaredListener

STREAM_FIELDS = ("subjects", "storage", "duplicate_window")
CONSUMER_FIELDS = (
    "filter_subject",
    "ack_policy",
    "deliver_policy",
    "ack_wait",
    "max_deliver",
    "max_ack_pending",
)


async def broker_problems(bus: Bus, listeners: Sequence[DeclaredListener]) -> list[Problem]:
    """Every stream and durable consumer whose server configuration differs from the declared."""
    problems = []
    for expected in stream_configs(bus.catalog):
        where = f"stream {expected.name}"
        try:
            actual = (await bus.js.stream_info(str(expected.name))).config
        except nats.js.errors.NotFoundError:
            problems.append(Problem(where, "(stream)", "missing on the server"))
            continue
        problems += _differences(where, expected, actual, STREAM_FIELDS)
    stream = bus.catalog.stream_name
    declared = {d.listener.durable: d for d in listeners}
    try:
        on_server = {str(c.name): c.config for c in await bus.js.consumers_info(stream)}
    except nats.js.errors.NotFoundError:
        on_server = {}
    for durable, item in declared.items():
        subject = bus.catalog.subject_for(item.listener.event.event_type)
        expected_consumer = consumer_config(durable, subject, item.listener.policy)
        where = f"consumer {stream}/{durable}"
        if durable not in on_server:
            problems.append(
                Problem(where, "(consumer)", f"missing on the server: is {item.service} running?")
            )
            continue
        problems += _differences(where, expected_consumer, on_server[durable], CONSUMER_FIELDS)
    for durable, config in sorted(on_server.items()):
        if config.durable_name and durable not in declared:
            problems.append(
                Problem(
                    f"consumer {stream}/{durable}", "(consumer)", "not declared by any listener"
                )
            )
    return problems


def _differences(
    where: str,
    expected: StreamConfig | ConsumerConfig,
    actual: StreamConfig | ConsumerConfig,
    fields: Sequence[str],
) -> list[Problem]:
    problems = []
    for name in fields:
        want, have = getattr(expected, name), getattr(actual, name)
        if not _same(want, have):
            problems.append(
                Problem(where, name, f"is {_text(have)} on the server, declared {_text(want)}")
            )
    return problems


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, float) or isinstance(have, float):
        return have is not None and want is not None and math.isclose(want, have, rel_tol=1e-6)
    return bool(want == have)


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))
