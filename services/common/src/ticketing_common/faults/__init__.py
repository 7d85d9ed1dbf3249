"""The chaos fault layer: off unless a chaos run starts the process with a fault plan.

`ticketing chaos run` writes a `FaultPlan` and starts its stack with `TICKETING_FAULT_PLAN`
naming it; `ticketing up` never passes the variable on, and the layer refuses to start
with `ENVIRONMENT=production`. The bus and the consumers ask for their interposer once,
when they are built (`jetstream`, `delivery`); when the layer is off those hand back the
plain JetStream context and the consumer's own `settle`, so the layer costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from ticketing_common.faults import canaries
from ticketing_common.faults.delivery import FaultyDelivery, Settle
from ticketing_common.faults.layer import FaultLayer
from ticketing_common.faults.plan import FaultPlan
from ticketing_common.faults.publishing import FaultyJetStream

PLAN_VARIABLE = "TICKETING_FAULT_PLAN"


class FaultLayerRefused(RuntimeError):
    """A fault plan was given where none may be used."""


_layer: FaultLayer | None = None
_loaded = False


def active() -> FaultLayer | None:
    """This process's fault layer, read from `TICKETING_FAULT_PLAN` on first use; else None."""
    global _loaded
    if not _loaded:
        _loaded = True
        _activate(plan_from_environment())
    return _layer


def plan_from_environment() -> FaultPlan | None:
    """The plan `TICKETING_FAULT_PLAN` names, if set.

    Raises:
        FaultLayerRefused: with `ENVIRONMENT=production`, or a file that is not a plan.
    """
    path = os.environ.get(PLAN_VARIABLE)
    if not path:
        return None
    if os.environ.get("ENVIRONMENT", "").lower() == "production":
        raise FaultLayerRefused(f"{PLAN_VARIABLE} is set, but faults are refused in production")
    try:
        return FaultPlan.load(Path(path))
    except (OSError, ValueError) as exc:
        raise FaultLayerRefused(
            f"{PLAN_VARIABLE}={path} is not a readable fault plan: {exc}"
        ) from exc


def _activate(plan: FaultPlan | None) -> None:
    global _layer
    _layer = None if plan is None else FaultLayer(plan)
    canaries.switch_off(() if plan is None else plan.canaries)


@contextmanager
def activated(plan: FaultPlan) -> Iterator[FaultLayer]:
    """For tests and the in-process chaos mode: the layer on with `plan`, off afterwards."""
    global _loaded
    _loaded = True
    _activate(plan)
    try:
        assert _layer is not None
        yield _layer
    finally:
        _activate(None)


def jetstream(nc: NatsClient) -> JetStreamContext:
    """The connection's JetStream context, through the fault layer when it is on."""
    layer = active()
    return nc.jetstream() if layer is None else FaultyJetStream(nc, layer)


def delivery(durable: str, ack_wait: float, settle: Settle) -> Settle:
    """A consumer's `settle`, through the fault layer when it is on."""
    layer = active()
    return settle if layer is None else FaultyDelivery(layer, durable, ack_wait, settle)
