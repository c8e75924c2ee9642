"""A virtual clock: time that moves only when code waits (or when told to)."""

from __future__ import annotations

import threading
import time

_REAL_PERF_COUNTER = time.perf_counter
_REAL_SLEEP = time.sleep

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


class RealClock(VirtualClock):
    """A clock that follows real time (times ``speed``), for ``assistant-harness serve``.

    Clients of a served fake live in other processes, where nothing can make their sleeps virtual;
    runs then progress as real time passes. ``advance`` still jumps ahead; ``sleep`` really waits.
    """

    __slots__ = ("_speed", "_started")

    def __init__(self, epoch: float = DEFAULT_EPOCH, speed: float = 1.0) -> None:
        super().__init__(epoch)
        self._speed = speed
        self._started = _REAL_PERF_COUNTER()

    def elapsed(self) -> float:
        return (_REAL_PERF_COUNTER() - self._started) * self._speed + self._elapsed

    def time(self) -> float:
        return self._epoch + self.elapsed()

    def monotonic(self) -> float:
        return self.elapsed()

    def advance_to(self, elapsed: float) -> None:
        self.advance(max(0.0, elapsed - self.elapsed()))

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        _REAL_SLEEP(seconds / self._speed if seconds > 0 else 0)

    def __repr__(self) -> str:
        return f"RealClock(elapsed={self.elapsed():g}s, speed={self._speed:g})"
