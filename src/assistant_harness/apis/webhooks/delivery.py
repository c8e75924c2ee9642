"""Delivering the fake's webhooks on the virtual clock.

When an object that announces its end does so (a background response ``completed``, ``failed``,
``cancelled`` or ``incomplete``; each API that sends webhooks is a :class:`WebhookSource`), every
subscribed endpoint gets the spec's event (``{"id": "evt_...", "object": "event", "created_at",
"type": "response.completed", "data": {"id": "resp_..."}}``) at that virtual moment, signed with the
endpoint's secret (signing.py). A target is a callable (given a :class:`WebhookDelivery`; it answers
a status code, an object with ``status_code`` such as a test client's response, or None for 200) or
an ``http://`` URL on this machine (POSTed with ``http.client``, which no interception touches). An
attempt that fails (a status outside 2xx, an exception, a refused connection) is tried again on
the virtual clock after :data:`RETRY_DELAYS`, with the same ``webhook-id`` and body.

The ``webhook-timestamp`` of an attempt is, by default (``timestamps="auto"``), what ``time.time()``
says in this process when it is sent: the very function the SDK's ``verify_signature`` compares it
with (``now - timestamp <= 300``). Inside a started fake that is the virtual clock, so a receiver in
this process accepts it however far virtual time has run; outside one it is the wall clock.
``"virtual"`` and ``"wall"`` force one (``"wall"`` for a receiver in another process while the fake
is started: that process's ``time.time()`` is real).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...engine.clock import VirtualClock
from ...engine.timepatch import _REAL_TIME
from ...errors import ConfigurationError, WebhookDeliveryError
from ..common.ids import IdGenerator
from .faults import STALE_BY, WebhookFault
from .signing import check_secret, make_secret, other_secret, sign
from .transport import DEFAULT_TIMEOUT, check_timeout, check_url, post

if TYPE_CHECKING:
    from ..registry import WebhookSource

Obj = dict[str, Any]

#: Virtual seconds before each retry of a failed attempt (the Standard Webhooks schedule OpenAI's
#: "exponential backoff for up to 72 hours" follows: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
TIMESTAMPS = ("auto", "virtual", "wall")
#: How long an ``out_of_order`` event waits for a later one when ``late`` does not say.
DEFAULT_HOLD = 60.0


@dataclass(eq=False, slots=True)
class WebhookDelivery:
    """One attempt to deliver one event to one endpoint, and how it went."""

    endpoint: WebhookEndpoint
    #: The event as sent (before any ``tampered`` change).
    event: Obj
    #: The exact bytes POSTed (what a receiver verifies).
    body: bytes
    headers: dict[str, str]
    #: Virtual seconds since the fake started when it was sent.
    at: float
    #: 1 for the first attempt, 2 for the first retry...; duplicates repeat their attempt's number.
    attempt: int = 1
    duplicate: bool = False
    #: The fault that shaped this attempt, if any.
    fault: WebhookFault | None = None
    #: The receiver's status code (None: it raised, or the connection failed).
    status: int | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def type(self) -> str:
        return str(self.event["type"])

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


Target = str | Callable[[WebhookDelivery], object]


@dataclass(frozen=True, eq=False, slots=True)
class WebhookEndpoint:
    """Where events go, which ones, and the secret they are signed with. Frozen: a target is
    checked when the endpoint is added (and a URL again at every delivery), never changed after."""

    target: Target
    secret: str = field(repr=False)  # never shown: reprs end up in logs and failure reports
    events: frozenset[str] = frozenset()
    timestamps: str = "auto"
    retries: tuple[float, ...] = RETRY_DELAYS
    #: Seconds the receiver has to answer (virtual for a callable, real for a URL).
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True, slots=True)
class GivenUp:
    """An event the fake stopped trying to deliver: every attempt failed."""

    endpoint: WebhookEndpoint
    event: Obj
    #: Every attempt of it (first, retries, duplicates), in order.
    attempts: tuple[WebhookDelivery, ...]

    def __str__(self) -> str:
        answers = ", ".join(_answer(d) for d in self.attempts)
        return (
            f"{self.event['type']} {self.event['id']} (of {self.event['data']['id']}) was given up "
            f"after {len(self.attempts)} attempts to {_target_name(self.endpoint.target)}: {answers}"
        )


def _answer(delivery: WebhookDelivery) -> str:
    if delivery.error is not None:
        return f"{type(delivery.error).__name__}: {delivery.error}"
    return str(delivery.status)


def _target_name(target: Target) -> str:
    return target if isinstance(target, str) else getattr(target, "__qualname__", repr(target))


@dataclass(eq=False, slots=True)
class _Pending:
    endpoint: WebhookEndpoint
    event: Obj
    webhook_id: str
    attempt: int = 1
    fault: WebhookFault | None = None
    held: bool = field(default=False)


class Webhooks:
    """A fake's webhook endpoints, fault rules and delivery log (``fake.webhooks``)."""

    def __init__(
        self,
        clock: VirtualClock,
        seed: int,
        sources: Sequence[WebhookSource] = (),
    ) -> None:
        self.clock = clock
        #: The secret endpoints get unless :meth:`add` names one (deterministic per seed).
        self.secret = make_secret(seed)
        #: The timeout endpoints get unless :meth:`add` names one.
        self.timeout = DEFAULT_TIMEOUT
        self.endpoints: list[WebhookEndpoint] = []
        #: Fault rules; each counts the events it has seen.
        self.faults: list[WebhookFault] = []
        #: Every attempt, in the order they were sent.
        self.deliveries: list[WebhookDelivery] = []
        #: Events whose every attempt failed (``check()`` reports them).
        self.given_up: list[GivenUp] = []
        #: Events no endpoint is subscribed to (what a wait for them would wait for in vain).
        self.unsubscribed: list[Obj] = []
        self._ids = IdGenerator(seed ^ 0x77686B)  # its own ids: webhooks never shift the API's ids
        self._sources = tuple(sources)
        #: Every event type the fake's APIs can send.
        self.known_events: frozenset[str] = frozenset().union(*(s.webhook_events for s in self._sources))
        self._watching = False
        self._held: list[_Pending] = []

    # -- setup -----------------------------------------------------------------------------
    def add(
        self,
        target: Target,
        *,
        secret: str | None = None,
        events: Iterable[str] | None = None,
        timestamps: str = "auto",
        retries: Iterable[float] = RETRY_DELAYS,
        timeout: float | None = None,
    ) -> WebhookEndpoint:
        """Subscribe ``target`` (a callable, or an ``http://`` URL on this machine) to ``events``
        (every event the fake sends by default), signed with ``secret`` (default: :attr:`secret`);
        ``timeout``: seconds it has to answer (default :attr:`timeout`)."""
        if isinstance(target, str):
            check_url(target)
        elif not callable(target):
            raise ConfigurationError(
                f"webhook target {target!r}: give a callable (taking a WebhookDelivery) or an http:// URL"
            )
        chosen = frozenset(events) if events is not None else self.known_events
        unknown = sorted(chosen - self.known_events)
        if unknown:
            raise ConfigurationError(
                f"webhook events {unknown}: the fake sends {', '.join(sorted(self.known_events))}"
            )
        if timestamps not in TIMESTAMPS:
            raise ConfigurationError(f"timestamps={timestamps!r}: use one of {', '.join(TIMESTAMPS)}")
        secret = self.secret if secret is None else check_secret(secret, "secret")
        wait = self.timeout if timeout is None else check_timeout(timeout)
        endpoint = WebhookEndpoint(target, secret, chosen, timestamps, _retries(retries), wait)
        self.endpoints.append(endpoint)
        if not self._watching:  # only now do responses set clock alarms (no cost without webhooks)
            self._watching = True
            for source in self._sources:
                source.watch(self.ended)
        return endpoint

    # -- reading the log -------------------------------------------------------------------
    @property
    def events(self) -> list[Obj]:
        """Every event sent at least once, in the order first sent."""
        seen: dict[str, Obj] = {}
        for delivery in self.deliveries:
            seen.setdefault(delivery.event["id"], delivery.event)
        return list(seen.values())

    @property
    def errors(self) -> list[WebhookDelivery]:
        """Attempts whose receiver raised (a callable) or could not be reached (a URL)."""
        return [d for d in self.deliveries if d.error is not None]

    def check(self) -> None:
        """Raise :class:`WebhookDeliveryError` if a receiver raised or an event was given up: an
        exception in a receiver is recorded (and retried, as a 500 would be), never raised inside the
        code under test; an event whose every attempt failed is named with the answers it got."""
        lines = [f"{d.type} {d.webhook_id} attempt {d.attempt}: {d.error!r}" for d in self.errors]
        lines += [str(given) for given in self.given_up]
        if lines:
            raise WebhookDeliveryError("webhook delivery failed:\n  " + "\n  ".join(lines))

    def why_nothing_comes(self) -> str | None:
        """For hang detection, when code sleeps with nothing due on the clock: why no webhook can
        arrive any more (None when no endpoint is subscribed: then nobody waits for one)."""
        if not self.endpoints:
            return None
        # A source may say which of its objects can no longer end by themselves (``stuck()``).
        stuck = [noun for source in self._sources for noun in getattr(source, "stuck", list)()]
        reasons = [f"{noun} never ends (its timeline holds it for ever)" for noun in stuck]
        reasons += [
            f"{e['type']} of {e['data']['id']} was not sent: no endpoint is subscribed to it"
            for e in self.unsubscribed[-3:]
        ]
        reasons += [str(given) for given in self.given_up[-3:]]
        if not reasons:
            reasons = [f"all {len(self.events)} events were delivered and nothing is in flight"]
        return "no webhook can arrive any more: " + "; ".join(reasons)

    # -- delivering ------------------------------------------------------------------------
    def ended(self, kind: str, object_id: str, at: float) -> None:
        """An object ended at virtual time ``at`` (a background response, a batch...): plan its event
        ``kind`` for every endpoint subscribed to it."""
        event = {
            "id": self._ids.new_hex("evt", 32),
            "object": "event",
            "created_at": int(self.clock.epoch + at),
            "type": kind,
            "data": {"id": object_id},
        }
        if not any(kind in endpoint.events for endpoint in self.endpoints):
            self.unsubscribed.append(event)
        for endpoint in self.endpoints:
            if kind not in endpoint.events:
                continue
            pending = _Pending(endpoint, event, self._ids.new_hex("wh", 32))
            pending.fault = _first_firing(self.faults, kind)
            fault = pending.fault
            if fault is not None and fault.out_of_order:
                pending.held = True
                self._held.append(pending)
                hold = fault.late if fault.late is not None else DEFAULT_HOLD
                self.clock.call_at(at + hold, functools.partial(self._release, pending))
            else:
                delay = fault.late if fault is not None and fault.late else 0.0
                self.clock.call_at(at + delay, functools.partial(self._send, pending))

    def _release(self, pending: _Pending) -> None:
        if pending.held:
            pending.held = False
            self._held.remove(pending)
            self._send(pending)

    def _send(self, pending: _Pending) -> None:
        fault = pending.fault if pending.attempt == 1 else None  # retries are clean
        delivery = self._attempt(pending, fault)
        if fault is not None and pending.attempt == 1:
            for _ in range(fault.duplicates):
                self._attempt(pending, None, duplicate=True)
        if not delivery.ok and pending.attempt <= len(pending.endpoint.retries):
            retry = _Pending(pending.endpoint, pending.event, pending.webhook_id, pending.attempt + 1)
            delay = pending.endpoint.retries[pending.attempt - 1]
            self.clock.call_at(self.clock.elapsed() + delay, functools.partial(self._send, retry))
        elif not delivery.ok:
            tried = [d for d in self.deliveries if d.webhook_id == pending.webhook_id]
            if not any(d.ok for d in tried):  # a duplicate that got through counts as delivered
                self.given_up.append(GivenUp(pending.endpoint, pending.event, tuple(tried)))
        # An out-of-order event goes right after the next one that was not held.
        for held in list(self._held):
            self._release(held)

    def _attempt(
        self, pending: _Pending, fault: WebhookFault | None, duplicate: bool = False
    ) -> WebhookDelivery:
        endpoint = pending.endpoint
        body = json.dumps(pending.event, separators=(",", ":")).encode()
        stamp = self._timestamp(endpoint)
        bad = fault.signature if fault is not None else None
        if bad == "stale":
            stamp -= STALE_BY
        secret = other_secret(endpoint.secret) if bad == "wrong_secret" else endpoint.secret
        headers = sign(secret, pending.webhook_id, stamp, body)
        if bad == "missing":
            del headers["webhook-signature"]
        elif bad == "tampered":  # changed after signing, as a forger would
            body = body.replace(b'"data":{"id":"', b'"data":{"id":"x', 1)
        delivery = WebhookDelivery(
            endpoint, pending.event, body, headers, self.clock.elapsed(), pending.attempt, duplicate, fault
        )
        self.deliveries.append(delivery)
        try:
            delivery.status = post(endpoint.target, delivery, endpoint.timeout, self.clock)
        except Exception as error:  # the receiver's failure is the test's to read, not the poller's
            delivery.error = error
        return delivery

    def _timestamp(self, endpoint: WebhookEndpoint) -> int:
        if endpoint.timestamps == "virtual":
            return int(self.clock.time())
        if endpoint.timestamps == "wall":
            return int(_REAL_TIME())
        return int(time.time())  # looked up now: the virtual clock while a fake patches time


def _first_firing(faults: list[WebhookFault], kind: str) -> WebhookFault | None:
    """Count the event against every rule (as API fault rules count requests); the first that fires."""
    chosen = None
    for fault in faults:
        if fault.fires(kind) and chosen is None:
            chosen = fault
    return chosen


def _retries(delays: Iterable[float]) -> tuple[float, ...]:
    out = tuple(delays)
    if any(isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 <= d < float("inf") for d in out):
        raise ConfigurationError(f"retries={out!r}: give finite delays in seconds, 0 or more")
    return out
