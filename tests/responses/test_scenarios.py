"""Scenarios with ``responses:`` beside ``runs:``, and every shipped background scenario reaching its
documented outcome with a real poller (deadline, cancel, stream resume), sync and async."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI, Scenario, ScenarioError
from assistant_harness.scenario import model as sc

from ..conftest import MODULE_LEVEL_CLIENT

FINAL = ("completed", "failed", "cancelled", "incomplete")
TOOLS: list[Any] = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]
BACKGROUND = [name for name in sc.shipped() if sc.load(name).responses]


def test_the_library_has_every_background_scenario_the_issue_names() -> None:
    assert set(BACKGROUND) == {
        "background_happy_path",
        "background_slow",
        "background_failed",
        "background_incomplete",
        "background_cancelled",
        "background_tool_call",
        "background_stream_dropped",
        "background_rate_limited",
        "background_never_answered",
    }


def test_responses_beside_runs_round_trip_through_yaml() -> None:
    text = """
cancel_finished: conflict
runs:
  - steps: [{status: queued, duration: 1}, {status: in_progress, duration: 1}, {status: completed}]
responses:
  - retention: 30
    steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 4}
      - status: completed
        tool_calls:
          - {name: get_weather, arguments: {city: Paris}}
  - steps:
      - {status: in_progress, duration: 2}
      - {status: failed, error: {code: rate_limit_exceeded}}
"""
    scenario = Scenario.from_yaml(text)
    assert len(scenario.runs) == 1 and len(scenario.responses) == 2
    assert scenario.responses[0].retention == 30 and scenario.cancel_finished == "conflict"
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "responses:\n  - steps: [{status: requires_action, tool_calls: [{name: f}]}]\n",
            "x.yaml: responses[0].steps[0].status: unknown status 'requires_action'",
        ),
        (
            "responses:\n  - steps: [{status: in_progress, duration: 1},"
            " {status: incomplete, reason: max_completion_tokens}]\n",
            "x.yaml: responses[0].steps[1].reason: 'max_completion_tokens' is not one of max_output_tokens, "
            "content_filter",
        ),
        (
            "responses:\n  - steps: [{status: queued, duration: 1}, {status: completed}]\n",
            "x.yaml: responses[0].steps[1]: a response cannot go from queued to completed",
        ),
        (
            "responses:\n  - steps: [{status: completed}]\n    retention: -1\n",
            "responses[0].retention: must be a number",
        ),
        ("cancel_finished: maybe\n", "cancel_finished: 'maybe' is not one of return, conflict"),
        ("responses:\n  - {}\n", "responses[0]: a response needs steps"),
    ],
)
def test_mistakes_name_the_file_and_key_path(text: str, message: str) -> None:
    with pytest.raises(
        ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
    ):
        Scenario.from_yaml(text, "x.yaml")


def test_more_responses_than_listed_repeat_the_last_entry() -> None:
    scenario = Scenario.from_yaml(
        """
responses:
  - steps: [{status: in_progress, duration: 1}, {status: completed, reply: first}]
  - steps: [{status: in_progress, duration: 1}, {status: completed, reply: later}]
"""
    )
    with FakeOpenAI(scenario) as fake:
        client = fake.client()
        replies = [client.responses.create(model="gpt-4o", input="hi").output_text for _ in range(4)]
        assert replies == ["first", "later", "later", "later"]


def drive(client: openai.OpenAI, name: str, deadline: float = 300.0) -> Any:
    """A background poller as teams write them: 5 s polls (60 in 300 s, under HangLimits' 100), a
    deadline that cancels, a tool round by previous_response_id, and a stream resumed from the last
    sequence number when it ends early."""
    if name == "background_stream_dropped":
        last, response_id = None, None
        for event in client.responses.create(model="gpt-4o", input="hello", background=True, stream=True):
            last, response_id = (
                event.sequence_number,
                event.response.id if hasattr(event, "response") else response_id,
            )  # type: ignore[union-attr]
        with client.responses.stream(response_id=response_id, starting_after=last) as resumed:  # type: ignore[arg-type]
            return resumed.get_final_response()
    response = client.responses.create(model="gpt-4o", input="hello", tools=TOOLS, background=True)
    started = time.time()
    while True:
        while response.status not in FINAL:
            if time.time() - started > deadline:
                return client.responses.cancel(response.id)
            time.sleep(5)
            response = client.responses.retrieve(response.id)
        calls = [item for item in response.output if item.type == "function_call"]
        if response.status != "completed" or not calls:
            return response
        response = client.responses.create(
            model="gpt-4o",
            previous_response_id=response.id,
            input=[
                {"type": "function_call_output", "call_id": c.call_id, "output": f"{c.name}-ok"}
                for c in calls
            ],  # type: ignore[union-attr]
            tools=TOOLS,
            background=True,
        )


async def adrive(client: openai.AsyncOpenAI, name: str, deadline: float = 300.0) -> Any:
    if name == "background_stream_dropped":
        stream = await client.responses.create(model="gpt-4o", input="hello", background=True, stream=True)
        events = [event async for event in stream]
        response_id = events[0].response.id  # type: ignore[union-attr]
        resumed = await client.responses.retrieve(
            response_id, stream=True, starting_after=events[-1].sequence_number
        )
        async for _ in resumed:
            pass
        return await client.responses.retrieve(response_id)
    response = await client.responses.create(model="gpt-4o", input="hello", tools=TOOLS, background=True)

    async def poll(current: Any) -> Any:
        while current.status not in FINAL:
            await asyncio.sleep(5)
            current = await client.responses.retrieve(current.id)
        return current

    while True:
        try:
            response = await asyncio.wait_for(poll(response), deadline)
        except asyncio.TimeoutError:
            return await client.responses.cancel(response.id)
        calls = [item for item in response.output if item.type == "function_call"]
        if response.status != "completed" or not calls:
            return response
        response = await client.responses.create(
            model="gpt-4o",
            previous_response_id=response.id,
            input=[
                {"type": "function_call_output", "call_id": c.call_id, "output": f"{c.name}-ok"}
                for c in calls
            ],  # type: ignore[union-attr]
            background=True,
        )


#: What the poller ends on when the scenario's own outcome is not final (it cancels at its deadline).
ENDS_ON = {"background_never_answered": "cancelled"}


def _check(fake: FakeOpenAI, name: str, response: Any) -> None:
    assert response.status == ENDS_ON.get(name, sc.load(name).outcome)
    if name == "background_tool_call":
        assert response.output_text == "The weather in Paris: get_weather-ok."
        assert fake.response(response.id).tool_outputs[0]["output"] == "get_weather-ok"
    elif name == "background_failed":
        assert response.error.code == "server_error"
    elif name == "background_incomplete":
        assert response.incomplete_details.reason == "max_output_tokens"
        assert response.output[0].status == "incomplete" and response.output_text == "The answer begins with"
    elif name == "background_slow":
        assert fake.clock.elapsed() >= 270
    elif name == "background_never_answered":
        assert 300 <= fake.clock.elapsed() <= 310  # the deadline, then at most two 5 s polls (async)
    elif name == "background_rate_limited":
        assert [f.fired for f in fake.faults] == [2]
    elif name == "background_stream_dropped":
        assert [f.fired for f in fake.faults] == [1] and len(fake.response(response.id).events) > 11


@pytest.mark.parametrize("name", BACKGROUND)
@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_sync(name: str, how: str) -> None:
    with FakeOpenAI(name) as fake:
        client = fake.client() if how == "mock_transport" else MODULE_LEVEL_CLIENT
        _check(fake, name, drive(client, name))


@pytest.mark.parametrize("name", BACKGROUND)
async def test_async(name: str) -> None:
    with FakeOpenAI(name) as fake:
        _check(fake, name, await adrive(fake.async_client(), name))
