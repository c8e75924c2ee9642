"""Function calls: function_call output items, the continuation by previous_response_id and by
replaying the whole input (agno's way), the API's 400s, and what the fake shows was sent."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from assistant_harness import FakeOpenAI

TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Get current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    }
]
QUESTION = "What is the weather in Paris? Use the get_weather tool."


def wait(client: openai.OpenAI, response: Any) -> Any:
    while response.status in ("queued", "in_progress"):
        time.sleep(2)
        response = client.responses.retrieve(response.id)
    return response


def first_round(client: openai.OpenAI) -> Any:
    response = client.responses.create(model="gpt-4o", input=QUESTION, tools=TOOLS, background=True)
    return wait(client, response)


def test_a_completed_step_with_tool_calls_gives_function_call_items() -> None:
    with FakeOpenAI("background_tool_call") as fake:
        client = fake.client()
        response = first_round(client)
        assert response.status == "completed" and fake.clock.elapsed() == 6.0
        (call,) = response.output
        assert call.type == "function_call" and call.name == "get_weather"  # type: ignore[union-attr]
        assert call.arguments == '{"city":"Paris"}' and call.call_id.startswith("call_")  # type: ignore[union-attr]
        assert call.id.startswith("fc_") and call.status == "completed"  # type: ignore[union-attr]
        assert response.tools[0].strict is True and response.tools[0].description == TOOLS[0]["description"]  # type: ignore[union-attr]


def test_continuing_by_previous_response_id() -> None:
    with FakeOpenAI("background_tool_call") as fake:
        client = fake.client()
        response = first_round(client)
        call = response.output[0]
        follow = client.responses.create(
            model="gpt-4o",
            previous_response_id=response.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny and 72F"}],  # type: ignore[union-attr]
            tools=TOOLS,
            background=True,
        )
        follow = wait(client, follow)
        assert follow.output_text == "The weather in Paris: Sunny and 72F."
        assert follow.previous_response_id == response.id
        assert fake.response(follow.id).tool_outputs == [{"call_id": call.call_id, "output": "Sunny and 72F"}]  # type: ignore[union-attr]
        items = client.responses.input_items.list(follow.id).data
        assert [i.type for i in items] == ["function_call_output"]


def test_continuing_by_replaying_the_whole_input() -> None:
    with FakeOpenAI("background_tool_call") as fake:
        client = fake.client()
        response = first_round(client)
        call = response.output[0]
        replay = [
            {"role": "user", "content": QUESTION},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },  # type: ignore[union-attr]
            {"type": "function_call_output", "call_id": call.call_id, "output": "Rainy"},  # type: ignore[union-attr]
        ]
        follow = wait(
            client, client.responses.create(model="gpt-4o", input=replay, tools=TOOLS, background=True)
        )
        assert follow.output_text == "The weather in Paris: Rainy."
        assert [i.type for i in client.responses.input_items.list(follow.id, order="asc").data] == [
            "message",
            "function_call",
            "function_call_output",
        ]


def test_an_unknown_call_id_and_a_missing_output_are_the_apis_400s() -> None:
    with FakeOpenAI("background_tool_call") as fake:
        client = fake.client()
        response = first_round(client)
        call_id = response.output[0].call_id  # type: ignore[union-attr]
        with pytest.raises(openai.BadRequestError) as caught:
            client.responses.create(
                model="gpt-4o",
                previous_response_id=response.id,
                input=[{"type": "function_call_output", "call_id": "call_nope", "output": "x"}],
            )
        assert caught.value.body == {
            "message": "No tool call found for function call output with call_id call_nope.",
            "type": "invalid_request_error",
            "param": "input",
            "code": None,
        }
        with pytest.raises(
            openai.BadRequestError, match=f"No tool output found for function call {call_id}."
        ):
            client.responses.create(model="gpt-4o", previous_response_id=response.id, input="And tomorrow?")
        with pytest.raises(openai.NotFoundError, match=r"Previous response with id 'resp_gone' not found\."):
            client.responses.create(model="gpt-4o", previous_response_id="resp_gone", input="hi")
        assert len(fake.responses) == 1


class Weather(BaseModel):
    city: str
    degrees: int
    sunny: bool
    tags: list[str]


def test_parse_with_text_format_gets_a_schema_valid_default_reply() -> None:
    with FakeOpenAI() as fake:
        parsed = fake.client().responses.parse(model="gpt-4o", input="Weather in Paris?", text_format=Weather)
        assert parsed.output_parsed == Weather(city="example", degrees=0, sunny=False, tags=[])
        assert parsed.text.format.type == "json_schema"  # type: ignore[union-attr]


def test_parse_with_a_scripted_reply() -> None:
    from assistant_harness import Timeline
    from assistant_harness.engine.lifecycle import Step

    reply = '{"city":"Paris","degrees":21,"sunny":true,"tags":["warm"]}'
    timeline = Timeline([Step("in_progress", 1), Step("completed", payload={"reply": reply})])
    with FakeOpenAI(response_timeline=timeline) as fake:
        parsed = fake.client().responses.parse(model="gpt-4o", input="Weather?", text_format=Weather)
        assert parsed.output_parsed == Weather(city="Paris", degrees=21, sunny=True, tags=["warm"])


def test_a_schema_no_default_fits_is_a_clear_error() -> None:
    from assistant_harness import FakeBackendError

    schema = {"type": "object", "properties": {"x": {"type": "madeup"}}, "required": ["x"]}
    with FakeOpenAI() as fake:
        client = fake.client()
        with pytest.raises(FakeBackendError, match="give the response's completed step a reply"):
            client.responses.create(
                model="gpt-4o",
                input="x",
                text={"format": {"type": "json_schema", "name": "X", "schema": schema}},
            )
