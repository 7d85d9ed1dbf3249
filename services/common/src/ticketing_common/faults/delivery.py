"""Faults between the broker and a consumer's handler: late, reordered, dropped, unacked, killed.

Only a message's first delivery can be hit, so no message is faulted into its consumer's
dead-letter stream.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.msg import Msg

from ticketing_common.faults.layer import FaultLayer, Injection
from ticketing_common.faults.plan import FaultKind, Stage
from ticketing_common.faults.record import EventRef

Settle = Callable[[Msg], Awaitable[None]]


class FaultyDelivery:
    """Stands in for a consumer's `settle`, injecting the plan's delivery faults."""

    def __init__(self, layer: FaultLayer, durable: str, ack_wait: float, settle: Settle) -> None:
        self.layer = layer
        self.durable = durable
        self.ack_wait = ack_wait
        self.settle = settle
        self._window: list[Msg] = []
        self._window_injection: Injection | None = None

    async def __call__(self, msg: Msg) -> None:
        injection = None
        if msg.metadata.num_delivered == 1:
            injection = self.layer.choose(
                Stage.DELIVERY, msg.subject, consumer=self.durable, ack_wait=self.ack_wait
            )
        if injection is None:
            await self.settle(msg)
            return
        event = EventRef.peek(msg.data)
        # A hold stays well inside the ack wait, or the broker would redeliver meanwhile.
        seconds = min(injection.seconds, self.ack_wait / 2)
        match injection.kind:
            case FaultKind.DELAY:
                self._record(injection, msg, event, seconds=round(seconds, 3))
                self.layer.spawn(self._settle_later(msg, seconds))
            case FaultKind.REORDER:
                self._hold(msg, injection, seconds)
            case FaultKind.PAUSE:
                self._record(injection, msg, event, seconds=round(seconds, 3))
                await asyncio.sleep(seconds)
                await self.settle(msg)
            case FaultKind.DROP_DELIVERY:
                self._record(injection, msg, event, redelivery_in=round(seconds, 3))
                await msg.nak(delay=seconds)
            case FaultKind.LOSE_ACK:
                await self.settle(_intercept_ack(msg, self._lose_ack(injection, msg, event)))
            case FaultKind.KILL:
                await self.settle(_intercept_ack(msg, self._kill(injection, msg, event)))

    def _record(self, injection: Injection, msg: Msg, event: EventRef, **detail: Any) -> None:
        self.layer.record(injection, msg.subject, event, consumer=self.durable, **detail)

    async def _settle_later(self, msg: Msg, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.settle(msg)

    def _hold(self, msg: Msg, injection: Injection, seconds: float) -> None:
        """Hold the message in the window; a full window, or its time up, releases it."""
        self._window.append(msg)
        if self._window_injection is None:
            self._window_injection = injection
            self.layer.spawn(self._release_after(seconds))
        if len(self._window) >= injection.rule.window:
            self._release()

    async def _release_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._release()

    def _release(self) -> None:
        held, injection = self._window, self._window_injection
        self._window, self._window_injection = [], None
        if injection is None or not held:
            return
        order = list(range(len(held)))
        random.Random(injection.rng_seed).shuffle(order)
        for released_as, position in enumerate(order):
            msg = held[position]
            self._record(
                injection, msg, EventRef.peek(msg.data), held=position, released_as=released_as
            )
        self.layer.spawn(self._settle_all([held[position] for position in order]))

    async def _settle_all(self, msgs: list[Msg]) -> None:
        for msg in msgs:
            await self.settle(msg)

    def _lose_ack(self, injection: Injection, msg: Msg, event: EventRef) -> Callable[[], None]:
        def lose() -> None:
            self._record(injection, msg, event, redelivery_after=self.ack_wait)

        return lose

    def _kill(self, injection: Injection, msg: Msg, event: EventRef) -> Callable[[], None]:
        def kill() -> None:
            self.layer.record(injection, msg.subject, event, consumer=self.durable, durable=True)
            os.kill(os.getpid(), signal.SIGKILL)

        return kill


@dataclasses.dataclass
class _AckIntercepted(Msg):
    """A delivered message whose ack runs `instead` (nak and term still reach the broker)."""

    instead: Callable[[], None] = lambda: None

    async def ack(self) -> None:
        self.instead()


def _intercept_ack(msg: Msg, instead: Callable[[], None]) -> Msg:
    fields = {f.name: getattr(msg, f.name) for f in dataclasses.fields(msg)}
    return _AckIntercepted(**fields, instead=instead)
