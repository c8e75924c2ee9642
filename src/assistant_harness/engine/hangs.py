"""Turn the commonest polling bugs into fast, readable failures, and keep busy pollers moving.

* A loop that keeps fetching a run that can no longer change (a terminal status) raises
  :class:`~.errors.HangDetected` once it passes a limit of polls or virtual seconds, naming the run,
  its status, how often and for how long it was polled, and the likely bug.
* A listing fetched again and again with the same cursor and the same answer raises it too.
* A poller that never sleeps (or sleeps in a way the fake cannot see) still sees its run progress:
  from the third fetch of a run at the same virtual moment on, each fetch moves the clock by the
  poll interval, so the same scenario reaches the same outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import HangDetected

if TYPE_CHECKING:
    from ..apis.assistants.runs import RunState
    from ..http.messages import ApiRequest, ApiResponse
    from .clock import VirtualClock

#: Fetches of one run at one virtual moment before the clock starts moving by itself.
BUSY_POLLS = 3
#: Fetches of a finished run before the virtual-time limit can call it a loop.
MIN_LOOP_POLLS = 5


@dataclass(frozen=True, slots=True)
class HangLimits:
    """When polling something that cannot change counts as a hang: past ``polls`` fetches, or past
    ``seconds`` of virtual time, after it stopped changing (whichever comes first)."""

    polls: int = 100
    seconds: float = 600.0


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

    def before_run_fetch(self, run: RunState) -> None:
        """A run is about to be fetched: keep a poller that never sleeps moving."""
        now = self.clock.elapsed()
        if run.last_poll_at == now:
            run.same_moment_polls += 1
            if run.same_moment_polls >= BUSY_POLLS and self.poll_step and not run.progress.is_final:
                self.clock.advance(self.poll_step)
        else:
            run.same_moment_polls = 1
        run.last_poll_at = self.clock.elapsed()

    def after_run_fetch(self, run: RunState) -> None:
        """A run was fetched: raise if the code keeps polling it after it became final."""
        run.polls += 1
        status = run.obj["status"]
        model = run.progress.model
        if self.limits is None or status not in model.final:
            return
        run.polls_after_final += 1
        now = self.clock.elapsed()
        if run.first_final_poll_at is None:
            run.first_final_poll_at = now
            return
        waited = now - run.first_final_poll_at
        # The time limit needs a loop, not two fetches far apart: a few polls at least.
        looping = run.polls_after_final >= MIN_LOOP_POLLS
        if run.polls_after_final > self.limits.polls or (looping and waited > self.limits.seconds):
            raise HangDetected(
                f"Run {run.obj['id']} has been '{status}' since {run.history[-1][1]:g} virtual seconds, yet "
                f"it was polled {run.polls_after_final} times over {waited:g} virtual seconds after that "
                f"({run.polls} polls in all): this loop does not stop on '{status}'. A polling loop must "
                f"stop on every final status: {', '.join(sorted(model.final))}"
                + (f" (and handle {model.waiting})" if model.waiting else "")
                + ". Limits: "
                "FakeAssistants(hang_limits=HangLimits(polls=..., seconds=...)), or None to switch off."
            )

    def after_listing(self, request: ApiRequest, response: ApiResponse) -> None:
        """A list was fetched: raise if the same cursor keeps giving the same page."""
        if self.limits is None:
            return
        key = (request.path, tuple(sorted(request.query.items())))
        answer = hash(response.content)
        seen = self._listings.setdefault(key, _Listing())
        seen.repeats = seen.repeats + 1 if seen.answer == answer else 1
        seen.answer = answer
        if seen.repeats > self.limits.polls:
            query = "&".join(f"{k}={v}" for k, v in key[1])
            raise HangDetected(
                f"GET {request.path}{'?' + query if query else ''} was fetched {seen.repeats} times with the "
                "same cursor and got the same page each time: this loop does not advance its cursor. "
                "Pass the last id of a page as `after` (or use the SDK's auto-pagination), and stop when "
                "has_more is false."
            )
