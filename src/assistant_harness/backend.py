"""The fake backend as a plain callable over transport-neutral requests."""

from __future__ import annotations

import functools
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .apis.common.dispatch import dispatch
from .apis.common.ids import IdGenerator
from .apis.registry import ApiStates, Context
from .apis.served import APIS, BY_NAME, INDEX
from .engine.clock import RealClock, VirtualClock
from .engine.faults import Fault, FaultCounter, FaultRules, TransportFault
from .engine.hangs import HangDetector, HangLimits, Polled
from .errors import CallbackFailed, FakeBackendError, HarnessBugError, HarnessError, HarnessInterrupt
from .http.faults import before_answer, break_stream
from .http.messages import ApiRequest, ApiResponse
from .http.repeats import RepeatedBodies

DEFAULT_POLL_AFTER_MS = 1000
#: How many past requests a backend keeps for inspection (a long-lived fake must not grow without end).
REQUESTS_KEPT = 10_000


class Backend:
    """Every API's state, fault rules and the endpoint index: ``handle(request) -> response``.

    It names no API: ``apis`` holds each API's state by name (built in ``apis/served.py``'s order),
    and ``options`` are the fake's settings each API reads its own keys from (``timelines``,
    ``file_timelines``, ``response_scripts``, ``cancel_finished``, ``response_retention``).
    """

    def __init__(
        self,
        *,
        clock: VirtualClock | None = None,
        seed: int = 0,
        options: Mapping[str, Any] | None = None,
        poll_after_ms: int = DEFAULT_POLL_AFTER_MS,
        faults: Iterable[Fault | FaultCounter] = (),
        hang_limits: HangLimits | None = HangLimits(),  # noqa: B008  (frozen, so sharing is safe)
        busy_poll_step: bool = True,
    ) -> None:
        self.clock = clock or VirtualClock()
        self.ids = IdGenerator(seed)
        #: Each API's state by name (``backend.apis.of(ResponseStore)`` for typed access).
        self.apis = ApiStates()
        context = Context(self.clock, self.ids, seed, options or {}, self.apis)
        for api in APIS:
            self.apis.add(api.name, api.build(context))
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
        # The last body of each polled object, answered again while the object is unchanged.
        self._repeats = RepeatedBodies()
        # With time under the test's control (virtual_time=False, serve), busy polls move nothing.
        self.hangs = HangDetector(hang_limits, self.clock, poll_after_ms / 1000 if busy_poll_step else 0.0)
        # A wait for what the fake pushes (a webhook) that cannot come is a hang too: each API state
        # that pushes says why nothing can come. Virtual time only: serve's sleeps are real.
        self.hangs.idle_reasons.extend(
            state.why_nothing_comes for state in self.apis.values() if hasattr(state, "why_nothing_comes")
        )
        if busy_poll_step and not isinstance(self.clock, RealClock):
            self.clock.on_sleep = self.hangs.after_sleep
        #: What an endpoint's ``returns`` names (a kind clients poll), found from its path parameters
        #: in its API's state: each API registers its own kinds.
        self.polled: dict[str, Callable[[Mapping[str, str]], Polled | None]] = {
            kind: functools.partial(find, self.apis[api.name])
            for api in APIS
            for kind, find in api.polled.items()
        }

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request.

        Raises :class:`~.router.UnservedEndpoint` for unknown paths and
        :class:`~.faults.TransportFault` when a fault rule breaks the connection.
        """
        endpoint, params = INDEX.find(request.method, request.path)
        self.requests.append(request)
        self.hangs.saw_request()
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
        polled = find(params) if find is not None else None
        if polled is not None:
            self.hangs.before_fetch(polled)
        try:
            response = dispatch(
                self.apis[endpoint.api],
                endpoint,
                params,
                request,
                poll_after_ms=self.poll_after_ms,
                request_id=request_id,
                repeats=self._repeats if polled is not None else None,
            )
        except TransportFault:
            raise  # the handler's own (a request never answered): the transport breaks the connection
        except Exception as error:
            # Not the API's error, and raised past the SDK (which would retry it, or wrap it into
            # "Connection error."): the test's own code or setup, or else a bug in the harness.
            raise _interrupt(error, request) from (
                error.__cause__ if isinstance(error, CallbackFailed) else error
            )
        if response.chunks is not None and self.faults:
            fault = self.faults.first_firing(endpoint.name, request.method, streamed=True)
            if fault is not None:
                event = self._error_event(endpoint.api, response, fault)
                response = break_stream(response, fault, event, self._pause)
        # As the real API does; from the virtual clock, so recordings and `show` get the fake's times.
        response.headers["date"] = http_date(self.clock.time())
        self._notify(request, response)
        if response.status == 200:
            if polled is not None:
                self.hangs.after_fetch(polled)
            elif endpoint.lists:
                self.hangs.after_listing(request.path, request.query, response.content)
        if self.clock.has_alarms:
            # What the request made due (a cancel's webhook; on a real-time clock, anything) goes now.
            self.clock.fire_due()
        return response

    @staticmethod
    def _error_event(api: str, response: ApiResponse, fault: Fault) -> Callable[[str], bytes]:
        """The API's own error event, given what the stream sent before it."""
        make = BY_NAME[api].stream_error
        assert make is not None  # only an API that streams answers with chunks
        return make((response.chunks or [])[: fault.after_events])

    def _notify(self, request: ApiRequest, response: ApiResponse) -> None:
        for listener in self.listeners:
            listener(request, response)


def _interrupt(error: Exception, request: ApiRequest) -> HarnessInterrupt:
    where = f"while answering {request.method} {request.path}"
    if isinstance(error, CallbackFailed):
        cause = error.__cause__
        return FakeBackendError(f"{type(cause).__name__} {where} (in {error.what}): {cause}")
    if isinstance(error, HarnessError):  # the test's setup, found only now (a timeline, a scenario)
        return FakeBackendError(f"{type(error).__name__} {where}: {error}")
    return HarnessBugError(
        f"{type(error).__name__} {where}: {error}. This is a bug in assistant-harness, not in the test: "
        "please report it with this traceback."
    )


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


def forget_http_dates() -> None:
    """Empty :func:`http_date`'s cache (``serve`` does when it frees namespaces: strings made during
    traffic would keep the allocator's memory that traffic grew from going back to the system)."""
    _http_date_of_second.cache_clear()
