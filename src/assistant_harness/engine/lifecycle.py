"""Lifecycle engine: scripted timelines of statuses, and where an object stands at a given time.

This layer knows statuses, durations and events (an action submitted, a cancel, expiry) but no
resource shapes and no API's vocabulary: each API hands it one :class:`StatusModel` (its state
machine as a table) and turns the transitions into side effects itself (timestamps, messages, run
steps). Times are virtual seconds on the owning fake's clock.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import TimelineError


@dataclass(frozen=True)
class StatusModel:
    """One API's state machine as one table; the engine reads only this.

    ``moves`` says which status a script may move to next from each non-final status; cancel,
    submit and expiry are events, described by the named statuses below (``None``: the API has no
    such thing).
    """

    noun: str  #: "run", "response", "file": used in error messages
    moves: Mapping[str, frozenset[str]]
    final: frozenset[str]
    initial: str = "queued"
    #: Holds until submit() (runs: "requires_action").
    waiting: str | None = None
    #: Appended when a script ends on ``waiting`` and the action arrives (runs: "completed").
    after_submit: str | None = None
    #: Held ``timeline.cancel_delay`` on a cancel (runs: "cancelling"); None: a cancel ends at once.
    cancelling: str | None = None
    #: None: this API cannot be cancelled.
    cancelled: str | None = "cancelled"
    #: None: never expires.
    expired: str | None = None
    #: The statuses the expiry deadline applies in.
    expire_in: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for moving in self.moves:
            if moving in self.final:
                raise ValueError(f"{self.noun} model: {moving} is final, so it has no moves")
        for role, ending in (("cancelled", self.cancelled), ("expired", self.expired)):
            if ending is not None and ending not in self.final:
                raise ValueError(f"{self.noun} model: the {role} status {ending!r} must be final")
        if self.waiting is not None and self.waiting in self.final:
            raise ValueError(f"{self.noun} model: the waiting status {self.waiting!r} cannot be final")
        if self.expire_in & self.final:
            raise ValueError(f"{self.noun} model: expire_in names final statuses")

    @functools.cached_property
    def statuses(self) -> frozenset[str]:
        """Every status of the model."""
        named = (self.initial, self.waiting, self.after_submit, self.cancelling, self.cancelled, self.expired)
        return frozenset(
            set(self.moves)
            | self.final
            | set().union(*self.moves.values())
            | self.expire_in
            | {s for s in named if s is not None}
        )

    def check_status(self, status: object, where: str = "") -> None:
        """Raise :class:`TimelineError` unless ``status`` is one of the model's."""
        if status not in self.statuses:
            known = ", ".join(sorted(self.statuses))
            raise TimelineError(f"{where}unknown status {status!r}; a {self.noun} status is one of: {known}")

    def check(self, timeline: Timeline) -> None:
        """Raise :class:`TimelineError` naming the step if ``timeline`` is impossible in this model."""
        steps = timeline.steps
        for index, step in enumerate(steps):
            self.check_status(step.status, f"steps[{index}]: ")
        for index, (step, following) in enumerate(itertools.pairwise(steps)):
            if step.status in self.final:
                raise TimelineError(
                    f"steps[{index}]: {step.status} is final (a {self.noun} never leaves it), so it must "
                    f"be the last step (found {following.status} after it)"
                )
            allowed = self.moves.get(step.status, frozenset())
            if following.status not in allowed:
                names = ", ".join(sorted(allowed)) or "nothing"
                raise TimelineError(
                    f"steps[{index + 1}]: a {self.noun} cannot go from {step.status} to "
                    f"{following.status} (after {step.status} comes {names})"
                )
            if step.duration is None and step.status != self.waiting:
                raise TimelineError(
                    f"steps[{index}]: {step.status} has no duration but is not the last step; "
                    "give it a duration in seconds"
                )


@dataclass(frozen=True, slots=True)
class Step:
    """One status held for ``duration`` virtual seconds.

    ``duration=None`` (or infinity) holds the status until an event moves it on: the action a
    waiting status waits for, a cancel, expiry; on the last step, nothing at all (a final status,
    or a run that is stuck). ``payload`` carries what the status means (tool calls, an error, the
    reply); the engine does not read it. Which statuses exist is the :class:`StatusModel`'s
    business: a step is checked when its timeline is bound to one.
    """

    status: str
    duration: float | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.duration is not None and (math.isnan(self.duration) or self.duration < 0):
            raise TimelineError(f"{self.status} step has a negative duration ({self.duration!r})")


@dataclass(frozen=True, slots=True)
class Transition:
    """The object entered ``steps[index]`` (status ``status``) at virtual time ``at``."""

    index: int
    status: str
    at: float


class Timeline:
    """An ordered script of steps that every object created from it follows.

    With ``model`` it is checked at once; without, when a fake binds it to its API's model.
    ``expires=False`` says the script means what it says even past the API's expiry deadline (a
    run scripted to hang for ever); by default an object still unfinished at its deadline expires.
    """

    __slots__ = ("cancel_delay", "expires", "model", "steps")

    def __init__(
        self,
        steps: Iterable[Step],
        *,
        cancel_delay: float = 1.0,
        model: StatusModel | None = None,
        expires: bool = True,
    ) -> None:
        self.steps: tuple[Step, ...] = tuple(steps)
        self.cancel_delay = cancel_delay
        self.expires = expires
        self.model = model
        if not self.steps:
            raise TimelineError("a timeline needs at least one step")
        if model is not None:
            model.check(self)

    @classmethod
    def of(cls, *spec: tuple[str, float | None] | str, **kwargs: Any) -> Timeline:
        """Shorthand: ``Timeline.of(("queued", 1), ("in_progress", 2), "completed")``."""
        steps = [Step(s) if isinstance(s, str) else Step(s[0], s[1]) for s in spec]
        return cls(steps, **kwargs)

    def bind(self, model: StatusModel) -> Timeline:
        """This timeline, checked against ``model`` (once: a checked timeline remembers its model)."""
        if self.model is not model:
            model.check(self)
            self.model = model
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeline):
            return NotImplemented
        return (self.steps, self.cancel_delay, self.expires) == (
            other.steps,
            other.cancel_delay,
            other.expires,
        )

    __hash__ = None  # type: ignore[assignment]  # steps carry dict payloads

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{s.status}({s.duration:g}s)" if s.duration is not None else s.status for s in self.steps
        )
        return f"Timeline[{inner}]" if self.expires else f"Timeline[{inner}; never expires]"


class Progress:
    """Where one object stands on its timeline; moved by time and by events, never backwards.

    ``expires_at`` is the virtual time at which an object still in one of the model's
    ``expire_in`` statuses becomes ``model.expired`` (``None``, or a timeline with
    ``expires=False``: never).
    """

    __slots__ = ("_cancel_delay", "entered_at", "expires_at", "index", "model", "steps")

    def __init__(
        self, timeline: Timeline, started_at: float, *, model: StatusModel, expires_at: float | None = None
    ) -> None:
        timeline.bind(model)
        self.model = model
        self.steps: list[Step] = list(timeline.steps)
        self.index = 0
        self.entered_at = started_at
        self.expires_at = expires_at if timeline.expires and model.expired is not None else None
        self._cancel_delay = timeline.cancel_delay

    @property
    def step(self) -> Step:
        """The step the object is in."""
        return self.steps[self.index]

    @property
    def status(self) -> str:
        """The object's status."""
        return self.steps[self.index].status

    @property
    def is_final(self) -> bool:
        """True once the object can no longer change."""
        return self.steps[self.index].status in self.model.final

    is_terminal = is_final

    @property
    def is_waiting(self) -> bool:
        """True while the object waits for an action from the client (runs: ``requires_action``)."""
        return self.steps[self.index].status == self.model.waiting

    @property
    def can_cancel(self) -> bool:
        """Whether a cancel request would change anything now."""
        status = self.steps[self.index].status
        return (
            self.model.cancelled is not None
            and status not in self.model.final
            and status != self.model.cancelling
        )

    def _due(self) -> float | None:
        """When the current step ends by time alone (``None``: it holds until an event)."""
        step = self.steps[self.index]
        if step.duration is None or step.status == self.model.waiting or self.index + 1 >= len(self.steps):
            return None
        due = self.entered_at + step.duration
        return due if math.isfinite(due) else None

    def _expiry(self) -> float | None:
        return self.expires_at if self.steps[self.index].status in self.model.expire_in else None

    def advance(self, now: float) -> list[Transition]:
        """Move to where the object stands at ``now``; return the transitions passed on the way."""
        passed: list[Transition] = []
        final = self.model.final
        step = self.steps[self.index]
        # Most calls are polls between changes: nothing is due by time, and no deadline has passed.
        if (
            step.duration is not None
            and now < self.entered_at + step.duration
            and (self.expires_at is None or now < self.expires_at)
        ):
            return passed
        while self.steps[self.index].status not in final:
            due = self._due()
            expiry = self._expiry()
            if expiry is not None and expiry <= now and (due is None or expiry < due):
                # Entering an expirable status after the deadline expires the object at once.
                assert self.model.expired is not None  # expires_at is None without it
                passed.append(self._enter_new(Step(self.model.expired), max(expiry, self.entered_at)))
                break
            if due is None or due > now:
                break
            self.index += 1
            self.entered_at = due
            passed.append(Transition(self.index, self.steps[self.index].status, due))
        return passed

    def submit(self, now: float) -> Transition:
        """The action the waiting status waits for arrived: move to the next step."""
        if not self.is_waiting:
            raise TimelineError(f"cannot submit an action to a {self.model.noun} in status {self.status}")
        if self.index + 1 >= len(self.steps):
            if self.model.after_submit is None:
                raise TimelineError(f"the {self.model.noun}'s script ends on {self.status}")
            # A script that ends on the waiting status: after the action it moves on to after_submit.
            self.steps.append(Step(self.model.after_submit))
        self.index += 1
        self.entered_at = now
        return Transition(self.index, self.step.status, now)

    def cancel(self, now: float) -> Transition:
        """A cancel request arrived: ``model.cancelling`` for the timeline's delay, then
        ``model.cancelled`` (at once when the model has no cancelling status)."""
        if not self.can_cancel:
            raise TimelineError(f"cannot cancel a {self.model.noun} in status {self.status}")
        cancelled = self.model.cancelled
        assert cancelled is not None  # can_cancel says so
        if self.model.cancelling is None:
            return self._enter_new(Step(cancelled), now)
        del self.steps[self.index + 1 :]
        self.steps.append(Step(self.model.cancelling, self._cancel_delay))
        self.steps.append(Step(cancelled))
        self.index += 1
        self.entered_at = now
        return Transition(self.index, self.model.cancelling, now)

    def _enter_new(self, step: Step, at: float) -> Transition:
        del self.steps[self.index + 1 :]
        self.steps.append(step)
        self.index += 1
        self.entered_at = at
        return Transition(self.index, step.status, at)

    def next_change(self) -> float | None:
        """The virtual time of the next transition due to time alone (``None``: none is due)."""
        if self.steps[self.index].status in self.model.final:
            return None
        due, expiry = self._due(), self._expiry()
        if expiry is not None:
            due = expiry if due is None else min(due, expiry)
        return due
