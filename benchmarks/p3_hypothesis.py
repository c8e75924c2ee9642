"""P3: Hypothesis examples per second for a full-flow property over generated run timelines.

The property: for any timeline (an optional ``queued`` step, then ``in_progress``, each held 0-30
virtual seconds, then ``completed``, ``failed`` or ``incomplete``), ``create_and_run_poll`` through
``with FakeAssistants(timeline=t) as fake:`` and ``fake.client()`` returns a run in the timeline's final
status. Each example builds, enters and leaves its own fake and client, as a property test would.

Settings: ``max_examples=N, database=None, deadline=None, derandomize=True`` (the same examples in
every repetition, so repetitions compare like with like). Examples/s = executions of the test body /
wall time of the whole ``@given`` call (generation included). Target >= 200/s. An informational row
runs the same property with ``FakeAssistants(poll_after_ms=10_000)``: the SDK's poll helper then waits
10 virtual seconds between retrieves, which shows how much of an example is polling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from common import Row, Stats, Target
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant_harness import FakeAssistants, Step, Timeline

FINAL_STATUSES = ("completed", "failed", "incomplete")
TARGET_PER_S = 200.0
COARSE_POLL_MS = 10_000


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    durations = st.integers(min_value=0, max_value=30)
    steps = []
    if draw(st.booleans()):
        steps.append(Step("queued", draw(durations)))
    steps.append(Step("in_progress", draw(durations)))
    steps.append(Step(draw(st.sampled_from(FINAL_STATUSES))))
    return Timeline(steps)


@dataclass
class Tally:
    """What the property saw: examples run, requests sent, virtual seconds spent."""

    examples: int = 0
    requests: int = 0
    virtual_s: float = 0.0

    def count(self, *_: object) -> None:
        self.requests += 1

    @property
    def requests_per_example(self) -> float:
        return self.requests / self.examples


def create_and_poll(timeline: Timeline, tally: Tally, poll_after_ms: int | None = None) -> None:
    with FakeAssistants(timeline=timeline, poll_after_ms=poll_after_ms) as fake:
        fake.backend.listeners.append(tally.count)
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        tally.virtual_s += fake.clock.elapsed()
    tally.examples += 1
    expected = timeline.steps[-1].status
    assert run.status == expected, f"{timeline}: run ended {run.status}, expected {expected}"


def make_property(examples: int, tally: Tally, poll_after_ms: int | None) -> Callable[[], None]:
    @settings(max_examples=examples, database=None, deadline=None, derandomize=True)
    @given(timelines())
    def property_holds(timeline: Timeline) -> None:
        create_and_poll(timeline, tally, poll_after_ms)

    return property_holds


def one_run(examples: int, poll_after_ms: int | None = None) -> tuple[float, Tally]:
    tally = Tally()
    prop = make_property(examples, tally, poll_after_ms)
    started = time.perf_counter()
    prop()
    elapsed = time.perf_counter() - started
    return tally.examples / elapsed, tally


def run(examples: int, repeats: int) -> list[Row]:
    one_run(min(examples, 10))  # warm-up
    default: list[tuple[float, Tally]] = []
    coarse: list[tuple[float, Tally]] = []
    for _ in range(repeats):
        default.append(one_run(examples))
        coarse.append(one_run(examples, COARSE_POLL_MS))
    return [
        Row(
            "P3",
            f"hypothesis full-flow property, {examples} examples",
            "examples/s",
            Stats.of([rate for rate, _ in default]),
            Target(">=", TARGET_PER_S),
            note=describe(default[0][1])
            + " (the SDK polls every virtual second, as openai-poll-after-ms says)",
            extra={"requests_per_example": default[0][1].requests_per_example},
        ),
        Row(
            "P3",
            f"  same, FakeAssistants(poll_after_ms={COARSE_POLL_MS})",
            "examples/s",
            Stats.of([rate for rate, _ in coarse]),
            note=describe(coarse[0][1]) + " (fewer polls: what the poll cadence costs)",
            extra={"requests_per_example": coarse[0][1].requests_per_example},
        ),
    ]


def describe(tally: Tally) -> str:
    return (
        f"{tally.requests_per_example:.1f} requests and {tally.virtual_s / tally.examples:.1f} virtual s "
        "per example"
    )
