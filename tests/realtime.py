"""Real sleeping fails the test: how tests show that virtual time worked, without a wall-clock limit.

A wall-clock limit ("this took under a second") fails on a loaded machine and passes code that
sleeps for real a little. Instead, tests assert on ``fake.clock`` and run inside
:func:`forbid_real_sleep`: a real ``time.sleep`` or ``asyncio.sleep``, called under any name, in
the test's thread or a thread it starts, raises :class:`RealSleep` (a profile hook sees the call;
the fake's virtual sleep never reaches the real one). The hook costs some speed: use it around the
tests that claim virtual time, not everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

_REAL_SLEEP = time.sleep
_ASYNC_SLEEP_CODE = asyncio.sleep.__code__


class RealSleep(AssertionError):
    """A test that must run on virtual time slept for real."""


def _profile(frame: FrameType, event: str, arg: Any) -> None:
    if event == "c_call" and arg is _REAL_SLEEP:
        _fail(
            f"time.sleep really slept (called from {frame.f_code.co_filename}:{frame.f_lineno}): this test "
            "must run on the fake's virtual clock (see docs/virtual-time.md for what is patched)"
        )
    if event == "call" and frame.f_code is _ASYNC_SLEEP_CODE:
        delay = frame.f_locals.get("delay", 0)
        if delay > 0 and not math.isinf(delay):
            _fail(f"asyncio.sleep({delay}) really slept: this test must run on the fake's virtual clock")


_caught: list[str] = []


def _fail(message: str) -> None:
    # Python unsets a profile hook that raises, and the code under test may catch the error:
    # remembered, so the block's end raises it again.
    _caught.append(message)
    raise RealSleep(message)


@contextlib.contextmanager
def forbid_real_sleep() -> Iterator[None]:
    """Inside this block, really sleeping in this thread raises :class:`RealSleep`."""
    previous, previous_for_threads = sys.getprofile(), threading.getprofile()
    del _caught[:]
    sys.setprofile(_profile)
    threading.setprofile(_profile)  # threads the test starts (a poller in a worker thread)
    try:
        yield
    finally:
        sys.setprofile(previous)
        threading.setprofile(previous_for_threads)
    if _caught:
        raise RealSleep(_caught[0])
