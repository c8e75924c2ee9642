"""Hypothesis strategies for code that waits on long-running jobs: batch lifecycles with mixed
request outcomes, and fine-tuning job lifecycles.

Drawn in an order that shrinks well: ``completed`` first, zero durations, no failing requests; a
failing example shrinks to the simplest batch that still breaks the code, and prints as a scenario
file (``batches:``, ``fine_tuning_jobs:``) to save into scenarios/ and replay with
``FakeOpenAI(scenario=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from ..apis.batches import statuses as bs
from ..apis.batches.lines import LineRule
from ..apis.batches.store import BatchScript
from ..apis.fine_tuning import statuses as ft
from ..engine import lifecycle as lc
from ..scenario.model import Scenario

__all__ = [
    "BATCH_OUTCOMES",
    "FAILURE_STATUSES",
    "JOB_OUTCOMES",
    "batch_scenarios",
    "batch_scripts",
    "job_scenarios",
    "job_timelines",
]

#: How a batch can end, simplest first (the order shrinking moves towards).
BATCH_OUTCOMES = (bs.COMPLETED, bs.EXPIRED, bs.CANCELLED, bs.FAILED)
#: The HTTP statuses a drawn request fails with.
FAILURE_STATUSES = (500, 400, 404, 429)
#: The shares of requests an expired or cancelled batch finished.
DONE_SHARES = (0.5, 0.0, 0.25, 0.75, 1.0)


@st.composite
def batch_scripts(
    draw: st.DrawFn, *, outcomes: Sequence[str] = BATCH_OUTCOMES, max_duration: int = 600, max_rules: int = 3
) -> BatchScript:
    """A valid batch script: validating, then (unless it fails validation) in_progress with failing
    requests every n-th (``every: 1`` fails them all), ending as ``outcomes`` allow."""
    outcome = draw(st.sampled_from(list(outcomes)))
    seconds = st.integers(min_value=0, max_value=max_duration)
    steps = [lc.Step(bs.VALIDATING, draw(seconds))]
    if outcome == bs.FAILED:
        error = {
            "code": "invalid_json_line",
            "message": "This line is not parseable as valid JSON.",
            "line": 1,
            "param": None,
        }
        return BatchScript(
            lc.Timeline([*steps, lc.Step(bs.FAILED, payload={"error": error})], model=bs.BATCH_MODEL)
        )
    rules = tuple(
        LineRule(every=every, status=status)
        for every, status in draw(
            st.lists(
                st.tuples(st.integers(min_value=1, max_value=5), st.sampled_from(FAILURE_STATUSES)),
                max_size=max_rules,
            )
        )
    )
    if outcome == bs.EXPIRED:
        steps.append(lc.Step(bs.IN_PROGRESS, payload={"done": draw(st.sampled_from(DONE_SHARES))}))
    elif outcome == bs.CANCELLED:
        share = draw(st.sampled_from(DONE_SHARES))
        steps += [
            lc.Step(bs.IN_PROGRESS, draw(seconds), {"done": share}),
            lc.Step(bs.CANCELLING, draw(seconds)),
            lc.Step(bs.CANCELLED),
        ]
    else:
        steps += [
            lc.Step(bs.IN_PROGRESS, draw(seconds)),
            lc.Step(bs.FINALIZING, draw(seconds)),
            lc.Step(bs.COMPLETED),
        ]
    return BatchScript(lc.Timeline(steps, model=bs.BATCH_MODEL), rules)


@st.composite
def batch_scenarios(
    draw: st.DrawFn, *, outcomes: Sequence[str] = BATCH_OUTCOMES, max_duration: int = 600, max_rules: int = 3
) -> Scenario:
    """A scenario with one drawn ``batches:`` entry (every batch of the test follows it); it prints
    as the file to save."""
    script = draw(batch_scripts(outcomes=outcomes, max_duration=max_duration, max_rules=max_rules))
    last = script.timeline.steps[-1].status
    return Scenario(
        name="generated", batches=(script,), outcome=bs.EXPIRED if last == bs.IN_PROGRESS else last
    )


#: How a fine-tuning job can end, simplest first.
JOB_OUTCOMES = (ft.SUCCEEDED, ft.FAILED, ft.CANCELLED)


@st.composite
def job_timelines(
    draw: st.DrawFn, *, outcomes: Sequence[str] = JOB_OUTCOMES, max_duration: int = 7200
) -> lc.Timeline:
    """A valid fine-tuning job timeline: validating_files, then (unless the files fail) queued and
    running, ending as ``outcomes`` allow; failures and cancels can come at any stage."""
    outcome = draw(st.sampled_from(list(outcomes)))
    seconds = st.integers(min_value=0, max_value=max_duration)
    stages = [ft.VALIDATING_FILES, ft.QUEUED, ft.RUNNING]
    # Succeeded needs every stage; a failure or a cancel comes after one, two or all three.
    reached = 3 if outcome == ft.SUCCEEDED else 3 - draw(st.integers(min_value=0, max_value=2))
    steps = []
    for status in stages[:reached]:
        payload = (
            {"training_steps": draw(st.integers(min_value=1, max_value=20))} if status == ft.RUNNING else {}
        )
        steps.append(lc.Step(status, draw(seconds), payload))
    final: dict[str, object] = {}
    if outcome == ft.FAILED:
        final = {"error": {"code": "server_error", "message": "The job failed.", "param": None}}
    steps.append(lc.Step(outcome, payload=final))
    return lc.Timeline(steps, model=ft.JOB_MODEL)


@st.composite
def job_scenarios(
    draw: st.DrawFn, *, outcomes: Sequence[str] = JOB_OUTCOMES, max_duration: int = 7200
) -> Scenario:
    """A scenario with one drawn ``fine_tuning_jobs:`` entry; it prints as the file to save."""
    timeline = draw(job_timelines(outcomes=outcomes, max_duration=max_duration))
    return Scenario(name="generated", fine_tuning_jobs=(timeline,), outcome=timeline.steps[-1].status)
