"""A numbered, append-only log of the events one object's changes emit.

An API layer appends an event (``thread.run.created``, ``response.output_text.delta``...) with its
payload already shaped and copied as it was at that moment; readers take the events after a
sequence number. The log is never drained, so a stream, a second reader, ``show``, hang detection
and a resumed stream (``starting_after=N``) all read the same history. The log of an object that can
no longer change can be *compacted* (:meth:`EventLog.compact`): kept as one compressed JSON text,
about a tenth of its size in memory, and read back on demand, so a long-lived server keeps every
history without growing by the size of every payload.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One event: its place in the log, the virtual time it happened, its name and its payload."""

    sequence_number: int
    at: float
    name: str
    data: Mapping[str, Any]


def snapshot(value: Any) -> Any:
    """A copy of JSON-shaped ``value`` (dicts, lists, scalars) as it is now; about 4x faster than
    ``copy.deepcopy``, which matters as every change of every object is logged."""
    kind = type(value)
    if kind is dict:
        return {key: snapshot(item) for key, item in value.items()}
    if kind is list:
        return [snapshot(item) for item in value]
    return value


class EventLog:
    """The events of one object, numbered from 0 in the order they happened."""

    __slots__ = ("_count", "_events", "_packed")

    def __init__(self) -> None:
        self._events: list[Event] = []
        #: The compacted events (JSON rows ``[at, name, data]``, zlib-compressed), or None.
        self._packed: bytes | None = None
        self._count = 0

    def append(self, name: str, data: Mapping[str, Any], at: float) -> Event:
        """Add an event (``data`` must not change afterwards: pass a snapshot)."""
        if self._packed is not None:  # written to again: unpack for good
            self._events, self._packed = self._unpack(), None
        event = Event(len(self._events), at, name, data)
        self._events.append(event)
        self._count += 1
        return event

    def compact(self) -> None:
        """Keep the events as one compressed JSON text (payloads are JSON-shaped: what a stream
        sends); readers get equal events back. For the log of an object that can no longer change."""
        if self._packed is not None or not self._events:
            return
        rows = [[event.at, event.name, event.data] for event in self._events]
        self._packed = zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 6)
        self._events = []

    @property
    def compacted(self) -> bool:
        return self._packed is not None

    def _unpack(self) -> list[Event]:
        if self._packed is None:
            return self._events
        rows = json.loads(zlib.decompress(self._packed))
        return [Event(number, at, name, data) for number, (at, name, data) in enumerate(rows)]

    def after(self, sequence_number: int | None) -> Sequence[Event]:
        """The events after ``sequence_number`` (``None``: every event), oldest first."""
        start = 0 if sequence_number is None else sequence_number + 1
        return self._unpack()[max(start, 0) :]

    @property
    def last(self) -> int | None:
        """The sequence number of the latest event (``None`` while the log is empty)."""
        return self._count - 1 if self._count else None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Event]:
        return iter(self._unpack())

    def __repr__(self) -> str:
        return f"EventLog({self._count} events{', compacted' if self._packed is not None else ''})"
