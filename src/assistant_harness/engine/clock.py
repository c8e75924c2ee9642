"""A virtual clock: time that moves only when code waits (or when told to)."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable

_REAL_PERF_COUNTER = time.perf_counter
_REAL_SLEEP = time.sleep

#: 2026-01-01T00:00:00Z, so timestamps in fixtures and cassettes are stable and recognisable.
DEFAULT_EPOCH = 1_767_225_600.0


class VirtualClock:
    """Wall time and monotonic time for one fake, advanced by sleeps instead of by the world.

    ``time()`` starts at ``epoch``; ``monotonic()`` starts at 0 and moves with it. Thread safe:
    several threads may sleep at once, and each sleep moves the shared clock forward.

    Alarms (:meth:`call_at`) run when the clock reaches their moment: right after the sleep or
    advance that got it there, outside the clock's lock, one at a time and in time order (an alarm
    that moves the clock or sets another alarm is safe: the alarms it makes due run after it).
    """

    __slots__ = ("_alarm_order", "_alarms", "_elapsed", "_epoch", "_firing", "_lock", "on_sleep", "sleeps")

    def __init__(self, epoch: float = DEFAULT_EPOCH) -> None:
        self._epoch = float(epoch)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        #: Number of sleeps taken through this clock (a sleep of 0 counts too).
        self.sleeps = 0
        self._alarms: list[tuple[float, int, Callable[[], object]]] = []
        self._alarm_order = itertools.count()
        self._firing = False
        #: Told after each sleep whether anything is still due (hang detection's idle waits).
        self.on_sleep: Callable[[float, bool], None] | None = None

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
        if self._alarms:
            self._move(seconds)
            return
        with self._lock:
            self._elapsed += seconds

    def advance_to(self, elapsed: float) -> None:
        """Move the clock forward to ``elapsed`` seconds after its start, if not already past it."""
        if self._alarms:
            with self._lock:
                gap = elapsed - self._elapsed
            self._move(max(gap, 0.0))
            return
        with self._lock:
            if elapsed > self._elapsed:
                self._elapsed = elapsed

    def sleep(self, seconds: float) -> None:
        """What ``time.sleep`` becomes under the fake: the clock moves, nothing waits."""
        with self._lock:
            self.sleeps += 1
            idle = not self._alarms
            if idle and seconds > 0:
                self._elapsed += seconds
        if not idle:
            self._move(max(seconds, 0.0))
        if self.on_sleep is not None:
            self.on_sleep(seconds, bool(self._alarms))

    def _move(self, seconds: float) -> None:
        """Move forward by ``seconds``, stopping at each alarm's moment to run it there (so an alarm
        sees the clock at its own moment, not at the end of the sleep that passed it)."""
        remaining = seconds
        while True:
            with self._lock:
                due = self._alarms[0][0] if self._alarms and not self._firing else None
                if due is None or due > self._elapsed + remaining:
                    self._elapsed += remaining
                    return
                step = max(0.0, due - self._elapsed)
                self._elapsed += step
                remaining -= step
            self.fire_due()

    # -- alarms ----------------------------------------------------------------------------
    def call_at(self, elapsed: float, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the clock reaches ``elapsed`` (at the next move or :meth:`fire_due`
        if that moment has already passed)."""
        with self._lock:
            heapq.heappush(self._alarms, (elapsed, next(self._alarm_order), callback))

    def fire_due(self) -> None:
        """Run every alarm whose moment has come, oldest first. A call made while alarms are
        already running (from an alarm, or another thread) leaves them to the running loop."""
        with self._lock:
            if self._firing or not self._alarms:
                return
            self._firing = True
        try:
            while True:
                with self._lock:
                    if not self._alarms or self._alarms[0][0] > self.elapsed():
                        self._firing = False  # decided under the lock: no due alarm is left behind
                        return
                    callback = heapq.heappop(self._alarms)[2]
                callback()
        except BaseException:
            with self._lock:
                self._firing = False
            raise

    @property
    def has_alarms(self) -> bool:
        """Whether an alarm is waiting (read without the lock: a cheap check for hot paths)."""
        return bool(self._alarms)

    @property
    def next_alarm(self) -> float | None:
        """The moment of the earliest alarm not yet run (None: there is none)."""
        with self._lock:
            return self._alarms[0][0] if self._alarms else None

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
        if self._alarms:
            self.fire_due()

    def __repr__(self) -> str:
        return f"RealClock(elapsed={self.elapsed():g}s, speed={self._speed:g})"
