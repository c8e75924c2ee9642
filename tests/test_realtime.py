"""tests/realtime.py: a real sleep inside forbid_real_sleep() fails, a virtual one does not."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from assistant_harness import FakeAssistants

from .realtime import RealSleep, forbid_real_sleep


def test_virtual_sleeps_pass_and_move_the_clock() -> None:
    with forbid_real_sleep(), FakeAssistants() as fake:
        time.sleep(5)
        asyncio.run(asyncio.sleep(2))
    assert fake.clock.elapsed() == 7


def test_a_real_sleep_fails_even_when_the_code_catches_the_error() -> None:
    def poller_with_a_broad_except() -> None:
        with contextlib.suppress(Exception):  # must not hide it
            time.sleep(0.001)

    with pytest.raises(RealSleep, match="really slept"), forbid_real_sleep():
        poller_with_a_broad_except()


def test_a_real_sleep_bound_elsewhere_fails_too() -> None:
    from time import sleep

    with pytest.raises(RealSleep), forbid_real_sleep():
        sleep(0.001)
    with pytest.raises(RealSleep, match=r"asyncio.sleep\(0.001\)"), forbid_real_sleep():
        asyncio.run(asyncio.sleep(0.001))
