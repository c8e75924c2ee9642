"""A numbered event log (stand-in written to the agreed interface until engine's lands)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    sequence_number: int
    at: float
    name: str
    data: Mapping[str, Any]


class EventLog:
    """Events numbered 0, 1, 2...; never drained."""

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: list[Event] = []

    def append(self, name: str, data: Mapping[str, Any], at: float) -> Event:
        event = Event(len(self._events), at, name, data)
        self._events.append(event)
        return event

    def after(self, sequence_number: int | None) -> Sequence[Event]:
        if sequence_number is None:
            return list(self._events)
        return self._events[bisect.bisect_right(range(len(self._events)), sequence_number) :]

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)
