"""The fake backend as a plain callable over transport-neutral requests."""

from __future__ import annotations

import functools
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable

from .apis.assistants.store import Store, TimelineSource, _default_timelines
from .apis.assistants.streaming import error_event
from .apis.common.dispatch import dispatch
from .apis.common.ids import IdGenerator
from .apis.conversations.store import ConversationStore
from .apis.responses import events as response_events
from .apis.responses.store import ResponseStore
from .apis.served import INDEX, ON_BACKEND, RESPONSES
from .apis.vector_stores.store import FileTimelineSource, default_file_timelines
from .apis.webhooks.delivery import Webhooks
from .engine.clock import RealClock, VirtualClock
from .engine.faults import Fault, FaultCounter, FaultRules, TransportFault
from .engine.hangs import HangDetector, HangLimits, Polled
from .errors import CallbackFailed, FakeBackendError, HarnessBugError, HarnessError, HarnessInterrupt
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
        file_timelines: FileTimelineSource = default_file_timelines,
        poll_after_ms: int = DEFAULT_POLL_AFTER_MS,
        faults: Iterable[Fault | FaultCounter] = (),
        hang_limits: HangLimits | None = HangLimits(),  # noqa: B008  (frozen, so sharing is safe)
        busy_poll_step: bool = True,
        responses: Callable[[VirtualClock, IdGenerator], ResponseStore] = ResponseStore,
    ) -> None:
        self.clock = clock or VirtualClock()
        self.ids = IdGenerator(seed)
        self.store = Store(self.clock, self.ids, timelines, file_timelines)
        #: The Responses API's state, on the same clock and ids.
        self.responses = responses(self.clock, self.ids)
        #: The Conversations API's state; responses created in a conversation read and extend it.
        self.conversations = ConversationStore(self.clock, self.ids)
        self.responses.attach(self.conversations)
        #: Webhook endpoints, faults and the delivery log (idle until an endpoint is added).
        self.webhooks = Webhooks(self.clock, seed, self.responses.watch, self.responses.stuck)
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
        # A wait for a webhook that cannot come is a hang too (virtual time only: serve's sleeps are real).
        self.hangs.idle_reasons.append(self.webhooks.why_nothing_comes)
        if busy_poll_step and not isinstance(self.clock, RealClock):
            self.clock.on_sleep = self.hangs.after_sleep
        #: What an endpoint's ``returns`` names, found by its id (the last path parameter), for hang
        #: detection. Each API adds its kinds of objects that clients poll.
        self.polled: dict[str, Callable[[str], Polled | None]] = {
            "run": self.store.runs.get,
            "response": self.responses.responses.get,
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
        polled = find(params[endpoint.params[-1]]) if find is not None and endpoint.params else None
        if polled is not None:
            self.hangs.before_fetch(polled)
        try:
            response = dispatch(
                self if endpoint.name in ON_BACKEND else self.store,
                endpoint,
                params,
                request,
                poll_after_ms=self.poll_after_ms,
                request_id=request_id,
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
                event = self._error_event(endpoint.name, response, fault)
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
    def _error_event(name: str, response: ApiResponse, fault: Fault) -> Callable[[str], bytes]:
        """The API's own error event: a Responses stream's carries the next sequence number."""
        if name not in RESPONSES:
            return error_event
        following = _next_number((response.chunks or [])[: fault.after_events])
        return lambda message: response_events.error_event(message, sequence_number=following)

    def _notify(self, request: ApiRequest, response: ApiResponse) -> None:
        for listener in self.listeners:
            listener(request, response)


_NUMBER = re.compile(rb'"sequence_number":(\d+)')


def _next_number(chunks: list[bytes]) -> int:
    """The sequence number after the last of ``chunks`` (0 when none carries one)."""
    for chunk in reversed(chunks):
        found = _NUMBER.search(chunk)
        if found:
            return int(found.group(1)) + 1
    return 0


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
