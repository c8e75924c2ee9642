"""One world per namespace for ``serve``: every API key (or ``X-Harness-Namespace``) gets its own
fake (store, clock, scenario, faults, webhooks, journal), made on first use and freed when idle.

With the virtual clock (``--clock virtual``), a client's poll of an object that changes over time
stands for the sleep it took before it: the namespace's clock moves by the scenario's poll interval,
and the answer tells the SDK's poll helpers to wait only :data:`SERVED_POLL_AFTER_MS` real
milliseconds, so a 60-virtual-second run is polled to its end in a fraction of a real second.
"""

from __future__ import annotations

import functools
import gc
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..apis.responses.store import ResponseStore
from ..apis.served import INDEX
from ..backend import forget_http_dates
from ..engine.clock import RealClock, VirtualClock
from ..engine.hangs import HangLimits
from ..engine.retention import check_max_objects
from ..fake import FakeOpenAI
from ..http.messages import ApiRequest, ApiResponse
from ..http.routing import UnservedEndpoint
from ..scenario.model import Scenario

#: What a virtual-clock server tells pollers to wait (real milliseconds): small, never zero (an SDK
#: falls back to its own default interval on a missing or zero header).
SERVED_POLL_AFTER_MS = 5
#: The namespace of a request with neither a key nor an ``X-Harness-Namespace`` header.
DEFAULT_NAMESPACE = "default"
#: Real seconds a namespace may stay unused before it is freed (``serve --idle-ttl``).
DEFAULT_IDLE_TTL = 600.0
CLOCKS = ("virtual", "real")
#: The requests each namespace keeps for its journal (``GET .../requests``).
SERVE_REQUESTS_KEPT = 1_000
#: The responses each namespace keeps by default: a finished background stream costs about 5 KiB once
#: compacted, so this bounds a namespace that runs for hours to about 50 MB of them (docs/performance.md).
SERVE_MAX_OBJECTS = 10_000


@dataclass(frozen=True, slots=True)
class WorldSpec:
    """How ``serve`` makes each namespace's fake: what it was started with."""

    scenario: Scenario | None = None
    clock: str = "virtual"
    speed: float = 1.0
    seed: int | None = None
    detect_hangs: bool = False
    #: Virtual seconds after which each response is forgotten (``--retention``; None: kept).
    retention: float | None = None
    #: At most this many responses kept, the oldest forgotten first (``--max-objects``; None: no cap).
    max_objects: int | None = SERVE_MAX_OBJECTS

    def build(self, scenario: Scenario | None = None) -> FakeOpenAI:
        """A fresh fake on ``scenario`` (default: the server's). Never started: nothing is patched."""
        virtual = self.clock == "virtual"
        fake = FakeOpenAI(
            scenario if scenario is not None else self.scenario,
            clock=VirtualClock() if virtual else RealClock(speed=self.speed),
            # Not patching (the fake is never started): with a virtual clock, busy polls move it.
            virtual_time=virtual,
            seed=self.seed,
            # Off by default: an ordinary client polling a finished run must not get an error.
            hang_limits=HangLimits() if self.detect_hangs else None,
            response_retention=self.retention,
        )
        responses = fake.backend.apis.of(ResponseStore)
        responses.max_objects = check_max_objects(self.max_objects, "--max-objects")
        responses.compact_finished = True  # hours of finished streams, each kept compressed
        # The journal: the latest requests are enough (10,000 requests, headers and bodies, were a
        # quarter of what 20,000 background streams left behind).
        fake.backend.requests = deque(maxlen=SERVE_REQUESTS_KEPT)
        return fake


def namespace_of(request: ApiRequest) -> str:
    """``X-Harness-Namespace`` if sent, else the bearer key, else :data:`DEFAULT_NAMESPACE`."""
    named = request.headers.get("x-harness-namespace", "").strip()
    if named:
        return named
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else DEFAULT_NAMESPACE


class Namespaces:
    """The worlds by namespace name; ``handle(request)`` answers a request in its own world."""

    def __init__(
        self,
        spec: WorldSpec,
        *,
        idle_ttl: float = DEFAULT_IDLE_TTL,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.idle_ttl = idle_ttl
        self._now = now
        self._worlds: dict[str, FakeOpenAI] = {}
        self._used: dict[str, float] = {}
        self._next_sweep = now() + idle_ttl / 4

    def __len__(self) -> int:
        return len(self._worlds)

    def names(self) -> list[str]:
        return list(self._worlds)

    def world(self, name: str) -> FakeOpenAI:
        """``name``'s fake, made now if it has none (or was freed), marked as just used."""
        now = self._now()
        if now >= self._next_sweep:
            self.sweep()
        fake = self._worlds.get(name)
        if fake is None:
            fake = self._worlds[name] = self.spec.build()
        self._used[name] = now
        return fake

    def replace(self, name: str, fake: FakeOpenAI) -> None:
        """Give ``name`` a new world (a loaded scenario): built first, so a refused one changes nothing."""
        self._worlds[name] = fake
        self._used[name] = self._now()

    def reset(self, name: str) -> bool:
        """Forget ``name``'s world (its next request starts a fresh one); whether it had one."""
        self._used.pop(name, None)
        freed = self._worlds.pop(name, None) is not None
        if freed:
            self._release()
        return freed

    def sweep(self) -> None:
        """Free every namespace unused for longer than ``idle_ttl``."""
        now = self._now()
        self._next_sweep = now + self.idle_ttl / 4
        idle = [name for name, used in self._used.items() if now - used > self.idle_ttl]
        for name in idle:
            self._used.pop(name, None)
            self._worlds.pop(name, None)
        if idle:
            self._release()

    def _release(self) -> None:
        # A dict keeps the table it grew to (a sweep of thousands of namespaces would leave one sized
        # for all of them): copies are sized to what is left, and made after the free.
        release_memory()
        self._worlds = dict(self._worlds)
        self._used = dict(self._used)

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer ``request`` in its namespace's world (as :meth:`Backend.handle` does)."""
        backend = self.world(namespace_of(request)).backend
        virtual = not isinstance(backend.clock, RealClock)
        try:
            endpoint, params = INDEX.find(request.method, request.path)
        except UnservedEndpoint:
            endpoint, params = None, {}
        returns = endpoint.returns if endpoint is not None else None
        find = backend.polled.get(returns) if returns and request.method == "GET" else None
        polled = find(params) if find is not None else None
        if virtual and polled is not None and not polled.progress.is_final:
            # The client slept before this poll: its namespace's time moved as much.
            backend.clock.advance(backend.poll_after_ms / 1000)
        response = backend.handle(request)
        if virtual and (returns or "openai-poll-after-ms" in response.headers):
            response.headers["openai-poll-after-ms"] = str(SERVED_POLL_AFTER_MS)
        return response


def release_memory() -> None:
    """Free the forgotten worlds now, and give the heap they used back to the system.

    A world is a web of cycles (states, clock alarms, listeners): a collection frees it. CPython's
    allocator gives back a 1 MiB arena only once nothing in it is alive, so what traffic made and
    kept pins the arenas it grew: CPython's type attribute cache holds every attribute name string it
    has seen (``re``'s ``finditer`` makes a new ``"search"`` on each call, and hundreds were found
    pinning arenas after 400 flows), and the ``Date`` cache holds strings of virtual seconds. Both
    are emptied first. glibc's malloc then keeps the freed pages for reuse, so the server's RSS would
    stay at its high-water mark; ``malloc_trim`` returns them (where there is no glibc, nothing more
    is done). docs/performance.md has the measurements.
    """
    sys._clear_type_cache()
    forget_http_dates()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
        return trim
    except (OSError, AttributeError):
        return None
