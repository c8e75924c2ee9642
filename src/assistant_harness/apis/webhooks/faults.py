"""Faults of webhook deliveries: late, duplicated, out of order, badly signed, so a receiver's
idempotency and verification are testable."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ...errors import ConfigurationError

#: What a bad ``signature`` fault sends: signed with another secret; the body changed after signing;
#: a timestamp older than the SDK's 300 s tolerance; no ``webhook-signature`` header at all.
BAD_SIGNATURES = ("wrong_secret", "tampered", "stale", "missing")
#: Extra copies one event may get (a retry storm, not a memory test).
MAX_DUPLICATES = 100
#: How far in the past a ``stale`` timestamp is (the SDK refuses anything older than 300 s).
STALE_BY = 3600


@dataclass(slots=True)
class WebhookFault:
    """One fault rule for webhook deliveries.

    ``event`` (``"response.completed"``...; None: every event) and ``nth`` / ``times`` (as for API
    faults: the nth matching event, that many from there; None: every one) pick the events it
    applies to. Then ``late`` delays the delivery by virtual seconds, ``duplicates`` sends that many
    extra copies (same ``webhook-id``, as a retry would), ``out_of_order`` holds the event back until
    the next event has gone out (or ``late`` seconds, default 60, have passed), and ``signature``
    sends it badly signed (one of ``wrong_secret``, ``tampered``, ``stale``, ``missing``).
    """

    event: str | None = None
    nth: int | None = None
    times: int | None = None
    late: float | None = None
    duplicates: int = 0
    out_of_order: bool = False
    signature: str | None = None
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not (self.late or self.duplicates or self.out_of_order or self.signature):
            raise ConfigurationError(
                "a webhook fault needs late=, duplicates=, out_of_order=True or signature= "
                "(what should happen?)"
            )
        if self.signature is not None and self.signature not in BAD_SIGNATURES:
            raise ConfigurationError(
                f"webhook fault signature={self.signature!r}: use one of {', '.join(BAD_SIGNATURES)}"
            )
        late = self.late
        if late is not None and (
            isinstance(late, bool) or not isinstance(late, (int, float)) or not 0 <= late < math.inf
        ):
            raise ConfigurationError(
                f"webhook fault late={late!r}: give a finite delay in virtual seconds, 0 or more"
            )
        duplicates = self.duplicates
        if (
            isinstance(duplicates, bool)
            or not isinstance(duplicates, int)
            or not 0 <= duplicates <= MAX_DUPLICATES
        ):
            raise ConfigurationError(
                f"webhook fault duplicates={duplicates!r}: "
                f"give a whole number of extra copies, 0 to {MAX_DUPLICATES}"
            )
        for name in ("nth", "times"):
            count = getattr(self, name)
            if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
                raise ConfigurationError(
                    f"webhook fault {name}={count!r}: give a whole number from 1 (the first event is nth=1), "
                    "or None for every event"
                )

    def fires(self, event_type: str) -> bool:
        """Count one event and say whether this rule applies to it."""
        if self.event is not None and self.event != event_type:
            return False
        self.seen += 1
        first = self.nth or 1
        if self.seen < first or (self.nth is not None and self.times is None and self.seen != self.nth):
            return False
        if self.times is not None and self.seen >= first + self.times:
            return False
        self.fired += 1
        return True
