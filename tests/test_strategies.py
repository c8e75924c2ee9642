"""The Hypothesis strategies: valid, pluggable into the fake, printable as scenarios, shrinking well."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from assistant_harness import FakeAssistants, Fault, Timeline
from assistant_harness.scenario import model as sc
from assistant_harness.testing.strategies import (
    compact,
    faults,
    from_json_schema,
    scenarios,
    timelines,
    tool_calls,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 12},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "units": {"enum": ["metric", "imperial"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "detailed": {"type": "boolean"},
    },
    "required": ["city", "days"],
}


@settings(max_examples=60, deadline=None)
@given(timeline=timelines(stuck=True))
def test_generated_timelines_are_valid_and_play_in_the_fake(timeline: Timeline) -> None:
    assert isinstance(timeline, Timeline)
    with FakeAssistants(timeline, hang_limits=None) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run(assistant_id=client.beta.assistants.create(model="m").id)
        fake.advance(10_000)
        final = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        expected = timeline.steps[-1].status
        if any(s.status == "requires_action" for s in timeline.steps):
            # nobody answered the tool call: the run expires, unless scripted to hang for ever
            expected = "expired" if timeline.expires else "requires_action"
        if timeline.steps[0].status == "queued" and (timeline.steps[0].duration or 0) > 600:
            expected = "expired"  # left queued past the ten-minute expiry
        assert final.status == expected


@settings(max_examples=60, deadline=None)
@given(args=from_json_schema(SCHEMA))
def test_arguments_follow_the_functions_schema(args: dict[str, object]) -> None:
    jsonschema.validate(args, SCHEMA)


@given(calls=tool_calls({"weather": SCHEMA}, max_calls=3))
def test_tool_calls_name_the_function(calls: list[dict[str, object]]) -> None:
    assert 1 <= len(calls) <= 3 and {c["name"] for c in calls} == {"weather"}


@given(rule=faults())
def test_faults_are_valid_rules(rule: dict[str, object]) -> None:
    fault = Fault(**rule)  # type: ignore[arg-type]
    assert fault.status in (None, 408, 409, 429, 500, 502, 503)


@settings(max_examples=30, deadline=None)
@given(scenario=scenarios())
def test_scenarios_print_as_files_that_load_back(scenario: sc.Scenario) -> None:
    text = repr(scenario)
    assert text.startswith("Scenario.from_yaml('''\n# Save as scenarios/generated.yaml")
    assert sc.parse(scenario.to_yaml(), name="generated") == scenario


def test_shrinking_gives_the_shortest_timeline() -> None:
    with_a_tool_round = find(timelines(), lambda t: any(s.status == "requires_action" for s in t.steps))
    assert [s.status for s in with_a_tool_round.steps] == ["requires_action", "in_progress", "completed"]
    failed = find(timelines(), lambda t: t.steps[-1].status == "failed")
    assert [s.status for s in failed.steps] == ["failed"]


def test_compact_drops_only_invisible_steps() -> None:
    from assistant_harness import Step

    steps = [
        Step("queued", 0),
        Step("in_progress", 0),
        Step("requires_action"),
        Step("queued", 0),
        Step("in_progress", 2),
        Step("completed"),
    ]
    assert [s.status for s in compact(steps)] == ["requires_action", "in_progress", "completed"]


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_generated_scenarios_plug_into_the_fake(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(max_runs=1, outcomes=("completed", "failed")))
    with FakeAssistants(scenario) as fake:
        # Two generated rules may fire twice each in a row on one endpoint: retries enough to get past four.
        client = fake.client(max_retries=5)
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        while run.status == "requires_action":
            calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
            run = client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id,
                thread_id=run.thread_id,
                tool_outputs=[{"tool_call_id": c.id, "output": "x"} for c in calls],
            )
        # The run ends where its generated timeline ends (a tool round, if any, then goes on).
        assert run.status == scenario.runs[0].timeline.steps[-1].status != "requires_action"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"outcomes": ("complete",)}, r"unknown 'complete'; choose from completed, failed, incomplete"),
        ({"outcomes": ()}, "none given; choose from completed"),
        ({"outcomes": "completed"}, r"expected a sequence of outcomes, e.g. \('completed',\)"),
        ({"max_tool_rounds": -1}, "max_tool_rounds=-1: expected a whole number >= 0"),
        ({"max_parallel_calls": 0}, "max_parallel_calls=0: expected a whole number >= 1"),
    ],
)
def test_bad_strategy_arguments_are_refused_when_called(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        timelines(**options)
