"""The lifecycle engine: timeline validation, and where a run stands as time and events move it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_harness import Step, Timeline, TimelineError
from assistant_harness.apis.assistants.statuses import RUN_MODEL
from assistant_harness.engine import lifecycle as lc


def progress_of(timeline: Timeline, started_at: float, *, expires_at: float | None = None) -> lc.Progress:
    return lc.Progress(timeline, started_at, model=RUN_MODEL, expires_at=expires_at)


def test_a_plain_timeline_advances_with_time() -> None:
    progress = progress_of(Timeline.of(("queued", 1), ("in_progress", 2), "completed"), started_at=10)
    assert progress.advance(10.5) == []
    assert [(t.status, t.at) for t in progress.advance(13)] == [("in_progress", 11), ("completed", 13)]
    assert progress.is_terminal and progress.advance(1000) == []


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([Step("completed"), Step("queued", 1)], "steps[0]: completed is final (a run never leaves it)"),
        (
            [Step("queued", 1), Step("requires_action")],
            "steps[1]: a run cannot go from queued to requires_action",
        ),
        ([Step("queued"), Step("in_progress", 1), Step("completed")], "steps[0]: queued has no duration"),
    ],
)
def test_impossible_timelines_are_rejected_naming_the_step(steps: list[Step], message: str) -> None:
    with pytest.raises(TimelineError, match=re.escape(message)):
        Timeline(steps, model=RUN_MODEL)


def test_unknown_status_and_negative_duration() -> None:
    with pytest.raises(
        TimelineError, match="steps\\[1\\]: unknown status 'done'; a run status is one of: cancelled"
    ):
        Timeline([Step("queued", 1), Step("done")], model=RUN_MODEL)
    unbound = Timeline([Step("done")])  # checked when a fake binds it
    with pytest.raises(TimelineError, match="unknown status 'done'"):
        unbound.bind(RUN_MODEL)
    with pytest.raises(TimelineError, match="negative duration"):
        Step("queued", -1)


def test_requires_action_waits_for_the_submission() -> None:
    timeline = Timeline(
        [Step("in_progress", 1), Step("requires_action", 5), Step("in_progress", 1), Step("completed")]
    )
    progress = progress_of(timeline, 0)
    progress.advance(100)
    assert progress.status == "requires_action"
    assert progress.submit(100).status == "in_progress"
    progress.advance(101)
    assert progress.status == "completed"


def test_requires_action_expires_at_the_deadline() -> None:
    timeline = Timeline([Step("in_progress", 1), Step("requires_action")])
    progress = progress_of(timeline, 0, expires_at=600)
    assert progress.next_change() == 1
    progress.advance(599)
    assert progress.status == "requires_action" and progress.next_change() == 600
    (expired,) = progress.advance(600)
    assert (expired.status, expired.at) == ("expired", 600)


@pytest.mark.parametrize(
    "timeline",
    [
        Timeline([Step("in_progress")]),
        Timeline([Step("queued", 1), Step("in_progress", float("inf")), Step("completed")]),
        Timeline([Step("in_progress", 1), Step("cancelling", 10_000), Step("cancelled")]),
        Timeline.of(("queued", 1), ("in_progress", 900), "completed"),
    ],
)
def test_every_unfinished_status_expires_at_the_deadline(timeline: Timeline) -> None:
    progress = progress_of(timeline, 0, expires_at=600)
    assert progress.next_change() is not None and progress.next_change() <= 600  # type: ignore[operator]
    progress.advance(10_000)
    assert (progress.status, progress.entered_at, progress.next_change()) == ("expired", 600, None)


def test_a_timeline_that_never_expires_holds_for_ever() -> None:
    stuck = Timeline([Step("queued", 1), Step("in_progress")], expires=False)
    progress = progress_of(stuck, 0, expires_at=600)
    assert [t.status for t in progress.advance(10_000)] == ["in_progress"]
    assert progress.status == "in_progress" and progress.next_change() is None and not progress.is_final
    assert repr(stuck) == "Timeline[queued(1s), in_progress; never expires]"
    assert stuck != Timeline([Step("queued", 1), Step("in_progress")])


def test_an_infinite_duration_is_no_change_due() -> None:
    timeline = Timeline([Step("in_progress", float("inf")), Step("completed")], expires=False)
    progress = progress_of(timeline, 0, expires_at=600)
    assert progress.next_change() is None and progress.advance(1e12) == []


def test_cancel_goes_through_cancelling() -> None:
    progress = progress_of(Timeline.of(("queued", 1), ("in_progress", 100), "completed", cancel_delay=2), 0)
    progress.advance(5)
    assert progress.cancel(5).status == "cancelling"
    assert [(t.status, t.at) for t in progress.advance(10)] == [("cancelled", 7)]
    with pytest.raises(TimelineError, match="cannot cancel a run in status cancelled"):
        progress.cancel(10)


def test_submit_outside_requires_action_is_refused() -> None:
    with pytest.raises(TimelineError, match="cannot submit an action to a run in status queued"):
        progress_of(Timeline.of(("queued", 1), ("in_progress", 1), "completed"), 0).submit(0)


def test_timeline_ending_on_requires_action_completes_after_the_submission() -> None:
    progress = progress_of(Timeline([Step("in_progress", 1), Step("requires_action")]), 0)
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
    progress = progress_of(timeline, 0, expires_at=600)
    last_at, now = 0.0, 0.0
    for moment in sorted(moments):
        if cancel_at is not None and now <= cancel_at <= moment and not progress.is_terminal:
            progress.advance(cancel_at)
            if progress.can_cancel:
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


# -- the StatusModel: the engine knows no API's vocabulary -------------------------------------

#: A model shaped like background responses: no waiting, no cancelling, no expiry.
TOY = lc.StatusModel(
    noun="job",
    moves={"queued": frozenset({"running", "done", "broken"}), "running": frozenset({"done", "broken"})},
    final=frozenset({"done", "broken", "stopped"}),
    cancelled="stopped",
)


def test_a_model_without_cancelling_cancels_at_once() -> None:
    progress = lc.Progress(Timeline.of(("queued", 1), ("running", 5), "done"), 0, model=TOY, expires_at=2)
    progress.advance(3)
    assert progress.status == "running" and progress.next_change() == 6  # no expiry in this model
    assert (progress.cancel(3).status, progress.is_final) == ("stopped", True)


def test_a_model_without_a_waiting_status_refuses_submissions() -> None:
    progress = lc.Progress(Timeline.of(("running", 1), "done"), 0, model=TOY)
    with pytest.raises(TimelineError, match="cannot submit an action to a job in status running"):
        progress.submit(0)


def test_timelines_are_checked_against_the_model_they_are_bound_to() -> None:
    with pytest.raises(TimelineError, match="steps\\[1\\]: a job cannot go from running to queued"):
        Timeline.of(("running", 1), "queued", model=TOY)
    with pytest.raises(TimelineError, match="unknown status 'in_progress'; a job status is one of"):
        lc.Progress(Timeline.of(("in_progress", 1), "done"), 0, model=TOY)
    assert TOY.statuses == {"queued", "running", "done", "broken", "stopped"}


def test_a_model_that_cannot_be_cancelled() -> None:
    model = lc.StatusModel(
        noun="file",
        moves={"in_progress": frozenset({"completed"})},
        final=frozenset({"completed"}),
        initial="in_progress",
        cancelled=None,
    )
    progress = lc.Progress(Timeline.of(("in_progress", 1), "completed"), 0, model=model)
    assert not progress.can_cancel
    with pytest.raises(TimelineError, match="cannot cancel a file in status in_progress"):
        progress.cancel(0)


def test_impossible_models_are_refused() -> None:
    with pytest.raises(ValueError, match="done is final, so it has no moves"):
        lc.StatusModel(noun="x", moves={"done": frozenset({"done"})}, final=frozenset({"done"}))
    with pytest.raises(ValueError, match="the expired status 'late' must be final"):
        lc.StatusModel(noun="x", moves={}, final=frozenset({"done"}), cancelled=None, expired="late")


def test_assistants_tables_cover_the_run_model() -> None:
    from assistant_harness.apis.assistants import statuses

    assert set(statuses.OUTCOMES) == RUN_MODEL.final
    assert set(statuses.STYLE) | set(statuses.TIMESTAMP_OF) | set(statuses.STEP_KEYS) <= RUN_MODEL.statuses
    assert RUN_MODEL.waiting in statuses.STEP_KEYS and RUN_MODEL.final - statuses.STYLE.keys() == set()


def _reference_advance(progress: lc.Progress, now: float) -> list[tuple[int, str, float]]:
    """The loop ``advance`` runs, without its early return for polls between changes."""
    passed = []
    while progress.status not in progress.model.final:
        due, expiry = progress._due(), progress._expiry()
        if expiry is not None and expiry <= now and (due is None or expiry < due):
            expired = Step(RUN_MODEL.expired or "")
            passed.append(progress._enter_new(expired, max(expiry, progress.entered_at)))
            break
        if due is None or due > now:
            break
        progress.index += 1
        progress.entered_at = due
        passed.append(lc.Transition(progress.index, progress.status, due))
    return [(t.index, t.status, t.at) for t in passed]


@given(
    st.lists(st.floats(0.1, 5), min_size=2, max_size=4),
    st.lists(st.floats(0, 3), min_size=1, max_size=12),
    st.one_of(st.none(), st.floats(0, 20)),
)
def test_polls_between_changes_see_what_the_full_loop_sees(
    durations: list[float], gaps: list[float], expires_at: float | None
) -> None:
    """``advance`` returns early when nothing can be due: it must agree with the full loop everywhere."""
    statuses = ["queued"] + ["in_progress"] * (len(durations) - 1)
    timeline = Timeline([*(Step(s, d) for s, d in zip(statuses, durations, strict=True)), Step("completed")])
    fast = progress_of(timeline, 0, expires_at=expires_at)
    slow = progress_of(timeline, 0, expires_at=expires_at)
    now = 0.0
    for gap in gaps:
        now += gap
        assert [(t.index, t.status, t.at) for t in fast.advance(now)] == _reference_advance(slow, now)
        assert (fast.index, fast.entered_at, fast.status) == (slow.index, slow.entered_at, slow.status)
