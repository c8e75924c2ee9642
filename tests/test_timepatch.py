"""Virtual time reaches module attributes and references bound before the fake started."""

from __future__ import annotations

import asyncio
import sys
import time
import types

import anyio
import pytest

from assistant_harness import FakeAssistants, VirtualClock
from assistant_harness.engine.timepatch import MONOTONIC_BASE, TimePatch

from .realtime import forbid_real_sleep

REAL_SLEEP = time.sleep


def _user_module() -> types.ModuleType:
    """A module that did ``from time import sleep, time`` at import, before any fake."""
    module = types.ModuleType("poller_under_test")
    exec("from time import sleep, time, monotonic\nfrom asyncio import sleep as asleep\n", module.__dict__)
    sys.modules[module.__name__] = module
    return module


def test_module_attributes_become_virtual_and_come_back() -> None:
    clock = VirtualClock()
    with forbid_real_sleep(), TimePatch(clock):
        time.sleep(3600)
        assert time.time() == clock.epoch + 3600
        assert time.monotonic() == MONOTONIC_BASE + 3600
    assert time.sleep is REAL_SLEEP and clock.elapsed() == 3600


def test_bound_references_are_replaced_too() -> None:
    module = _user_module()
    try:
        clock = VirtualClock()
        with TimePatch(clock):
            module.sleep(30)
            assert module.time() == clock.epoch + 30
            assert module.monotonic() == MONOTONIC_BASE + 30
        assert module.sleep is REAL_SLEEP
    finally:
        del sys.modules[module.__name__]


async def test_async_sleeps_are_virtual() -> None:
    module = _user_module()
    try:
        clock = VirtualClock()
        with TimePatch(clock):
            await asyncio.sleep(10)
            await anyio.sleep(5)
            await module.asleep(1)
            await asyncio.sleep(0)
        assert clock.elapsed() == 16
    finally:
        del sys.modules[module.__name__]


async def test_wait_for_deadline_fires_in_virtual_time() -> None:
    async def poll_forever() -> None:
        while True:
            await asyncio.sleep(5)

    with FakeAssistants() as fake:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(poll_forever(), timeout=300)
        # The deadline fires within two poll intervals of 300 virtual seconds (docs/virtual-time.md).
        assert 300 <= fake.clock.elapsed() <= 310


def test_negative_sleep_is_refused_like_the_real_one() -> None:
    with TimePatch(VirtualClock()), pytest.raises(ValueError, match="non-negative"):
        time.sleep(-1)


def test_virtual_time_can_be_switched_off() -> None:
    with FakeAssistants(virtual_time=False) as fake:
        assert time.sleep is REAL_SLEEP
        fake.advance(5)
        assert fake.clock.elapsed() == 5


def test_a_module_imported_inside_the_fake_gets_real_time_back() -> None:
    with FakeAssistants() as fake:
        module = types.ModuleType("imported_inside")
        exec("from time import sleep\n", module.__dict__)
        sys.modules[module.__name__] = module
        module.sleep(5)
        assert fake.clock.elapsed() == 5
    try:
        assert module.sleep is REAL_SLEEP
    finally:
        del sys.modules[module.__name__]


def test_patches_may_stop_in_any_order() -> None:
    first, second = TimePatch(VirtualClock()), TimePatch(VirtualClock())
    first.start()
    second.start()
    first.stop()
    time.sleep(3)  # the patch still active is the one that moves
    assert (first.clock.elapsed(), second.clock.elapsed()) == (0, 3)
    second.stop()
    assert time.sleep is REAL_SLEEP
