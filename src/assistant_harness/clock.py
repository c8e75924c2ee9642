"""A virtual clock: time that moves only when code waits (or when told to)."""

from __future__ import annotations

import threading

#: 2026-01-01T00:00:00Z, so timestamps in fixtures and cassettes are stable and recognisable.
DEFAULT_EPOCH = 1_767_225_600.0


class VirtualClock:
    """Wall time and monotonic time for one fake, advanced by sleeps instead of by the world.

    ``time()`` starts at ``epoch``; ``monotonic()`` starts at 0 and moves with it. Thread safe:
    several threads may sleep at once, and each sleep moves the shared clock forward.
    """

    __slots__ = ("_elapsed", "_epoch", "_lock", "sleeps")

    def __init__(self, epoch: float = DEFAULT_EPOCH) -> None:
        self._epoch = float(epoch)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        #: Number of sleeps taken through this clock (a sleep of 0 counts too).
        self.sleeps = 0

    @property
    def epoch(self) -> float:
        """The wall time at which the clock started."""
        return self._epoch

    def time(self) -> float:
        """Seconds since the Unix epoch, as ``time.time()`` would say."""
        return self._epoch + self._elapsed

    def monotonic(self) -> float:
        """Seconds since the clock started, as ``time.monotonic()`` would say."""
        return self._elapsed

    def elapsed(self) -> float:
        """Virtual seconds since the clock started."""
        return self._elapsed

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (negative values are refused)."""
        if seconds < 0:
            raise ValueError(f"the clock cannot go backwards (advance({seconds!r}))")
        with self._lock:
            self._elapsed += seconds

    def advance_to(self, elapsed: float) -> None:
        """Move the clock forward to ``elapsed`` seconds after its start, if not already past it."""
        with self._lock:
            if elapsed > self._elapsed:
                self._elapsed = elapsed

    def sleep(self, seconds: float) -> None:
        """What ``time.sleep`` becomes under the fake: the clock moves, nothing waits."""
        with self._lock:
            self.sleeps += 1
            if seconds > 0:
                self._elapsed += seconds

    def __repr__(self) -> str:
        return f"VirtualClock(elapsed={self._elapsed:g}s, time={self.time():.3f})"
