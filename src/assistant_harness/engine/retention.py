"""What a long-lived fake forgets, so that serving for hours does not grow without end: objects past
their retention, on the clock (not only when someone reads them again), and, past a cap on how many
are kept, the oldest. Knows no API: objects are keys in the order they were made."""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from ..errors import ConfigurationError


def check_max_objects(value: object, name: str = "max_objects") -> int | None:
    """A cap on kept objects: None (no cap) or a whole number from 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"{name}={value!r}: give a whole number of objects from 1, or None for no cap"
        )
    return value


class Retention:
    """Deadlines of objects (``gone_at`` in virtual seconds), earliest first."""

    __slots__ = ("_deadlines",)

    def __init__(self) -> None:
        self._deadlines: list[tuple[float, str]] = []

    def add(self, key: str, gone_at: float | None) -> None:
        if gone_at is not None:
            heapq.heappush(self._deadlines, (gone_at, key))

    def due(self, now: float) -> Iterator[str]:
        """The keys whose deadline has come (each once), earliest first."""
        while self._deadlines and self._deadlines[0][0] <= now:
            yield heapq.heappop(self._deadlines)[1]

    def __len__(self) -> int:
        return len(self._deadlines)
