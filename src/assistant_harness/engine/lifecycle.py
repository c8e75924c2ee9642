"""Run lifecycle engine: scripted timelines of statuses, and where a run stands at a given time.

This layer knows statuses, durations and events (an action submitted, a cancel, expiry) but no
resource shapes: the Assistants store turns transitions into side effects (timestamps, messages,
run steps), and a background-mode Responses fake can reuse it as it is. Times are virtual seconds
on the owning fake's clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import TimelineError

QUEUED = "queued"
IN_PROGRESS = "in_progress"
REQUIRES_ACTION = "requires_action"
CANCELLING = "cancelling"
CANCELLED = "cancelled"
FAILED = "failed"
COMPLETED = "completed"
INCOMPLETE = "incomplete"
EXPIRED = "expired"

TERMINAL = frozenset({CANCELLED, FAILED, COMPLETED, INCOMPLETE, EXPIRED})
ACTIVE = frozenset({QUEUED, IN_PROGRESS, REQUIRES_ACTION, CANCELLING})
STATUSES = TERMINAL | ACTIVE

#: Which status may follow which in a scripted timeline. Cancelling and expiry are events
#: (a cancel request, the deadline), so they are also reachable from any active status at run time.
RUN_TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        QUEUED: frozenset({IN_PROGRESS, FAILED, EXPIRED, CANCELLING, CANCELLED}),
        IN_PROGRESS: frozenset(
            {REQUIRES_ACTION, COMPLETED, FAILED, INCOMPLETE, CANCELLING, CANCELLED, EXPIRED}
        ),
        REQUIRES_ACTION: frozenset({QUEUED, IN_PROGRESS, EXPIRED, FAILED, CANCELLING, CANCELLED}),
        CANCELLING: frozenset({CANCELLED, COMPLETED, FAILED}),
    }
)


@dataclass(frozen=True, slots=True)
class Step:
    """One status held for ``duration`` virtual seconds.

    ``duration=None`` holds the status until an event moves it on: tool outputs for
    ``requires_action``, nothing at all for the last step (a terminal status, or a run that is
    stuck forever). ``payload`` carries what the status means (tool calls, an error, the reply);
    the engine does not read it.
    """

    status: str
    duration: float | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            known = ", ".join(sorted(STATUSES))
            raise TimelineError(f"unknown status {self.status!r}; use one of: {known}")
        if self.duration is not None and self.duration < 0:
            raise TimelineError(f"{self.status} step has a negative duration ({self.duration!r})")


@dataclass(frozen=True, slots=True)
class Transition:
    """The run entered ``steps[index]`` (status ``status``) at virtual time ``at``."""

    index: int
    status: str
    at: float


class Timeline:
    """An ordered, validated script of steps that every run created from it follows."""

    __slots__ = ("cancel_delay", "steps")

    def __init__(
        self,
        steps: Iterable[Step],
        *,
        cancel_delay: float = 1.0,
        transitions: Mapping[str, frozenset[str]] = RUN_TRANSITIONS,
    ) -> None:
        self.steps: tuple[Step, ...] = tuple(steps)
        self.cancel_delay = cancel_delay
        _validate(self.steps, transitions)

    @classmethod
    def of(cls, *spec: tuple[str, float | None] | str, **kwargs: Any) -> Timeline:
        """Shorthand: ``Timeline.of(("queued", 1), ("in_progress", 2), "completed")``."""
        steps = [Step(s) if isinstance(s, str) else Step(s[0], s[1]) for s in spec]
        return cls(steps, **kwargs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeline):
            return NotImplemented
        return self.steps == other.steps and self.cancel_delay == other.cancel_delay

    __hash__ = None  # type: ignore[assignment]  # steps carry dict payloads

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{s.status}({s.duration:g}s)" if s.duration is not None else s.status for s in self.steps
        )
        return f"Timeline[{inner}]"


def _validate(steps: Sequence[Step], transitions: Mapping[str, frozenset[str]]) -> None:
    if not steps:
        raise TimelineError("a timeline needs at least one step")
    for index, (step, following) in enumerate(itertools.pairwise(steps)):
        if step.status in TERMINAL:
            raise TimelineError(
                f"steps[{index}]: {step.status} is terminal, so it must be the last step "
                f"(found {following.status} after it)"
            )
        if following.status not in transitions.get(step.status, frozenset()):
            allowed = ", ".join(sorted(transitions.get(step.status, frozenset()))) or "nothing"
            raise TimelineError(
                f"steps[{index + 1}]: a run cannot go from {step.status} to {following.status} "
                f"(after {step.status} comes {allowed})"
            )
        if step.duration is None and step.status != REQUIRES_ACTION:
            raise TimelineError(
                f"steps[{index}]: {step.status} has no duration but is not the last step; "
                "give it a duration in seconds"
            )


class Progress:
    """Where one run stands on its timeline; moved by time and by events, never backwards.

    ``expires_at`` is the virtual time at which a run still in one of ``expire_in`` becomes
    ``expired`` (``None``: never).
    """

    __slots__ = ("_cancel_delay", "entered_at", "expire_in", "expires_at", "index", "steps")

    def __init__(
        self,
        timeline: Timeline,
        started_at: float,
        *,
        expires_at: float | None = None,
        expire_in: frozenset[str] = frozenset({QUEUED, REQUIRES_ACTION}),
    ) -> None:
        self.steps: list[Step] = list(timeline.steps)
        self.index = 0
        self.entered_at = started_at
        self.expires_at = expires_at
        self.expire_in = expire_in
        self._cancel_delay = timeline.cancel_delay

    @property
    def step(self) -> Step:
        """The step the run is in."""
        return self.steps[self.index]

    @property
    def status(self) -> str:
        """The run's status."""
        return self.steps[self.index].status

    @property
    def is_terminal(self) -> bool:
        """True once the run can no longer change."""
        return self.steps[self.index].status in TERMINAL

    def advance(self, now: float) -> list[Transition]:
        """Move to where the run stands at ``now``; return the transitions passed on the way."""
        passed: list[Transition] = []
        while True:
            step = self.steps[self.index]
            if step.status in TERMINAL:
                return passed
            due = None if step.duration is None else self.entered_at + step.duration
            if step.status == REQUIRES_ACTION:
                due = None
            expiry = self.expires_at if step.status in self.expire_in else None
            if expiry is not None and expiry <= now and (due is None or expiry < due):
                # Entering an expirable status after the deadline expires the run at once.
                passed.append(self._enter_new(Step(EXPIRED), max(expiry, self.entered_at)))
                return passed
            if due is None or due > now or self.index + 1 >= len(self.steps):
                return passed
            self.index += 1
            self.entered_at = due
            passed.append(Transition(self.index, self.steps[self.index].status, due))

    def submit(self, now: float) -> Transition:
        """The action a ``requires_action`` step waits for arrived: move to the next step."""
        if self.status != REQUIRES_ACTION:
            raise TimelineError(f"cannot submit an action to a run in status {self.status}")
        if self.index + 1 >= len(self.steps):
            # A script that ends on requires_action: after the action the run completes.
            self.steps.append(Step(COMPLETED))
        self.index += 1
        self.entered_at = now
        return Transition(self.index, self.step.status, now)

    def cancel(self, now: float) -> Transition:
        """A cancel request arrived: ``cancelling`` now, ``cancelled`` after the timeline's delay."""
        if self.is_terminal:
            raise TimelineError(f"cannot cancel a run in status {self.status}")
        del self.steps[self.index + 1 :]
        self.steps.append(Step(CANCELLING, self._cancel_delay))
        self.steps.append(Step(CANCELLED))
        self.index += 1
        self.entered_at = now
        return Transition(self.index, CANCELLING, now)

    def _enter_new(self, step: Step, at: float) -> Transition:
        del self.steps[self.index + 1 :]
        self.steps.append(step)
        self.index += 1
        self.entered_at = at
        return Transition(self.index, step.status, at)

    def next_change(self) -> float | None:
        """The virtual time of the next transition due to time alone (``None``: none is due)."""
        step = self.steps[self.index]
        if step.status in TERMINAL:
            return None
        due = None
        if step.status != REQUIRES_ACTION and step.duration is not None and self.index + 1 < len(self.steps):
            due = self.entered_at + step.duration
        if self.expires_at is not None and step.status in self.expire_in:
            due = self.expires_at if due is None else min(due, self.expires_at)
        return due
