"""Faults: rules over requests that answer with an HTTP error, add latency, or break the connection.

A rule picks requests by endpoint name (``runs.retrieve``), method, and which of the matching
requests it fires on (the ``nth``, ``times`` in a row, or with a seeded ``probability``). What it does
is one of: answer an HTTP error (429 with ``retry-after``, 500, 502, 503, 408, 409, any status, with
or without ``x-should-retry``), raise a connection error or a read timeout from the transport (the
exceptions the SDK retries on), or only add latency in virtual time. The SDK's real retry and
backoff logic runs against them; its sleeps are virtual.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Mapping, MutableSequence
from dataclasses import dataclass, fields
from typing import Any, overload

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


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault rule: which requests it picks and what it does to them (see the module docstring).

    Frozen, so one rule can serve many fakes: each fake counts the requests a rule has seen in its
    own :class:`FaultCounter`. ``endpoint=None`` matches every endpoint.
    """

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

    def __post_init__(self) -> None:
        self._check_types()
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
        if self.times is not None and self.times < 1:
            raise ConfigurationError(f"fault times={self.times}: fire at least once, or leave times out")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ConfigurationError(f"fault probability={self.probability} is not between 0 and 1")
        for name in ("latency", "retry_after", "retry_after_ms", "after_events"):
            value = getattr(self, name)
            if value is not None and not (0 <= value < math.inf):
                raise ConfigurationError(f"fault {name}={value!r} must be a finite number, 0 or more")

    def _check_types(self) -> None:
        """Wrong types (``status: "429"`` in a YAML file) are refused here, not deep in a request."""
        for name, kinds in _TYPES.items():
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, kinds) or isinstance(value, bool) != (kinds is bool)
            ):
                options = kinds if isinstance(kinds, tuple) else (kinds,)
                wanted = " or ".join(k.__name__ for k in options)
                raise ConfigurationError(
                    f"fault {name}={value!r} is a {type(value).__name__}; it must be {wanted}"
                )

    def matches(self, endpoint: str, method: str) -> bool:
        """Whether this request is one the rule counts (whether it fires is :meth:`FaultCounter.fires`)."""
        return (self.endpoint is None or self.endpoint == endpoint) and (
            self.method is None or self.method == method
        )

    def error_answer(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The HTTP error this rule answers: (status, the API's JSON error body, headers)."""
        assert self.status is not None
        message, kind, code = STATUS_BODIES.get(self.status, (f"HTTP {self.status}.", "server_error", None))
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["retry-after"] = f"{self.retry_after:g}"
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        body = {"error": {"message": self.message or message, "type": kind, "param": None, "code": code}}
        return self.status, body, headers

    def transport_fault(self) -> TransportFault:
        assert self.error is not None
        text = (
            "Connection refused (fault injected by assistant-harness)"
            if self.error == CONNECT
            else "The read operation timed out (fault injected by assistant-harness)"
        )
        return TransportFault(self.error, text)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Fault:
        return cls(**data)

    def to_mapping(self) -> dict[str, Any]:
        """The rule as plain data (what a scenario file writes): the fields that differ from defaults."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != f.default}


_TYPES: dict[str, type | tuple[type, ...]] = {
    "endpoint": str,
    "method": str,
    "nth": int,
    "times": int,
    "probability": (int, float),
    "seed": int,
    "status": int,
    "message": str,
    "retry_after": (int, float),
    "retry_after_ms": int,
    "should_retry": bool,
    "error": str,
    "latency": (int, float),
    "stream": str,
    "after_events": int,
}


class FaultCounter:
    """One fake's count of the requests a rule has seen and fired on (the rule itself is shared).

    Reads through to the rule, so ``fake.faults[0].endpoint`` and ``fake.faults[0].fired`` both work.
    """

    __slots__ = ("_random", "fired", "rule", "seen")

    def __init__(self, rule: Fault) -> None:
        self.rule = rule
        self.seen = 0
        self.fired = 0
        self._random = random.Random(rule.seed)

    def fires(self) -> bool:
        """Count one matching request; say whether the fault fires on it."""
        rule = self.rule
        self.seen += 1
        if rule.nth is not None:
            first, last = rule.nth, rule.nth + (rule.times or 1) - 1
            hit = first <= self.seen <= last
        else:
            hit = rule.times is None or self.fired < rule.times
        if hit and rule.probability is not None:
            hit = self._random.random() < rule.probability
        if hit:
            self.fired += 1
        return hit

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "rule":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.rule, name)

    def __repr__(self) -> str:
        return f"FaultCounter({self.rule!r}, seen={self.seen}, fired={self.fired})"


class FaultRules(MutableSequence[FaultCounter]):
    """A fake's fault rules, each with its own counter; ``append(Fault(...))`` arms a rule."""

    def __init__(self, rules: Iterable[Fault | FaultCounter] = ()) -> None:
        self._items: list[FaultCounter] = [_arm(rule) for rule in rules]

    @overload
    def __getitem__(self, index: int) -> FaultCounter: ...
    @overload
    def __getitem__(self, index: slice) -> list[FaultCounter]: ...
    def __getitem__(self, index: int | slice) -> FaultCounter | list[FaultCounter]:
        return self._items[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        self._items[index] = [_arm(v) for v in value] if isinstance(index, slice) else _arm(value)

    def __delitem__(self, index: int | slice) -> None:
        del self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[FaultCounter]:
        return iter(self._items)

    def insert(self, index: int, value: Fault | FaultCounter) -> None:
        self._items.insert(index, _arm(value))

    def rules(self) -> list[Fault]:
        return [counter.rule for counter in self._items]

    def __repr__(self) -> str:
        return f"FaultRules({self._items!r})"

    def first_firing(self, endpoint: str, method: str, *, streamed: bool = False) -> Fault | None:
        """Count the request against every matching rule of its kind; return the first that fires.

        Stream faults count only streamed answers (``streamed=True``); the others count every request.
        """
        chosen = None
        for counter in self._items:
            rule = counter.rule
            if (rule.stream is not None) != streamed:
                continue
            if rule.matches(endpoint, method) and counter.fires() and chosen is None:
                chosen = rule
        return chosen


def _arm(rule: Fault | FaultCounter) -> FaultCounter:
    if isinstance(rule, FaultCounter):
        return rule
    if not isinstance(rule, Fault):
        raise ConfigurationError(f"a fault rule must be a Fault, not {type(rule).__name__} ({rule!r})")
    return FaultCounter(rule)
