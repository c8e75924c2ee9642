"""P3: Hypothesis examples per second for a full-flow property over generated run timelines.

The property: for any timeline drawn by the harness's own strategy
``assistant_harness.testing.strategies.timelines(outcomes=("completed", "failed", "incomplete"),
max_tool_rounds=0, max_duration=D)`` (queued for 0-D virtual seconds, in progress for 0-D, then the
outcome with its error code, reason or reply), an assistant is created and
``create_and_run_poll`` through ``with FakeAssistants(timeline=t) as fake:`` and ``fake.client()``
returns a run in the timeline's final status. Each example builds, enters and leaves its own fake
and client, as a property test would. The SDK's poll helper retrieves the run once per virtual
second, so an example costs 2 + (seconds the run lasts) requests.

Rows, all with ``max_examples=N, database=None, deadline=None, derandomize=True`` (the same examples
in every repetition, so repetitions compare like with like; examples/s = executions of the test body /
wall time of the whole ``@given`` call, generation included):

* the target row, D = 3: runs that finish within 6 virtual seconds (~6 requests per example);
* the floor for the same examples: each example's responses, recorded from the fake beforehand,
  returned by a ``MockTransport`` of precomputed bytes through a new client per example, with
  ``time.sleep`` a no-op: what the SDK and Hypothesis cost with no harness at all;
* the same property with D = 30 (runs lasting up to a minute, ~20 requests per example) and its
  floor: a polling-heavy property is bounded by the SDK's own cost per request, whatever answers it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import flow
from common import Row, Stats, Target, ratios
from hypothesis import given, settings

from assistant_harness import FakeAssistants, Timeline, strategies
from assistant_harness.http.messages import ApiRequest, ApiResponse

FINAL_STATUSES = ("completed", "failed", "incomplete")
TARGET_PER_S = 200.0
SHORT_RUNS = 3  # seconds a status is held at most: the target row
LONG_RUNS = 30  # the polling-heavy row


def key(timeline: Timeline) -> tuple[object, ...]:
    """Identifies an example's timeline cheaply (the floor looks its responses up by it)."""
    return tuple((step.status, step.duration, repr(step.payload)) for step in timeline.steps)


@dataclass
class Tally:
    """What the property saw: examples run, requests sent, virtual seconds spent, responses kept."""

    examples: int = 0
    requests: int = 0
    virtual_s: float = 0.0
    kept: dict[tuple[object, ...], list[flow.Recorded]] = field(default_factory=dict)
    misses: int = 0

    @property
    def requests_per_example(self) -> float:
        return self.requests / self.examples


Body = Callable[[Timeline, Tally], None]


def through_fake(timeline: Timeline, tally: Tally) -> None:
    with FakeAssistants(timeline=timeline) as fake:
        fake.backend.listeners.append(lambda *_: _count(tally))
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        tally.virtual_s += fake.clock.elapsed()
    _check(timeline, run.status, tally)


def _count(tally: Tally) -> None:
    tally.requests += 1


def recording(timeline: Timeline, tally: Tally) -> None:
    """Through the fake, keeping every response for the floor (not timed)."""
    kept: list[flow.Recorded] = []

    def keep(_: ApiRequest, response: ApiResponse) -> None:
        kept.append(flow.Recorded(response.status, response.content, dict(response.headers)))

    with FakeAssistants(timeline=timeline) as fake:
        fake.backend.listeners.append(keep)
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
    tally.kept[key(timeline)] = kept
    _check(timeline, run.status, tally)


def make_floor(recorded: Tally) -> Body:
    def through_floor(timeline: Timeline, tally: Tally) -> None:
        responses = recorded.kept.get(key(timeline))
        if responses is None:  # an example the recording pass did not draw: record it now
            tally.misses += 1
            recording(timeline, recorded)
            tally.examples -= 1
            responses = recorded.kept[key(timeline)]
        client = flow.floor_client(responses)
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        tally.requests += len(responses)
        _check(timeline, run.status, tally)

    return through_floor


def _check(timeline: Timeline, status: str, tally: Tally) -> None:
    tally.examples += 1
    expected = timeline.steps[-1].status
    assert status == expected, f"{timeline}: run ended {status}, expected {expected}"


def make_property(examples: int, max_duration: int, body: Body, tally: Tally) -> Callable[[], None]:
    # One function for every body: derandomize seeds from the test function's source, so the
    # fake, the recording pass and the floor all see the same examples.
    @settings(max_examples=examples, database=None, deadline=None, derandomize=True)
    @given(strategies.timelines(outcomes=FINAL_STATUSES, max_tool_rounds=0, max_duration=max_duration))
    def property_holds(timeline: Timeline) -> None:
        body(timeline, tally)

    return property_holds


def one_run(
    examples: int, max_duration: int, body: Body = through_fake, *, no_sleep: bool = False
) -> tuple[float, Tally]:
    tally = Tally()
    prop = make_property(examples, max_duration, body, tally)
    sleeping: AbstractContextManager[Any] = (
        mock.patch("time.sleep", return_value=None) if no_sleep else nullcontext()
    )
    with sleeping:
        started = time.perf_counter()
        prop()
        elapsed = time.perf_counter() - started
    return tally.examples / elapsed, tally


@dataclass
class Series:
    """One property's repetitions through the fake and through the floor."""

    max_duration: int
    fake: list[tuple[float, Tally]] = field(default_factory=list)
    floor: list[tuple[float, Tally]] = field(default_factory=list)

    def repeat(self, examples: int, recorded: Tally) -> None:
        self.fake.append(one_run(examples, self.max_duration))
        self.floor.append(one_run(examples, self.max_duration, make_floor(recorded), no_sleep=True))


def record(examples: int, max_duration: int) -> Tally:
    _, recorded = one_run(examples, max_duration, recording)
    return recorded


def run(examples: int, repeats: int) -> list[Row]:
    series = [Series(SHORT_RUNS), Series(LONG_RUNS)]
    recordings = [record(examples, s.max_duration) for s in series]
    one_run(min(examples, 10), SHORT_RUNS)  # warm-up
    for _ in range(repeats):
        for each, recorded in zip(series, recordings, strict=True):
            each.repeat(examples, recorded)
    rows: list[Row] = []
    for each in series:
        rows += rows_for(each, examples, target=each.max_duration == SHORT_RUNS)
    return rows


def rows_for(series: Series, examples: int, *, target: bool) -> list[Row]:
    fake_rates = [rate for rate, _ in series.fake]
    floor_rates = [rate for rate, _ in series.floor]
    tally = series.fake[0][1]
    misses = sum(t.misses for _, t in series.floor)
    held = f"statuses held 0-{series.max_duration} virtual s"
    title = f"hypothesis full-flow property, {examples} examples, {held}"
    return [
        Row(
            "P3",
            title if target else f"  same, {held}",
            "examples/s",
            Stats.of(fake_rates),
            Target(">=", TARGET_PER_S) if target else None,
            note=describe(tally),
            extra={"requests_per_example": tally.requests_per_example, "examples": tally.examples},
        ),
        Row(
            "P3",
            "    floor: same examples, precomputed bytes, no harness",
            "examples/s",
            Stats.of(floor_rates),
            note=f"SDK + Hypothesis only; {misses} examples not in the recording pass",
        ),
        Row("P3", "    fake / floor time per example", "x", Stats.of(ratios(floor_rates, fake_rates))),
    ]


def describe(tally: Tally) -> str:
    return (
        f"{tally.examples} examples ran; {tally.requests_per_example:.1f} requests and "
        f"{tally.virtual_s / tally.examples:.1f} virtual s per example (the SDK polls every virtual second)"
    )


def profile_target(examples: int) -> Callable[[], object]:
    """What ``run.py --profile P3`` profiles: the target row's property through the fake."""
    return lambda: one_run(examples, SHORT_RUNS)
