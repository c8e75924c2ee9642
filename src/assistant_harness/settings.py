"""FakeSettings: everything a fake can be told besides its scenario, as one frozen value.

``FakeAssistants(settings=FakeSettings(seed=3))`` and ``FakeAssistants(seed=3)`` are the same fake;
the pytest plugin merges its config fixture, markers and command line into one of these. Frozen, so
a project-wide default can be shared and varied with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .engine.clock import VirtualClock
from .engine.faults import Fault
from .engine.hangs import HangLimits
from .engine.lifecycle import Timeline
from .errors import ConfigurationError

if TYPE_CHECKING:
    from .apis.assistants.store import RunRequest
    from .apis.responses.state import ResponseRequest, ResponseScript
    from .apis.webhooks.delivery import Target

DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class FakeSettings:
    """How a fake behaves (each field is also a keyword argument of ``FakeAssistants``).

    ``timeline`` is what every run follows; ``timelines`` (a callable taking a ``RunRequest``) picks
    one per run; either overrides the scenario's runs. ``seed`` and ``poll_after_ms`` left as
    ``None`` take the scenario's value, else 0 and 1000. ``faults`` adds fault rules (each fake counts
    on its own copies). ``hang_limits=None`` switches hang detection off. ``virtual_time=False``
    leaves the time functions alone: runs then move only when the test calls ``fake.advance``.

    Responses: ``response_timeline`` is what every response follows; ``response_timelines`` (a
    callable taking a ``ResponseRequest``, giving a Timeline or a ``ResponseScript``) picks one per
    response; either overrides the scenario's ``responses:``. ``response_retention``: virtual seconds
    after which a response is gone (404). ``cancel_finished``: ``"return"`` (OpenAI's behaviour) or
    ``"conflict"`` (a 409) when a finished response is cancelled; ``None`` takes the scenario's.

    Webhooks: ``webhooks`` (a callable taking a ``WebhookDelivery``, or an ``http://`` URL on this
    machine) is subscribed to the ``response.*`` events of background responses, signed with
    ``webhook_secret`` (a ``whsec_...`` secret; one is made from the seed when not given); a receiver
    has ``webhook_timeout`` seconds to answer (virtual for a callable, real for a URL).
    """

    base_url: str = DEFAULT_BASE_URL
    also_serve: tuple[str, ...] = ()
    seed: int | None = None
    timeline: Timeline | None = None
    timelines: Callable[[RunRequest], Timeline] | None = None
    faults: tuple[Fault, ...] = ()
    clock: VirtualClock | None = None
    virtual_time: bool = True
    poll_after_ms: int | None = None
    hang_limits: HangLimits | None = field(default_factory=HangLimits)
    response_timeline: Timeline | None = None
    response_timelines: Callable[[ResponseRequest], ResponseScript | Timeline] | None = None
    response_retention: float | None = None
    cancel_finished: str | None = None
    webhooks: Target | None = None
    webhook_secret: str | None = field(default=None, repr=False)  # a secret: never in a repr
    webhook_timeout: float = 5.0

    def __post_init__(self) -> None:
        # Sequences given as lists are kept as tuples, so the value stays frozen and shareable.
        object.__setattr__(self, "also_serve", _tuple(self.also_serve, "also_serve", str))
        object.__setattr__(self, "faults", _tuple(self.faults, "faults", Fault))
        if self.timeline is not None and self.timelines is not None:
            raise ConfigurationError(
                "pass either timeline= (one for every run) or timelines= (a callable), not both"
            )
        if self.timeline is not None and not isinstance(self.timeline, Timeline):
            raise ConfigurationError(
                f"timeline={self.timeline!r}: expected a Timeline (or name a scenario instead)"
            )
        if self.timelines is not None and not callable(self.timelines):
            raise ConfigurationError(f"timelines={self.timelines!r}: expected a callable taking a RunRequest")
        if self.response_timeline is not None and self.response_timelines is not None:
            raise ConfigurationError(
                "pass either response_timeline= (one for every response) or response_timelines= "
                "(a callable), not both"
            )
        if self.response_timeline is not None and not isinstance(self.response_timeline, Timeline):
            raise ConfigurationError(f"response_timeline={self.response_timeline!r}: expected a Timeline")
        if self.response_timelines is not None and not callable(self.response_timelines):
            raise ConfigurationError(
                f"response_timelines={self.response_timelines!r}: "
                "expected a callable taking a ResponseRequest"
            )
        if self.webhooks is not None and not (isinstance(self.webhooks, str) or callable(self.webhooks)):
            raise ConfigurationError(
                f"webhooks={self.webhooks!r}: give a callable (taking a WebhookDelivery) or an http:// URL"
            )
        if self.webhook_secret is not None:
            from .apis.webhooks.signing import check_secret  # deferred: settings sit below the APIs

            check_secret(self.webhook_secret)  # its messages never show the value
        from .apis.webhooks.transport import check_timeout

        check_timeout(self.webhook_timeout, "webhook_timeout")
        if self.response_retention is not None:
            _seconds(self.response_retention, "response_retention")
        if self.hang_limits is not None and not isinstance(self.hang_limits, HangLimits):
            raise ConfigurationError(f"hang_limits={self.hang_limits!r}: expected HangLimits(...) or None")

    @classmethod
    def names(cls) -> frozenset[str]:
        return frozenset(f.name for f in dataclasses.fields(cls))

    def replace(self, options: Mapping[str, Any], *, where: str = "FakeAssistants") -> FakeSettings:
        """These settings with ``options`` on top; an unknown name is refused, with a suggestion."""
        check_names(options, self.names(), where)
        return dataclasses.replace(self, **options) if options else self


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ConfigurationError(
            f"{name}={value!r}: give a number of virtual seconds above 0 (or None to keep for ever)"
        )
    return float(value)


def _tuple(values: Iterable[Any], name: str, kind: type) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ConfigurationError(f"{name}={values!r}: expected a list of {kind.__name__}")
    out = tuple(values)
    wrong = [value for value in out if not isinstance(value, kind)]
    if wrong:
        raise ConfigurationError(f"{name}: {wrong[0]!r} is not a {kind.__name__}")
    return out


def check_names(given: Iterable[str], known: Iterable[str], where: str) -> None:
    """Refuse names not in ``known``, saying which one was probably meant."""
    known = sorted(known)
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigurationError(f"{where}: unknown setting {name!r}; {hint}known: {', '.join(known)}")
