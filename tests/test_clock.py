from __future__ import annotations

import threading

import pytest

from assistant_harness import VirtualClock
from assistant_harness.engine.clock import DEFAULT_EPOCH


def test_starts_at_the_epoch_and_moves_only_when_told() -> None:
    clock = VirtualClock()
    assert clock.time() == DEFAULT_EPOCH and clock.monotonic() == 0
    clock.sleep(2.5)
    clock.advance(0.5)
    assert clock.elapsed() == 3 and clock.time() == DEFAULT_EPOCH + 3 and clock.sleeps == 1


def test_cannot_go_backwards() -> None:
    clock = VirtualClock(epoch=100)
    with pytest.raises(ValueError, match="cannot go backwards"):
        clock.advance(-1)
    clock.advance_to(5)
    clock.advance_to(2)
    assert clock.time() == 105


def test_sleeps_from_many_threads_all_count() -> None:
    clock = VirtualClock()
    threads = [threading.Thread(target=lambda: [clock.sleep(0.25) for _ in range(400)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.elapsed() == 400 and clock.sleeps == 1600
