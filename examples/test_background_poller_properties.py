"""Property tests that find the three bug classes of background-mode pollers (background_pollers.py)
in well under a second each, shrink them to the shortest timeline, and pass on the fixed code.

1. Not handling ``incomplete``: the fake's hang detection stops the endless loop (HangDetected).
2. A deadline that never cancels: the response is left running after the poller gave up.
3. A resume that replays events twice: the text read differs from the response's text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeOpenAI, HangDetected, HangLimits, Scenario, Timeline
from assistant_harness.testing.response_strategies import response_scenarios, response_timelines

from . import background_pollers as pollers

FAST = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
CLIENT = openai.OpenAI(api_key="sk-test")


@pytest.fixture(scope="module", autouse=True)
def _sdk_warmed_up() -> None:
    """The budget is for finding the bug, not for the SDK's one-time imports."""
    with FakeOpenAI():
        pollers.start(CLIENT)
        list(CLIENT.responses.create(model="gpt-4o", input="hi", background=True, stream=True))


def returns_a_final_response(wait: Callable[..., Any], failing: list[Any]) -> Callable[[], None]:
    """Property: whatever way the response ends, the poller returns it, final."""

    @FAST
    @given(timeline=response_timelines(max_duration=10))
    def prop(timeline: Timeline) -> None:
        failing.append(timeline)
        # A short hang limit: a loop that cannot stop is told so after 10 polls, not 100.
        with FakeOpenAI(response_timeline=timeline, hang_limits=HangLimits(polls=10)):
            response = pollers.start(CLIENT)
            try:
                assert wait(CLIENT, response.id).status in pollers.FINAL
            except HangDetected as hang:  # an interrupt (it escapes `except Exception`): Hypothesis
                raise AssertionError(str(hang)) from None  # shrinks failures, so report it as one
        failing.pop()

    return prop


def never_leaves_a_response_running(wait: Callable[..., Any], failing: list[Any]) -> Callable[[], None]:
    """Property: when the poller gives up at its deadline, the response does not run on."""

    @FAST
    @given(timeline=response_timelines(max_duration=20, stuck=True))
    def prop(timeline: Timeline) -> None:
        failing.append(timeline)
        with FakeOpenAI(response_timeline=timeline) as fake:
            response = pollers.start(CLIENT)
            if wait(CLIENT, response.id, timeout=10.0) is None:
                status = fake.response(response.id).status
                assert status in pollers.FINAL, f"gave up but left {response.id} {status}"
        failing.pop()

    return prop


def reads_each_event_once(read: Callable[..., str], failing: list[Any]) -> Callable[[], None]:
    """Property: after drops and resumptions, the text read is the response's text, once."""

    @FAST
    @given(
        scenario=response_scenarios(
            max_tool_rounds=0, max_faults=0, stream_faults=("end",), outcomes=("completed",), max_duration=5
        )
    )
    def prop(scenario: Scenario) -> None:
        failing.append(scenario)
        with FakeOpenAI(scenario) as fake:
            text = read(CLIENT)
            (response,) = fake.responses
            expected = "".join(p["text"] for item in response.obj["output"] for p in item["content"])
            assert text == expected, f"read {text!r}, the response says {expected!r}"
        failing.pop()

    return prop


def test_not_handling_incomplete_is_found_as_a_hang() -> None:
    failing: list[Timeline] = []
    started = time.process_time()  # CPU time: the machine's load does not count against the budget
    with pytest.raises(AssertionError, match=r"this loop does not stop on 'incomplete'"):
        returns_a_final_response(pollers.wait_for_response, failing)()
    assert time.process_time() - started < 1.0
    shortest = failing[-1]
    assert [s.status for s in shortest.steps] == ["queued", "in_progress", "incomplete"]
    assert [s.duration for s in shortest.steps[:-1]] == [0, 0]


def test_a_deadline_that_never_cancels_is_found() -> None:
    failing: list[Timeline] = []
    started = time.process_time()
    with pytest.raises(AssertionError, match=r"gave up but left resp_\w+ (queued|in_progress)"):
        never_leaves_a_response_running(pollers.wait_with_deadline, failing)()
    assert time.process_time() - started < 1.0
    # The shortest case: still running at the 10-second deadline (e.g. in_progress for 11 s).
    steps = failing[-1].steps
    running = [s for s in steps if s.status in ("queued", "in_progress")]
    assert sum(s.duration if s.duration is not None else float("inf") for s in running) > 10
    assert len(steps) <= 3, steps


def test_a_resume_that_replays_events_twice_is_found() -> None:
    failing: list[Scenario] = []
    started = time.process_time()
    with pytest.raises(AssertionError, match=r"read 'Done\.Done\.', the response says 'Done\.'"):
        reads_each_event_once(pollers.stream_text, failing)()
    assert time.process_time() - started < 1.0
    (fault,) = failing[-1].faults
    assert fault.stream == "end"
    text = repr(failing[-1])  # prints as a scenario file, to save and replay
    assert "responses:" in text and "after_events:" in text


@pytest.mark.parametrize(
    ("make", "fixed"),
    [
        (returns_a_final_response, pollers.fixed_wait_for_response),
        (never_leaves_a_response_running, pollers.fixed_wait_with_deadline),
        (reads_each_event_once, pollers.fixed_stream_text),
    ],
    ids=["incomplete", "deadline", "resume"],
)
def test_the_fixed_pollers_pass_the_same_properties(make: Any, fixed: Any) -> None:
    make(fixed, [])()


def test_the_strategies_draw_what_the_properties_need() -> None:
    """Each property could fail: its strategy does draw the case the bug needs."""
    seen: set[str] = set()

    @FAST
    @given(timeline=response_timelines(max_duration=10, stuck=True))
    def outcomes(timeline: Timeline) -> None:
        seen.add(timeline.steps[-1].status if timeline.steps[-1].duration is None else "stuck")

    outcomes()
    assert {"incomplete", "queued"} <= seen
    assert st is not None
