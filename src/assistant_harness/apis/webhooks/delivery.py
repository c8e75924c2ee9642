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
import http.client
import ipaddress
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...engine.clock import VirtualClock
from ...engine.timepatch import _REAL_TIME
from ...errors import ConfigurationError, WebhookDeliveryError
from ..common.ids import IdGenerator
from .faults import STALE_BY, WebhookFault
from .signing import make_secret, other_secret, sign

if TYPE_CHECKING:
    from ..registry import WebhookSource

Obj = dict[str, Any]

#: Virtual seconds before each retry of a failed attempt (the Standard Webhooks schedule OpenAI's
#: "exponential backoff for up to 72 hours" follows: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
TIMESTAMPS = ("auto", "virtual", "wall")
#: How long an ``out_of_order`` event waits for a later one when ``late`` does not say.
DEFAULT_HOLD = 60.0
#: Real seconds an HTTP receiver has to answer.
HTTP_TIMEOUT = 30.0
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


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


@dataclass(eq=False, slots=True)
class WebhookEndpoint:
    """Where events go, which ones, and the secret they are signed with."""

    target: Target
    secret: str
    events: frozenset[str] = frozenset()
    timestamps: str = "auto"
    retries: tuple[float, ...] = RETRY_DELAYS


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
        self.endpoints: list[WebhookEndpoint] = []
        #: Fault rules; each counts the events it has seen.
        self.faults: list[WebhookFault] = []
        #: Every attempt, in the order they were sent.
        self.deliveries: list[WebhookDelivery] = []
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
    ) -> WebhookEndpoint:
        """Subscribe ``target`` (a callable, or an ``http://`` URL on this machine) to ``events`` (all
        every event the fake sends by default), signed with ``secret`` (default: :attr:`secret`)."""
        if isinstance(target, str):
            _check_url(target)
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
        endpoint = WebhookEndpoint(target, secret or self.secret, chosen, timestamps, tuple(retries))
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
        """Raise :class:`WebhookDeliveryError` if a receiver raised: an exception in a receiver is
        recorded (and retried, as a 500 would be), never raised inside the code under test."""
        if self.errors:
            lines = [f"{d.type} {d.webhook_id} attempt {d.attempt}: {d.error!r}" for d in self.errors]
            raise WebhookDeliveryError("a webhook receiver failed:\n  " + "\n  ".join(lines))

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
            delivery.status = _post(endpoint.target, delivery)
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


def _post(target: Target, delivery: WebhookDelivery) -> int:
    if not isinstance(target, str):
        return _status_of(target(delivery))
    url = urlsplit(target)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=HTTP_TIMEOUT)
    try:
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        connection.request("POST", path, body=delivery.body, headers=delivery.headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def _status_of(result: object) -> int:
    if result is None or result is True:
        return 200
    if result is False:
        return 500
    if isinstance(result, int):
        return result
    code = getattr(result, "status_code", None)
    return code if isinstance(code, int) else 200


def _check_url(target: str) -> None:
    url = urlsplit(target)
    if url.scheme != "http" or not url.hostname:
        raise ConfigurationError(
            f"webhook URL {target!r}: give http://127.0.0.1:<port>/<path> (a server on this machine)"
        )
    host = url.hostname
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host in _LOOPBACK_NAMES
    if not loopback:
        raise ConfigurationError(
            f"webhook URL {target!r}: the fake delivers to this machine only (127.0.0.1, ::1, localhost)"
        )
