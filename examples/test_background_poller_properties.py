"""Property tests that find the three bug classes of background-mode pollers (background_pollers.py)
within a few dozen examples each, shrink them to the shortest timeline, and pass on the fixed code.

1. Not handling ``incomplete``: the fake's hang detection stops the endless loop (HangDetected).
2. A deadline that never cancels: the response is left running after the poller gave up.
3. A resume that replays events twice: the text read differs from the response's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings

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
#: Examples a property may run to find its bug and shrink it (derandomized, so the same count every run).
BUDGET = 40


@dataclass
class Examples:
    """What a property was given: how many examples it ran (finding and shrinking), and the failing ones
    (the last is the shortest). The count, not CPU time, is the budget: it does not depend on the machine."""

    run: int = 0
    failing: list[Any] = field(default_factory=list, repr=False)

    def start(self, example: Any) -> None:
        self.run += 1
        self.failing.append(example)


def returns_a_final_response(wait: Callable[..., Any], examples: Examples) -> Callable[[], None]:
    """Property: whatever way the response ends, the poller returns it, final."""

    @FAST
    @given(timeline=response_timelines(max_duration=10))
    def prop(timeline: Timeline) -> None:
        examples.start(timeline)
        # A short hang limit: a loop that cannot stop is told so after 10 polls, not 100.
        with FakeOpenAI(response_timeline=timeline, hang_limits=HangLimits(polls=10)):
            response = pollers.start(CLIENT)
            try:
                assert wait(CLIENT, response.id).status in pollers.FINAL
            except HangDetected as hang:  # an interrupt (it escapes `except Exception`): Hypothesis
                raise AssertionError(str(hang)) from None  # shrinks failures, so report it as one
        examples.failing.pop()

    return prop


def never_leaves_a_response_running(wait: Callable[..., Any], examples: Examples) -> Callable[[], None]:
    """Property: when the poller gives up at its deadline, the response does not run on."""

    @FAST
    @given(timeline=response_timelines(max_duration=20, stuck=True))
    def prop(timeline: Timeline) -> None:
        examples.start(timeline)
        with FakeOpenAI(response_timeline=timeline) as fake:
            response = pollers.start(CLIENT)
            if wait(CLIENT, response.id, timeout=10.0) is None:
                status = fake.response(response.id).status
                assert status in pollers.FINAL, f"gave up but left {response.id} {status}"
        examples.failing.pop()

    return prop


def reads_each_event_once(read: Callable[..., str], examples: Examples) -> Callable[[], None]:
    """Property: after drops and resumptions, the text read is the response's text, once."""

    @FAST
    @given(
        scenario=response_scenarios(
            max_tool_rounds=0, max_faults=0, stream_faults=("end",), outcomes=("completed",), max_duration=5
        )
    )
    def prop(scenario: Scenario) -> None:
        examples.start(scenario)
        with FakeOpenAI(scenario) as fake:
            text = read(CLIENT)
            (response,) = fake.responses
            expected = "".join(p["text"] for item in response.obj["output"] for p in item["content"])
            assert text == expected, f"read {text!r}, the response says {expected!r}"
        examples.failing.pop()

    return prop


def test_not_handling_incomplete_is_found_as_a_hang() -> None:
    examples = Examples()
    with pytest.raises(AssertionError, match=r"this loop does not stop on 'incomplete'"):
        returns_a_final_response(pollers.wait_for_response, examples)()
    assert examples.run <= BUDGET, f"{examples.run} examples to find it"
    shortest = examples.failing[-1]
    assert [s.status for s in shortest.steps] == ["queued", "in_progress", "incomplete"]
    assert [s.duration for s in shortest.steps[:-1]] == [0, 0]


def test_a_deadline_that_never_cancels_is_found() -> None:
    examples = Examples()
    with pytest.raises(AssertionError, match=r"gave up but left resp_\w+ (queued|in_progress)"):
        never_leaves_a_response_running(pollers.wait_with_deadline, examples)()
    assert examples.run <= BUDGET, f"{examples.run} examples to find it"
    # The shortest case: still running at the 10-second deadline (e.g. in_progress for 11 s).
    steps = examples.failing[-1].steps
    running = [s for s in steps if s.status in ("queued", "in_progress")]
    assert sum(s.duration if s.duration is not None else float("inf") for s in running) > 10
    assert len(steps) <= 3, steps


def test_a_resume_that_replays_events_twice_is_found() -> None:
    examples = Examples()
    with pytest.raises(AssertionError, match=r"read 'Done\.Done\.', the response says 'Done\.'"):
        reads_each_event_once(pollers.stream_text, examples)()
    assert examples.run <= BUDGET, f"{examples.run} examples to find it"
    (fault,) = examples.failing[-1].faults
    assert fault.stream == "end"
    text = repr(examples.failing[-1])  # prints as a scenario file, to save and replay
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
    make(fixed, Examples())()


def test_the_strategies_draw_what_the_properties_need() -> None:
    """Each property could fail: its strategy does draw the case the bug needs."""
    seen: set[str] = set()

    @FAST
    @given(timeline=response_timelines(max_duration=10, stuck=True))
    def outcomes(timeline: Timeline) -> None:
        seen.add(timeline.steps[-1].status if timeline.steps[-1].duration is None else "stuck")

    outcomes()
    assert {"incomplete", "queued"} <= seen
