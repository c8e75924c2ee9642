"""The harness's exceptions: one root, and a subclass for each kind of user mistake.

User mistakes raised while the SDK is sending a request derive from ``BaseException`` through
:class:`HarnessInterrupt`, not from ``Exception``: the openai SDK wraps every ``Exception`` raised
in its transport into ``APIConnectionError("Connection error.")`` after retrying it, which would
hide the message. Like pytest's own outcome exceptions, they reach the test unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class HarnessError(Exception):
    """Root of every error the harness raises for a mistake made outside a request."""


class ConfigurationError(HarnessError):
    """The harness was set up wrongly (a bad argument, an unknown option)."""


class ScenarioError(HarnessError):
    """A scenario file or Scenario object is invalid; the message names the file and key path."""


class TimelineError(ScenarioError):
    """A run timeline holds an impossible step or transition; the message names the step."""


class CassetteError(HarnessError):
    """A cassette file is missing, malformed, or of an unsupported version."""


class SecretInCassetteError(CassetteError):
    """A cassette about to be written (or scanned) holds something key-like or identifying."""


class HarnessInterrupt(BaseException):
    """Root of the errors raised *inside* a request that must reach the test unwrapped.

    It derives from ``BaseException`` so that the SDK neither retries it nor turns it into
    ``APIConnectionError``. Catch it (or a subclass) by name in tests that expect it.
    """


class UnservedEndpointError(HarnessInterrupt):
    """The code under test called an OpenAI endpoint that the fake does not serve."""


class HangDetected(HarnessInterrupt):
    """The code under test keeps polling something that can no longer change."""


class CassetteMismatch(HarnessInterrupt):
    """A request during replay matches no recorded interaction; the message lists the closest ones."""


class FakeBackendError(HarnessInterrupt):
    """Code the test gave the fake (a computed reply, a timeline picker, a redaction hook) raised."""


class HarnessBugError(HarnessInterrupt):
    """assistant-harness itself failed while answering a request: a bug in the harness, not in the test."""


class CallbackFailed(Exception):
    """Internal: code the test handed the fake raised (the cause); the backend reports it as
    :class:`FakeBackendError`, and any other exception inside a request as :class:`HarnessBugError`."""

    def __init__(self, what: str, error: Exception) -> None:
        super().__init__(f"{what} raised {type(error).__name__}: {error}")
        self.what = what


def call_user(what: str, function: Callable[..., T], *args: object) -> T:
    """Call code the test handed the fake (``what`` names it), marking its failures as its own."""
    try:
        return function(*args)
    except Exception as error:
        raise CallbackFailed(what, error) from error


class NetworkBlocked(HarnessInterrupt):
    """A socket connection to a host that is not allowed, while the network is blocked (replay,
    ``--block-network``); the message names the host."""


class WebhookDeliveryError(HarnessError):
    """A webhook receiver the test gave the fake raised (see ``fake.webhooks.check()``)."""
