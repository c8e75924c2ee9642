"""Make waiting code wait on a virtual clock: ``time.sleep`` and friends, wherever they are bound.

Two kinds of reference are replaced while a patch is active:

* the module attributes (``time.sleep``, ``time.time``, ``time.monotonic``, ``asyncio.sleep``,
  ``anyio.sleep``), which code that calls ``time.sleep(...)`` looks up at call time (the openai
  SDK's poll helpers and retry backoff do);
* references bound before the patch started (``from time import sleep`` at import time, as
  LangChain does), found by scanning loaded modules once and remembered, so entering a fake stays
  cheap after the first time.

Infrastructure modules (pytest, the event loop, threading, HTTP stacks...) keep the real
functions: their timeouts must stay real. Limits are documented in docs/virtual-time.md.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, TypeVar

from .clock import VirtualClock

T = TypeVar("T")

_REAL_SLEEP = time.sleep
_REAL_TIME = time.time
_REAL_MONOTONIC = time.monotonic
_REAL_ASYNC_SLEEP = asyncio.sleep

#: What virtual time reports as ``monotonic()`` at the clock's start (0 reads as "unset" to some code).
MONOTONIC_BASE = 10_000.0

#: Modules (and their submodules) whose bound references keep the real functions: the standard
#: library (socketserver, threading, asyncio... bind ``time.monotonic`` for their own timeouts) and
#: the infrastructure a test run stands on.
IGNORED_PREFIXES = (
    "assistant_harness",
    "_pytest",
    "pytest",
    "pluggy",
    "hypothesis",
    "coverage",
    "anyio",
    "trio",
    "sniffio",
    "httpcore",
    "httpcore2",
    "httpx",
    "httpx2",
    "h11",
    "h2",
    "urllib3",
    "requests",
    "uvicorn",
    "starlette",
    "execnet",
    "xdist",
    "pytest_timeout",
    "_pydevd",
    "pydevd",
    "debugpy",
    "IPython",
    "ipykernel",
    "zmq",
    "tornado",
    "pyinstrument",
    "line_profiler",
    "watchdog",
    "respx",
)
_STDLIB = frozenset(sys.stdlib_module_names)

_KINDS = {
    id(_REAL_SLEEP): "sleep",
    id(_REAL_TIME): "time",
    id(_REAL_MONOTONIC): "monotonic",
    id(_REAL_ASYNC_SLEEP): "async_sleep",
}

# module name -> (module object, [(attribute, kind)]) for every module scanned so far.
_scanned: dict[str, tuple[ModuleType, list[tuple[str, str]]]] = {}
_scan_lock = threading.Lock()


def _ignored(name: str) -> bool:
    top = name.partition(".")[0]
    return top in _STDLIB or any(name == p or name.startswith(p + ".") for p in IGNORED_PREFIXES)


def _scan(module: ModuleType) -> list[tuple[str, str]]:
    found = []
    try:
        items = list(vars(module).items())
    except TypeError:
        return []
    for attribute, value in items:
        kind = _KINDS.get(id(value))
        if kind is not None and attribute != "__builtins__":
            found.append((attribute, kind))
    return found


def bound_references() -> list[tuple[ModuleType, str, str]]:
    """Every (module, attribute, kind) outside the ignored modules that holds a real time function.

    Each module is scanned once (and again only if it is replaced in ``sys.modules``): after the
    first call this costs one dictionary lookup per loaded module.
    """
    hits: list[tuple[ModuleType, str, str]] = []
    with _scan_lock:
        for name, module in list(sys.modules.items()):
            cached = _scanned.get(name)
            if cached is None or cached[0] is not module:
                found = [] if module is None or _ignored(name) else _scan(module)
                cached = (module, found)
                _scanned[name] = cached
            if cached[1]:
                hits.extend((module, attribute, kind) for attribute, kind in cached[1])
    return hits


class TimePatch:
    """Replaces the time functions with ``clock``'s while active; restores exactly what it replaced."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._saved: list[tuple[Any, str, Any]] = []
        clock_sleep = clock.sleep

        def sleep(seconds: float) -> None:
            if seconds < 0:
                raise ValueError("sleep length must be non-negative")
            clock_sleep(seconds)

        def virtual_time() -> float:
            return clock.time()

        def monotonic() -> float:
            return MONOTONIC_BASE + clock.monotonic()

        async def async_sleep(delay: float, result: T | None = None) -> T | None:
            # sleep(inf) means "forever" (task groups use it): that one must stay real.
            if delay > 0 and not math.isinf(delay):
                clock_sleep(delay)
                return await _REAL_ASYNC_SLEEP(0, result)
            return await _REAL_ASYNC_SLEEP(delay, result)

        async def anyio_sleep(delay: float) -> None:
            await async_sleep(delay)

        self.replacements: dict[str, Callable[..., Any]] = {
            "sleep": sleep,
            "time": virtual_time,
            "monotonic": monotonic,
            "async_sleep": async_sleep,
        }
        self._anyio_sleep: Callable[[float], Awaitable[None]] = anyio_sleep

    @property
    def active(self) -> bool:
        return bool(self._saved)

    def start(self) -> None:
        if self._saved:
            return
        new = self.replacements
        targets: list[tuple[Any, str, Any]] = [
            (time, "sleep", new["sleep"]),
            (time, "time", new["time"]),
            (time, "monotonic", new["monotonic"]),
            (asyncio, "sleep", new["async_sleep"]),
        ]
        anyio = sys.modules.get("anyio")
        if anyio is not None:
            targets.append((anyio, "sleep", self._anyio_sleep))
        targets.extend((module, attribute, new[kind]) for module, attribute, kind in bound_references())
        for owner, attribute, replacement in targets:
            self._saved.append((owner, attribute, getattr(owner, attribute)))
            setattr(owner, attribute, replacement)

    def stop(self) -> None:
        while self._saved:
            owner, attribute, original = self._saved.pop()
            setattr(owner, attribute, original)

    def __enter__(self) -> TimePatch:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
