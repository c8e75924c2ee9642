"""Property tests that find the tutorials' polling bugs, shrink them, and pass on the fixed code.

Each property is written once and run against the tutorial's function (it must fail as the bug
fails, on a short timeline, with no real sleeping) and against the fixed one (it must pass).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from tests.realtime import forbid_real_sleep

from assistant_harness import FakeAssistants, Timeline
from assistant_harness.testing.strategies import timelines

from . import tutorial_pollers as pollers

#: Slow (Hypothesis searches and shrinks, tens of seconds): run by `pytest -m slow` and CI.
pytestmark = pytest.mark.slow

# No "explain" phase: it re-runs hundreds of variations to annotate the report, which costs more than
# finding and shrinking the bug.
FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.execute("CREATE TABLE orders (price REAL, status INT)")
DB.executemany("INSERT INTO orders VALUES (?, ?)", [(50.0, 0), (75.5, 1), (60.75, 1)])
TOOLS: pollers.Tools = {"ask_database": lambda args: DB.execute("SELECT SUM(price) FROM orders").fetchall()}


#: One client for every example, made once, as an application's module-level client is.
CLIENT = openai.OpenAI(api_key="sk-test")


def _start(fake: FakeAssistants) -> tuple[Any, Any]:
    client = CLIENT
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "October revenue?"}]}
    )
    return client, run


def waits_until_done(wait: Callable[..., Any], failing: list[Timeline]) -> Callable[[], None]:
    """Property: the waiting function returns a run that has finished or needs tool outputs."""

    @FAST
    @given(
        timeline=timelines(
            outcomes=("completed", "failed", "incomplete", "cancelled"), max_tool_rounds=0, max_duration=10
        )
    )
    @_noting_failures(failing)
    def prop(timeline: Timeline) -> None:
        with FakeAssistants(timeline=timeline) as fake:
            client, run = _start(fake)
            result = wait(client, run, run.thread_id)
            assert result.status in (*pollers.FINAL, "requires_action"), f"returned while {result.status}"

    return prop


def reports_every_final_run(wait: Callable[..., Any], failing: list[Timeline]) -> Callable[[], None]:
    """Property: when the run ends within the deadline, the poller hands back the run (not None)."""

    @FAST
    @given(
        timeline=timelines(
            outcomes=("completed", "failed", "incomplete", "cancelled"), max_tool_rounds=0, max_duration=30
        )
    )
    @_noting_failures(failing)
    def prop(timeline: Timeline) -> None:
        with FakeAssistants(timeline=timeline) as fake:
            client, run = _start(fake)
            result = wait(client, run.thread_id, run.id)
            assert result is not None, "the run ended, but the poller reported nothing"
            assert fake.clock.elapsed() < 300, "it waited out the whole deadline"

    return prop


def finishes_tool_runs(loop: Callable[..., Any], failing: list[Timeline]) -> Callable[[], None]:
    """Property: after the tool loop, the run is no longer waiting and was not refused."""

    @FAST
    @given(timeline=timelines(outcomes=("completed",), max_tool_rounds=2, max_duration=10))
    @_noting_failures(failing)
    def prop(timeline: Timeline) -> None:
        with FakeAssistants(timeline=timeline) as fake:
            client, run = _start(fake)
            run = client.beta.threads.runs.poll(run.id, thread_id=run.thread_id)
            assert loop(client, run, run.thread_id, TOOLS).status == "completed"

    return prop


#: (bug, property, the tutorial's code, the fixed code, the failure that shows the bug, its message)
CASES = [
    (
        "wait_on_run returns on cancelling",
        waits_until_done,
        pollers.wait_on_run,
        pollers.fixed_wait_on_run,
        AssertionError,
        "returned while cancelling",
    ),
    (
        "completed_at poller spins to its deadline",
        reports_every_final_run,
        pollers.wait_for_run_completion,
        pollers.fixed_wait_for_run_completion,
        AssertionError,
        "the run ended, but the poller reported nothing",
    ),
    (
        "tool loop breaks on parallel calls",
        finishes_tool_runs,
        pollers.answer_tool_calls,
        pollers.fixed_answer_tool_calls,
        openai.BadRequestError,
        r"Expected tool outputs for call_ids \['call_\w+', 'call_\w+'\], got \['call_\w+'\]",
    ),
]


def _noting_failures(
    failing: list[Timeline],
) -> Callable[[Callable[[Timeline], None]], Callable[[Timeline], None]]:
    """Note the timeline of every example failing as the tutorial's bug fails (Hypothesis replays the
    shrunk one last); any other error (a harness bug, a TypeError) is not noted, and fails the test."""

    def decorate(prop: Callable[[Timeline], None]) -> Callable[[Timeline], None]:
        def noted(timeline: Timeline) -> None:
            try:
                prop(timeline)
            except (AssertionError, openai.BadRequestError):
                failing.append(timeline)
                raise

        return noted

    return decorate


PARAMS = ("bug", "make", "buggy", "fixed", "error", "message")


@pytest.mark.parametrize(PARAMS, CASES, ids=[c[0] for c in CASES])
def test_the_property_finds_the_bug_and_shrinks_it(
    bug: str, make: Any, buggy: Any, fixed: Any, error: type[Exception], message: str
) -> None:
    failing: list[Timeline] = []
    with forbid_real_sleep(), pytest.raises(error, match=message):
        make(buggy, failing)()
    assert len(failing[-1].steps) <= 3, failing[-1]


@pytest.mark.parametrize(PARAMS, CASES, ids=[c[0] for c in CASES])
def test_the_fixed_code_passes_the_same_property(
    bug: str, make: Any, buggy: Any, fixed: Any, error: type[Exception], message: str
) -> None:
    make(fixed, [])()
