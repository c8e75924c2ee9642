"""Faults: rules over requests that answer with an HTTP error, add latency, or break the connection.

A rule picks requests by endpoint name (``runs.retrieve``), method, and which of the matching
requests it fires on (the ``nth``, ``times`` in a row, or with a seeded ``probability``). What it does
is one of: answer an HTTP error (429 with ``retry-after``, 500, 502, 503, 408, 409, any status, with
or without ``x-should-retry``), raise a connection error or a read timeout from the transport (the
exceptions the SDK retries on), or only add latency in virtual time. The SDK's real retry and
backoff logic runs against them; its sleeps are virtual.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..apis.common.errors import ApiError
from ..errors import ConfigurationError

CONNECT = "connect"
READ_TIMEOUT = "read_timeout"
ERRORS = (CONNECT, READ_TIMEOUT)

#: Faults of a streamed answer: an ``error`` event, the connection dropped, or gaps between events.
STREAM_ERROR = "error"
STREAM_DROP = "drop"
STREAM_SLOW = "slow"
#: The stream ends cleanly after ``after_events`` events, with no final event (a server-side drop
#: the client sees as an early end, not an error; resumable with ``starting_after``).
STREAM_END = "end"
STREAM_FAULTS = (STREAM_ERROR, STREAM_DROP, STREAM_SLOW, STREAM_END)

#: The body the API sends for each status (message, type, code), as seen in real responses.
STATUS_BODIES: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request.", "invalid_request_error", None),
    408: ("Request timed out.", "timeout", None),
    409: (
        "Conflict: the request could not be completed due to a conflict.",
        "invalid_request_error",
        "conflict",
    ),
    429: ("Rate limit reached for requests. Please try again in 1s.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


class TransportFault(Exception):
    """Raised by the backend for a connection-level fault; each transport re-raises it as its own."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class Fault:
    """One fault rule. See the module docstring; ``endpoint=None`` matches every endpoint."""

    endpoint: str | None = None
    method: str | None = None
    #: Fire on the nth matching request only (1-based).
    nth: int | None = None
    #: Fire on this many matching requests (from the first, or from ``nth``); ``None``: every one.
    times: int | None = None
    probability: float | None = None
    seed: int = 0
    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    error: str | None = None
    #: Virtual seconds added before the answer (or before the error); for read timeouts the
    #: request's own read timeout when not given; for slow streams, the gap before each event.
    latency: float | None = None
    #: A fault of streamed answers only: ``error`` (an error event), ``drop`` (the connection
    #: breaks) after ``after_events`` events, or ``slow`` (``latency`` before each event).
    stream: str | None = None
    after_events: int = 0
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.status is None and self.error is None and self.latency is None and self.stream is None:
            raise ConfigurationError(
                "a fault needs status=, error=, latency= or stream= (what should happen?)"
            )
        if self.stream is not None and self.stream not in STREAM_FAULTS:
            raise ConfigurationError(f"fault stream {self.stream!r} is not one of {', '.join(STREAM_FAULTS)}")
        if self.stream == STREAM_SLOW and not self.latency:
            raise ConfigurationError("a slow stream needs latency= (virtual seconds before each event)")
        if self.error is not None and self.error not in ERRORS:
            raise ConfigurationError(f"fault error {self.error!r} is not one of {', '.join(ERRORS)}")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ConfigurationError(f"fault status {self.status} is not an HTTP error status (400-599)")
        if self.nth is not None and self.nth < 1:
            raise ConfigurationError(f"fault nth={self.nth}: requests are counted from 1")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ConfigurationError(f"fault probability={self.probability} is not between 0 and 1")
        self._random = random.Random(self.seed)

    def matches(self, endpoint: str, method: str) -> bool:
        """Whether this request is one the rule counts (whether it fires is :meth:`fires`)."""
        return (self.endpoint is None or self.endpoint == endpoint) and (
            self.method is None or self.method == method
        )

    def fires(self) -> bool:
        """Count one matching request; say whether the fault fires on it."""
        self.seen += 1
        if self.nth is not None:
            first, last = self.nth, self.nth + (self.times or 1) - 1
            hit = first <= self.seen <= last
        else:
            hit = self.times is None or self.fired < self.times
        if hit and self.probability is not None:
            hit = self._random.random() < self.probability
        if hit:
            self.fired += 1
        return hit

    def api_error(self) -> ApiError:
        assert self.status is not None
        message, kind, code = STATUS_BODIES.get(self.status, (f"HTTP {self.status}.", "server_error", None))
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["retry-after"] = f"{self.retry_after:g}"
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        return ApiError(self.status, self.message or message, type=kind, code=code, headers=headers)

    def transport_fault(self) -> TransportFault:
        assert self.error is not None
        text = (
            "Connection refused (fault injected by assistant-harness)"
            if self.error == CONNECT
            else ("The read operation timed out (fault injected by assistant-harness)")
        )
        return TransportFault(self.error, text)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Fault:
        return cls(**data)


def first_firing(
    faults: Iterable[Fault], endpoint: str, method: str, *, streamed: bool = False
) -> Fault | None:
    """Count the request against every matching rule of its kind; return the first that fires.

    Stream faults count only streamed answers (``streamed=True``); the others count every request.
    """
    chosen = None
    for fault in faults:
        if (fault.stream is not None) != streamed:
            continue
        if fault.matches(endpoint, method) and fault.fires() and chosen is None:
            chosen = fault
    return chosen
