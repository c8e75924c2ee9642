"""Turn the commonest polling bugs into fast, readable failures, and keep busy pollers moving.

* A loop that keeps fetching an object that can no longer change raises
  :class:`~.errors.HangDetected` once it passes a limit of polls or virtual seconds, naming the
  object, its status, how often and for how long it was polled, and the likely bug: a final status
  the loop does not stop on, or (for an object scripted to hang for ever) a loop with no deadline.
* A listing fetched again and again with the same cursor and the same answer raises it too.
* A poller that never sleeps (or sleeps in a way the fake cannot see) still sees its object
  progress: from the third fetch of it at the same virtual moment on, each fetch moves the clock by
  the poll interval, so the same scenario reaches the same outcome.

Nothing here knows an API: what is final, what waits for the client and when the next change is
due come from the object's :class:`~.lifecycle.Progress` and its :class:`~.lifecycle.StatusModel`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import HangDetected

if TYPE_CHECKING:
    from .clock import VirtualClock
    from .lifecycle import Progress

#: Fetches of one object at one virtual moment before the clock starts moving by itself.
BUSY_POLLS = 3
#: Fetches of an unchanging object before the virtual-time limit can call it a loop.
MIN_LOOP_POLLS = 5
#: How many poll intervals one busy fetch may move the clock at most (see ``_busy_step``).
BUSY_GROWTH = 64.0
#: Listings (path and query) remembered at once; past it those fetched once are forgotten. A loop stuck
#: on one cursor fetches the same listing over and over, and a long-lived fake (serve) does not grow
#: by every listing it ever answered.
LISTINGS_KEPT = 256

LIMITS_HINT = "Limits: FakeAssistants(hang_limits=HangLimits(polls=..., seconds=...)), or None to switch off."


@dataclass(frozen=True, slots=True)
class HangLimits:
    """When polling something that cannot change counts as a hang: past ``seconds`` of virtual time
    after it stopped changing, or, once it is final, past ``polls`` fetches (whichever comes first)."""

    polls: int = 100
    seconds: float = 600.0


@dataclass(slots=True)
class PollRecord:
    """How one object has been fetched (the object keeps it; the detector updates it)."""

    polls: int = 0
    #: Fetches since the object could no longer change, and the virtual moment of the first one.
    polls_unchanging: int = 0
    first_unchanging_poll_at: float | None = None
    #: For busy-poll detection: the virtual moment of the last fetch, and fetches at that moment.
    last_poll_at: float | None = None
    same_moment_polls: int = 0


class Polled(Protocol):
    """What hang detection needs of a fetched object: its id, its progress and its poll record."""

    @property
    def id(self) -> str: ...

    @property
    def progress(self) -> Progress: ...

    @property
    def polling(self) -> PollRecord: ...


class Pollable:
    """The polling properties every polled object shares (a mixin for an API's state dataclass with
    an ``obj`` holding the API object and a ``polling`` :class:`PollRecord`)."""

    __slots__ = ()
    obj: dict[str, Any]
    polling: PollRecord

    @property
    def id(self) -> str:
        return str(self.obj["id"])

    @property
    def polls(self) -> int:
        """How often the object was fetched."""
        return self.polling.polls

    @property
    def polls_after_final(self) -> int:
        """How often the object was fetched after it could no longer change."""
        return self.polling.polls_unchanging


@dataclass(slots=True)
class _Listing:
    answer: int = 0
    repeats: int = 0


@dataclass(slots=True)
class HangDetector:
    limits: HangLimits | None
    clock: VirtualClock
    poll_step: float
    _listings: dict[tuple[str, tuple[tuple[str, str], ...]], _Listing] = field(default_factory=dict)
    #: Say why nothing the fake sends can arrive any more (None: nothing is awaited); an API that
    #: pushes to the test (webhooks) adds one. A sleep loop with nothing due asks them.
    idle_reasons: list[Callable[[], str | None]] = field(default_factory=list)
    _idle_since: float | None = None
    _idle_sleeps: int = 0

    def saw_request(self) -> None:
        """The code under test talked to the fake: it is not only waiting."""
        self._idle_since = None

    def after_sleep(self, seconds: float, anything_due: bool) -> None:
        """The code under test slept: a loop of sleeps with no request and nothing due on the clock
        waits for something that cannot come (a webhook never sent), past the virtual-time limit."""
        if anything_due or self.limits is None or not self.idle_reasons:
            self._idle_since = None
            return
        now = self.clock.elapsed()
        if self._idle_since is None:
            self._idle_since, self._idle_sleeps = now - seconds, 0
        self._idle_sleeps += 1
        waited = now - self._idle_since
        if self._idle_sleeps < MIN_LOOP_POLLS or waited <= self.limits.seconds:
            return
        reasons = [reason for find in self.idle_reasons if (reason := find()) is not None]
        if reasons:
            self._idle_since = None
            raise HangDetected(
                f"The code slept {self._idle_sleeps} times over {waited:g} virtual seconds without a "
                f"request to the fake, with nothing due on the virtual clock: {'; '.join(reasons)}. "
                f"This wait has no deadline: give it one (and poll the response as a fallback). {LIMITS_HINT}"
            )

    def before_fetch(self, subject: Polled) -> None:
        """An object is about to be fetched: keep a poller that never sleeps moving."""
        record = subject.polling
        now = self.clock.elapsed()
        if record.last_poll_at == now:
            record.same_moment_polls += 1
            if record.same_moment_polls >= BUSY_POLLS and self.poll_step and not subject.progress.is_final:
                self.clock.advance(self._busy_step(subject, record.same_moment_polls - BUSY_POLLS))
        else:
            record.same_moment_polls = 1
        record.last_poll_at = self.clock.elapsed()

    def _busy_step(self, subject: Polled, busy: int) -> float:
        """How far one fetch of a poller that never sleeps moves the clock: the poll interval, doubling
        with each further busy fetch (up to BUSY_GROWTH times), never past the object's next change, so
        it sees every status a sleeping poller would, and reaches a far one in a few dozen fetches."""
        step = self.poll_step * min(2.0**busy, BUSY_GROWTH)
        due = subject.progress.next_change()
        until = None if due is None else due - self.clock.elapsed()
        return step if until is None or until <= 0 else min(step, until)

    def after_fetch(self, subject: Polled) -> None:
        """An object was fetched: raise if the code keeps polling it after it stopped changing."""
        record = subject.polling
        record.polls += 1
        progress = subject.progress
        if self.limits is None or not (progress.is_final or progress.next_change() is None):
            record.polls_unchanging = 0
            record.first_unchanging_poll_at = None
            return
        record.polls_unchanging += 1
        now = self.clock.elapsed()
        if record.first_unchanging_poll_at is None:
            record.first_unchanging_poll_at = now
            return
        waited = now - record.first_unchanging_poll_at
        # The time limit needs a loop, not two fetches far apart: a few polls at least.
        looping = record.polls_unchanging >= MIN_LOOP_POLLS
        # The poll limit is for finished objects only: a deadline loop polling every second or two
        # an object stuck for ever must reach its own deadline (a few hundred virtual seconds) first.
        # A loop that never sleeps still ends, since busy polls move the clock.
        counted = progress.is_final and record.polls_unchanging > self.limits.polls
        if counted or (looping and waited > self.limits.seconds):
            raise HangDetected(_message(subject, waited))

    def after_listing(self, path: str, query: Mapping[str, str], content: bytes) -> None:
        """A list was fetched: raise if the same cursor keeps giving the same page."""
        if self.limits is None:
            return
        key = (path, tuple(sorted(query.items())))
        answer = hash(content)
        seen = self._listings.get(key)
        if seen is None:
            if len(self._listings) >= LISTINGS_KEPT:
                # Forget the listings fetched once: a stuck loop's (repeated) survives the other
                # listings fetched meanwhile, however many, unless half the room repeats at once.
                kept = {k: v for k, v in self._listings.items() if v.repeats > 1}
                self._listings = kept if len(kept) < LISTINGS_KEPT // 2 else {}
            seen = self._listings[key] = _Listing()
        seen.repeats = seen.repeats + 1 if seen.answer == answer else 1
        seen.answer = answer
        if seen.repeats > self.limits.polls:
            shown = "&".join(f"{k}={v}" for k, v in key[1])
            raise HangDetected(
                f"GET {path}{'?' + shown if shown else ''} was fetched {seen.repeats} times with the "
                "same cursor and got the same page each time: this loop does not advance its cursor. "
                "Pass the last id of a page as `after` (or use the SDK's auto-pagination), and stop when "
                "has_more is false."
            )


def _message(subject: Polled, waited: float) -> str:
    progress, record = subject.progress, subject.polling
    model, status = progress.model, progress.status
    polled = (
        f"yet it was polled {record.polls_unchanging} times over {waited:g} virtual seconds after that "
        f"({record.polls} polls in all)"
    )
    head = (
        f"{model.noun.capitalize()} {subject.id} has been '{status}' "
        f"since {progress.entered_at:g} virtual seconds"
    )
    if progress.is_final:
        waiting = f" (and handle {model.waiting})" if model.waiting else ""
        return (
            f"{head}, {polled}: this loop does not stop on '{status}'. A polling loop must stop on every "
            f"final status: {', '.join(sorted(model.final))}{waiting}. {LIMITS_HINT}"
        )
    if progress.is_waiting:
        return (
            f"{head} and waits for the client, {polled}: this loop does not handle '{status}' (and has no "
            f"deadline). Submit what the {model.noun} waits for, or give the loop a deadline. {LIMITS_HINT}"
        )
    return (
        f"{head} and can no longer change (its timeline holds it there for ever and never lets it expire), "
        f"{polled}: this loop has no deadline. Give it one (stop polling after so many seconds"
        + (", then cancel" if model.cancelled else "")
        + f"), as a {model.noun} that never finishes would otherwise hang your program. {LIMITS_HINT}"
    )
