"""How one webhook attempt reaches its receiver: a callable in this process (timed on the virtual
clock) or an ``http://`` URL on this machine (POSTed with ``http.client``, which no interception
touches, with a real-time timeout). Loopback only, checked when an endpoint is added and again at
every attempt, so nothing the test does later can send a signed event off this machine."""

from __future__ import annotations

import http.client
import ipaddress
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar
from urllib.parse import urlsplit

from ...errors import ConfigurationError

if TYPE_CHECKING:
    from ...engine.clock import VirtualClock

#: Seconds a receiver has to answer: real seconds for a URL, virtual ones for a callable. Real
#: deliveries time out after "a few seconds"; a receiver that never answers costs that much per attempt.
DEFAULT_TIMEOUT = 5.0
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


class Attempt(Protocol):
    """What an attempt carries over the wire (a :class:`~.delivery.WebhookDelivery`)."""

    @property
    def body(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class ReceiverTimeout(TimeoutError):
    """The receiver did not answer within the endpoint's timeout."""


def check_timeout(timeout: object, name: str = "timeout") -> float:
    """A delivery timeout: a finite number of seconds above 0."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < math.inf:
        raise ConfigurationError(f"{name}={timeout!r}: give a number of seconds above 0 (default 5)")
    return float(timeout)


def check_url(target: str) -> None:
    """Refuse anything but ``http://`` on this machine (127.0.0.0/8, ::1, localhost)."""
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


D = TypeVar("D", bound=Attempt)


def post(target: str | Callable[[D], object], delivery: D, timeout: float, clock: VirtualClock) -> int:
    """Send one attempt; its receiver's status code. Raises what the receiver raised, or
    :class:`ReceiverTimeout`."""
    if not isinstance(target, str):
        start = clock.elapsed()
        status = status_of(target(delivery))
        took = clock.elapsed() - start
        if took > timeout:  # it answered, but after the sender had stopped waiting
            raise ReceiverTimeout(f"no answer within {timeout:g} virtual seconds (it took {took:g})")
        return status
    check_url(target)  # again: whatever happened since add(), only loopback, ever
    url = urlsplit(target)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=timeout)
    try:
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        connection.request("POST", path, body=delivery.body, headers=dict(delivery.headers))
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except TimeoutError as error:
        raise ReceiverTimeout(f"no answer within {timeout:g} seconds") from error
    finally:
        connection.close()


def status_of(result: object) -> int:
    """What a callable's return value means: None or True is a 200, False a 500, an int or an object
    with ``status_code`` (a test client's response) that status."""
    if result is None or result is True:
        return 200
    if result is False:
        return 500
    if isinstance(result, int):
        return result
    code = getattr(result, "status_code", None)
    return code if isinstance(code, int) else 200
