"""Property tests that find the three bug classes of batch readers (batch_pipelines.py), each in about
a second, shrink them to the simplest batch that breaks the reader, and pass on the fixed reader.

The property: whatever way the batch ends (completed with failures, all failed, expired or cancelled
part way), every request the pipeline submitted is either answered or kept for a retry, exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from assistant_harness import FakeOpenAI, Scenario
from assistant_harness.testing.job_strategies import batch_scenarios

from . import batch_pipelines as pipelines

FAST = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
CLIENT = openai.OpenAI(api_key="sk-test")
REQUESTS = 6
# Hypothesis searches and shrinks four times: left out of the default run (pytest -m slow runs them, and CI).
pytestmark = pytest.mark.slow
ALL = {f"q{i}" for i in range(REQUESTS)}
Reader = Callable[[openai.OpenAI, Any], tuple[set[str], set[str]]]


def every_request_is_accounted_for(read: Reader, failing: list[Scenario]) -> Callable[[], None]:
    @FAST
    @given(scenario=batch_scenarios(outcomes=("completed", "expired", "cancelled")))
    def prop(scenario: Scenario) -> None:
        failing.append(scenario)
        with FakeOpenAI(scenario):
            batch = pipelines.wait(CLIENT, pipelines.submit(CLIENT, REQUESTS))
            done, retry = read(CLIENT, batch)
        assert done | retry == ALL and not done & retry, f"{batch.status}: answered {done}, to retry {retry}"
        failing.pop()

    return prop


def test_the_fixed_reader_accounts_for_every_request() -> None:
    every_request_is_accounted_for(pipelines.answers, [])()


@pytest.mark.parametrize(
    ("reader", "what_the_shrunk_batch_shows"),
    [
        # An expired batch that finished some requests (the first share tried: half).
        (
            pipelines.answers_dropping_partial_output,
            lambda batch: batch.status == "expired" and batch.output_file_id,
        ),
        # A batch with an error file (failed requests, or requests an expiry left unrun).
        (pipelines.answers_losing_failed_requests, lambda batch: batch.error_file_id is not None),
        # A batch with no output file at all.
        (pipelines.answers_assuming_an_output_file, lambda batch: batch.output_file_id is None),
    ],
)
def test_each_buggy_reader_is_found_and_shrunk(reader: Reader, what_the_shrunk_batch_shows: Any) -> None:
    failing: list[Scenario] = []
    with pytest.raises((AssertionError, ValueError)):  # ValueError: the SDK refuses a None file id
        every_request_is_accounted_for(reader, failing)()
    scenario = failing[-1]  # the shrunk example Hypothesis reports last
    assert all(step.duration in (None, 0) for step in scenario.batches[0].timeline.steps)  # zero durations
    assert len(scenario.batches[0].lines) <= 1  # at most one failing rule is needed
    with FakeOpenAI(scenario):
        batch = pipelines.wait(CLIENT, pipelines.submit(CLIENT, REQUESTS))
    assert what_the_shrunk_batch_shows(batch), scenario
