"""Records whose changes record the events they cause, until a unit of work writes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ticketing_common.events import EventData


@dataclass
class Aggregate:
    """A record that keeps the events its changes cause, oldest first, until they are popped."""

    _events: list[EventData] = field(default_factory=list, init=False, repr=False, compare=False)

    def record(self, event: EventData) -> None:
        """Remember an event this record's change caused."""
        self._events.append(event)

    def pop_events(self) -> list[EventData]:
        """The events recorded since the last call, oldest first."""
        events, self._events = self._events, []
        return events
