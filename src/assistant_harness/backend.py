"""The fake backend as a plain callable over transport-neutral requests."""

from __future__ import annotations

import functools
import math
import time
from collections import deque
from collections.abc import Callable, Iterable

from .apis.assistants.store import Store, TimelineSource, _default_timelines
from .apis.assistants.streaming import error_event
from .apis.common.dispatch import dispatch
from .apis.common.ids import IdGenerator
from .apis.served import INDEX
from .engine.clock import RealClock, VirtualClock
from .engine.faults import Fault, FaultCounter, FaultRules
from .engine.hangs import HangDetector, HangLimits, Polled
from .errors import FakeBackendError
from .http.faults import before_answer, break_stream
from .http.messages import ApiRequest, ApiResponse

DEFAULT_POLL_AFTER_MS = 1000
#: How many past requests a backend keeps for inspection (a long-lived fake must not grow without end).
REQUESTS_KEPT = 10_000


class Backend:
    """State (a :class:`Store`), fault rules and the endpoint index: ``handle(request) -> response``."""

    def __init__(
        self,
        *,
        clock: VirtualClock | None = None,
        seed: int = 0,
        timelines: TimelineSource = _default_timelines,
        poll_after_ms: int = DEFAULT_POLL_AFTER_MS,
        faults: Iterable[Fault | FaultCounter] = (),
        hang_limits: HangLimits | None = HangLimits(),  # noqa: B008  (frozen, so sharing is safe)
        busy_poll_step: bool = True,
    ) -> None:
        self.clock = clock or VirtualClock()
        self.ids = IdGenerator(seed)
        self.store = Store(self.clock, self.ids, timelines)
        self.poll_after_ms = poll_after_ms
        #: The fault rules, each with this backend's own counter (the rules are frozen and shared).
        self.faults = FaultRules(faults)
        # Fault latency: virtual time jumps; under `serve` (a real clock) the answer really waits.
        self._pause = self.clock.sleep if isinstance(self.clock, RealClock) else self.clock.advance
        #: The latest requests (at most REQUESTS_KEPT), for tests to inspect.
        self.requests: deque[ApiRequest] = deque(maxlen=REQUESTS_KEPT)
        #: Called with every (request, response) pair; tests and recorders hook in here.
        self.listeners: list[Callable[[ApiRequest, ApiResponse], None]] = []
        self._requests_served = 0
        # With time under the test's control (virtual_time=False, serve), busy polls move nothing.
        self.hangs = HangDetector(hang_limits, self.clock, poll_after_ms / 1000 if busy_poll_step else 0.0)
        #: What an endpoint's ``returns`` names, found by its id (the last path parameter), for hang
        #: detection. Each API adds its kinds of objects that clients poll.
        self.polled: dict[str, Callable[[str], Polled | None]] = {"run": self.store.runs.get}

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request.

        Raises :class:`~.router.UnservedEndpoint` for unknown paths and
        :class:`~.faults.TransportFault` when a fault rule breaks the connection.
        """
        endpoint, params = INDEX.find(request.method, request.path)
        self.requests.append(request)
        self._requests_served += 1
        request_id = f"req_{self._requests_served:032x}"
        fault = self.faults.first_firing(endpoint.name, request.method) if self.faults else None
        if fault is not None:
            answer = before_answer(fault, request, self._pause, {"x-request-id": request_id})
            if answer is not None:
                self._notify(request, answer)
                return answer
        # A poll: a GET of one object of a kind that changes over time, named by its last parameter.
        find = self.polled.get(endpoint.returns) if endpoint.returns and request.method == "GET" else None
        polled = find(params[endpoint.params[-1]]) if find is not None and endpoint.params else None
        if polled is not None:
            self.hangs.before_fetch(polled)
        try:
            response = dispatch(
                self.store, endpoint, params, request, poll_after_ms=self.poll_after_ms, request_id=request_id
            )
        except Exception as error:
            # Not the API's error: a bug in code the test handed the fake. Raised past the SDK
            # (which would retry it, or wrap it into "Connection error.").
            raise FakeBackendError(
                f"{type(error).__name__} while answering {request.method} {request.path}: {error}"
            ) from error
        if response.chunks is not None and self.faults:
            fault = self.faults.first_firing(endpoint.name, request.method, streamed=True)
            if fault is not None:
                response = break_stream(response, fault, error_event, self._pause)
        # As the real API does; from the virtual clock, so recordings and `show` get the fake's times.
        response.headers["date"] = http_date(self.clock.time())
        self._notify(request, response)
        if response.status == 200:
            if polled is not None:
                self.hangs.after_fetch(polled)
            elif endpoint.lists:
                self.hangs.after_listing(request.path, request.query, response.content)
        return response

    def _notify(self, request: ApiRequest, response: ApiResponse) -> None:
        for listener in self.listeners:
            listener(request, response)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=64)
def _http_date_of_second(second: int) -> str:
    # email.utils.formatdate's format, without its datetime round trip (a poll a virtual second
    # misses this cache on every request).
    t = time.gmtime(second)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def http_date(timestamp: float) -> str:
    """An HTTP ``Date`` value; whole seconds, so most requests of a test reuse a cached string."""
    return _http_date_of_second(math.floor(timestamp))
