"""The fake backend as a plain callable over transport-neutral requests."""

from __future__ import annotations

from collections.abc import Callable

from .clock import VirtualClock
from .http import ApiRequest, ApiResponse
from .ids import IdGenerator
from .router import EndpointIndex, dispatch
from .store import Store, TimelineSource, _default_timelines

DEFAULT_POLL_AFTER_MS = 1000

_INDEX = EndpointIndex()


class Backend:
    """State (a :class:`Store`) plus the endpoint index: ``handle(request) -> response``."""

    def __init__(
        self,
        *,
        clock: VirtualClock | None = None,
        seed: int = 0,
        timelines: TimelineSource = _default_timelines,
        poll_after_ms: int = DEFAULT_POLL_AFTER_MS,
    ) -> None:
        self.clock = clock or VirtualClock()
        self.ids = IdGenerator(seed)
        self.store = Store(self.clock, self.ids, timelines)
        self.poll_after_ms = poll_after_ms
        self.requests: list[ApiRequest] = []
        #: Called with every (request, response) pair; tests and recorders hook in here.
        self.listeners: list[Callable[[ApiRequest, ApiResponse], None]] = []
        self._requests_served = 0

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request; raises :class:`~.router.UnservedEndpoint` for unknown paths."""
        self.requests.append(request)
        self._requests_served += 1
        response = dispatch(
            self.store,
            _INDEX,
            request,
            poll_after_ms=self.poll_after_ms,
            request_id=f"req_{self._requests_served:032x}",
        )
        for listener in self.listeners:
            listener(request, response)
        return response
