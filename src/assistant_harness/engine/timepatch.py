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
from collections.abc import Callable
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
_last_seen: tuple[int, str, int] = (-1, "", 0)
_last_hits: list[tuple[ModuleType, str, str]] = []


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
    global _last_seen, _last_hits
    hits: list[tuple[ModuleType, str, str]] = []
    with _scan_lock:
        seen = _fingerprint()
        if seen == _last_seen:
            # Nothing imported or dropped since the last walk (the common case between two fakes).
            return list(_last_hits)
        for name, module in list(sys.modules.items()):
            cached = _scanned.get(name)
            if cached is None or cached[0] is not module:
                found = [] if module is None or _ignored(name) else _scan(module)
                cached = (module, found)
                _scanned[name] = cached
            if cached[1]:
                hits.extend((module, attribute, kind) for attribute, kind in cached[1])
        _last_seen, _last_hits = seen, hits
    return list(hits)


def _fingerprint() -> tuple[int, str, int]:
    """Changes whenever a module is imported, or one is dropped and another put in its place:
    the count, and the newest entry (imports append to ``sys.modules``)."""
    name, module = next(reversed(sys.modules.items()))
    return len(sys.modules), name, id(module)


def _active() -> VirtualClock | None:
    return _stack[-1] if _stack else None


# The replacements are process-wide singletons that ask the innermost active fake's clock (real time
# when none is active), so fakes may stop in any order, and a module that binds one while a fake runs
# (imported inside the block) still gets real time afterwards, and is given the real function back.
def _sleep(seconds: float) -> None:
    clock = _active()
    if clock is None:
        return _REAL_SLEEP(seconds)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    clock.sleep(seconds)
    return None


def _time() -> float:
    clock = _active()
    return _REAL_TIME() if clock is None else clock.time()


def _monotonic() -> float:
    clock = _active()
    return _REAL_MONOTONIC() if clock is None else MONOTONIC_BASE + clock.monotonic()


async def _async_sleep(delay: float, result: T | None = None) -> T | None:
    clock = _active()
    # sleep(inf) means "forever" (task groups use it): that one must stay real.
    if clock is not None and delay > 0 and not math.isinf(delay):
        clock.sleep(delay)
        return await _REAL_ASYNC_SLEEP(0, result)
    return await _REAL_ASYNC_SLEEP(delay, result)


async def _anyio_sleep(delay: float) -> None:
    await _async_sleep(delay)


REPLACEMENTS: dict[str, Callable[..., Any]] = {
    "sleep": _sleep,
    "time": _time,
    "monotonic": _monotonic,
    "async_sleep": _async_sleep,
}
REAL: dict[str, Callable[..., Any]] = {
    "sleep": _REAL_SLEEP,
    "time": _REAL_TIME,
    "monotonic": _REAL_MONOTONIC,
    "async_sleep": _REAL_ASYNC_SLEEP,
}
_KINDS.update({id(function): kind for kind, function in REPLACEMENTS.items()})

_stack: list[VirtualClock] = []
_saved: list[tuple[Any, str, Any]] = []
_install_lock = threading.Lock()


def _install() -> None:
    targets: list[tuple[Any, str, str]] = [
        (time, "sleep", "sleep"),
        (time, "time", "time"),
        (time, "monotonic", "monotonic"),
        (asyncio, "sleep", "async_sleep"),
    ]
    targets.extend((module, attribute, kind) for module, attribute, kind in bound_references())
    for owner, attribute, kind in targets:
        if getattr(owner, attribute, None) is REAL[kind]:
            _saved.append((owner, attribute, REAL[kind]))
            setattr(owner, attribute, REPLACEMENTS[kind])
    anyio = sys.modules.get("anyio")
    if anyio is not None and getattr(anyio, "sleep", None) is not _anyio_sleep:
        _saved.append((anyio, "sleep", anyio.sleep))
        setattr(anyio, "sleep", _anyio_sleep)  # noqa: B010  (a module attribute, patched on purpose)


def _uninstall() -> None:
    while _saved:
        owner, attribute, original = _saved.pop()
        setattr(owner, attribute, original)
    # Modules imported while a fake ran may have bound a replacement: give them the real function.
    for module, attribute, kind in bound_references():
        if getattr(module, attribute, None) is REPLACEMENTS[kind]:
            setattr(module, attribute, REAL[kind])


class TimePatch:
    """Makes the time functions follow ``clock`` while active (the innermost active patch wins)."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        with _install_lock:
            if self._active:
                return
            if not _stack:
                try:
                    _install()
                except BaseException:
                    _uninstall()
                    raise
            _stack.append(self.clock)
            self._active = True

    def stop(self) -> None:
        with _install_lock:
            if not self._active:
                return
            self._active = False
            _stack.remove(self.clock)
            if not _stack:
                _uninstall()

    def __enter__(self) -> TimePatch:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
