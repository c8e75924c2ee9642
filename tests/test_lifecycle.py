"""The lifecycle engine: timeline validation, and where a run stands as time and events move it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_harness import Step, Timeline, TimelineError
from assistant_harness.engine import lifecycle as lc


def test_a_plain_timeline_advances_with_time() -> None:
    progress = lc.Progress(Timeline.of(("queued", 1), ("in_progress", 2), "completed"), started_at=10)
    assert progress.advance(10.5) == []
    assert [(t.status, t.at) for t in progress.advance(13)] == [("in_progress", 11), ("completed", 13)]
    assert progress.is_terminal and progress.advance(1000) == []


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([Step("completed"), Step("queued", 1)], "steps[0]: completed is terminal"),
        (
            [Step("queued", 1), Step("requires_action")],
            "steps[1]: a run cannot go from queued to requires_action",
        ),
        ([Step("queued"), Step("in_progress", 1), Step("completed")], "steps[0]: queued has no duration"),
    ],
)
def test_impossible_timelines_are_rejected_naming_the_step(steps: list[Step], message: str) -> None:
    with pytest.raises(TimelineError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Timeline(steps)


def test_unknown_status_and_negative_duration() -> None:
    with pytest.raises(TimelineError, match="unknown status 'done'"):
        Step("done")
    with pytest.raises(TimelineError, match="negative duration"):
        Step("queued", -1)


def test_requires_action_waits_for_the_submission() -> None:
    timeline = Timeline(
        [Step("in_progress", 1), Step("requires_action", 5), Step("in_progress", 1), Step("completed")]
    )
    progress = lc.Progress(timeline, 0)
    progress.advance(100)
    assert progress.status == "requires_action"
    assert progress.submit(100).status == "in_progress"
    progress.advance(101)
    assert progress.status == "completed"


def test_requires_action_expires_at_the_deadline() -> None:
    timeline = Timeline([Step("in_progress", 1), Step("requires_action")])
    progress = lc.Progress(timeline, 0, expires_at=600)
    assert progress.next_change() == 1
    progress.advance(599)
    assert progress.status == "requires_action" and progress.next_change() == 600
    (expired,) = progress.advance(600)
    assert (expired.status, expired.at) == ("expired", 600)


def test_in_progress_does_not_expire_by_default() -> None:
    progress = lc.Progress(Timeline([Step("in_progress")]), 0, expires_at=600)
    assert progress.advance(10_000) == [] and progress.status == "in_progress"


def test_cancel_goes_through_cancelling() -> None:
    progress = lc.Progress(Timeline.of(("queued", 1), ("in_progress", 100), "completed", cancel_delay=2), 0)
    progress.advance(5)
    assert progress.cancel(5).status == "cancelling"
    assert [(t.status, t.at) for t in progress.advance(10)] == [("cancelled", 7)]
    with pytest.raises(TimelineError, match="cannot cancel a run in status cancelled"):
        progress.cancel(10)


def test_submit_outside_requires_action_is_refused() -> None:
    with pytest.raises(TimelineError, match="cannot submit an action to a run in status queued"):
        lc.Progress(Timeline.of(("queued", 1), ("in_progress", 1), "completed"), 0).submit(0)


def test_timeline_ending_on_requires_action_completes_after_the_submission() -> None:
    progress = lc.Progress(Timeline([Step("in_progress", 1), Step("requires_action")]), 0)
    progress.advance(2)
    assert progress.submit(2).status == "completed"


ACTIVE_STEPS = st.sampled_from(["queued", "in_progress"])


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    """Valid timelines: queued/in_progress/requires_action rounds, then a terminal or stuck step."""
    steps = [Step("queued", draw(st.floats(0, 30)))]
    for _ in range(draw(st.integers(0, 3))):
        steps += [
            Step("in_progress", draw(st.floats(0, 30))),
            Step("requires_action"),
            Step("queued", draw(st.floats(0, 5))),
        ]
    ending = draw(st.sampled_from(["completed", "failed", "incomplete", "stuck"]))
    if ending == "stuck":
        steps.append(Step("in_progress"))
    else:
        steps += [Step("in_progress", draw(st.floats(0, 30))), Step(ending)]
    return Timeline(steps)


@given(
    timeline=timelines(),
    moments=st.lists(st.floats(0, 2000), min_size=1, max_size=30),
    cancel_at=st.none() | st.floats(0, 2000),
)
def test_time_never_runs_backwards_and_terminal_is_final(
    timeline: Timeline, moments: list[float], cancel_at: float | None
) -> None:
    progress = lc.Progress(timeline, 0, expires_at=600)
    last_at, now = 0.0, 0.0
    for moment in sorted(moments):
        if cancel_at is not None and now <= cancel_at <= moment and not progress.is_terminal:
            progress.advance(cancel_at)
            if not progress.is_terminal:
                progress.cancel(cancel_at)
        was_terminal = progress.is_terminal
        status_before = progress.status
        if progress.status == "requires_action" and moment < 600:
            progress.submit(moment)
        for transition in progress.advance(moment):
            assert transition.at >= last_at and transition.at <= moment
            last_at = transition.at
        if was_terminal:
            assert progress.status == status_before
        now = moment
