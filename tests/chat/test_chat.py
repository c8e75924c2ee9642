"""Chat completions and embeddings against the real SDK: replies, scripted tool calls, structured
output, streams, errors and faults as elsewhere; vectors that are deterministic and well formed."""

from __future__ import annotations

import base64
import json
import math
import struct

import openai
import pytest
from pydantic import BaseModel

from assistant_harness import FakeOpenAI, Fault, Scenario
from tests.spec import vendored_errors

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]

SCRIPTED = Scenario.from_yaml(
    """
chat:
  - tool_calls: [{name: get_weather, arguments: {city: Paris}}]
  - reply: "It is {tool_output} in Paris."
"""
)


def test_a_plain_completion_echoes_the_user_and_fits_the_spec() -> None:
    with FakeOpenAI() as fake:
        raw = fake.client().chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], n=2
        )
        answer = raw.parse()
    assert vendored_errors("CreateChatCompletionResponse", json.loads(raw.http_response.read())) == []
    assert [c.message.content for c in answer.choices] == ["This is the fake's reply to your message: hi"] * 2
    assert answer.choices[0].finish_reason == "stop" and answer.id.startswith("chatcmpl-")
    usage = answer.usage
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_scripted_tool_round_trip() -> None:
    with FakeOpenAI(SCRIPTED) as fake:
        client = fake.client()
        messages: list[dict[str, object]] = [{"role": "user", "content": "Weather in Paris?"}]
        first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)  # type: ignore[arg-type]
        (call,) = first.choices[0].message.tool_calls or []
        assert first.choices[0].finish_reason == "tool_calls" and first.choices[0].message.content is None
        assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
        messages += [
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "18 C"},
        ]
        second = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)  # type: ignore[arg-type]
    assert second.choices[0].message.content == "It is 18 C in Paris."


class City(BaseModel):
    name: str
    population: int


def test_structured_output_parses_into_the_model() -> None:
    with FakeOpenAI() as fake:
        parsed = fake.client().chat.completions.parse(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], response_format=City
        )
    assert parsed.choices[0].message.parsed == City(name="example", population=0)


def test_a_stream_sends_the_reply_in_chunks_then_usage_then_done() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        raw = client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream a long answer please"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        text = raw.http_response.read().decode()
        chunks = list(
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "stream a long answer please"}],
                stream=True,
            )
        )
    assert text.endswith("data: [DONE]\n\n") and "event:" not in text
    events = [json.loads(block[6:]) for block in text.split("\n\n") if block.startswith("data: {")]
    assert all(vendored_errors("CreateChatCompletionStreamResponse", e) == [] for e in events)
    assert events[-1]["choices"] == [] and events[-1]["usage"]["total_tokens"] > 0
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks)
        == "This is the fake's reply to your message: stream a long answer please"
    )
    assert len(chunks) > 3


def test_errors_and_faults_as_elsewhere() -> None:
    with FakeOpenAI(faults=[Fault(endpoint="chat.completions.create", status=429, times=1)]) as fake:
        client = fake.client(max_retries=0)
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        with pytest.raises(openai.BadRequestError, match="messages"):
            client.chat.completions.create(model="gpt-4o-mini", messages=[])
        assert client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        ).choices


def test_embeddings_are_deterministic_unit_vectors_of_the_model_dimension() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        small = client.embeddings.create(
            model="text-embedding-3-small", input=["a", "b"]
        )  # SDK asks for base64
        large = client.embeddings.create(model="text-embedding-3-large", input="a", encoding_format="float")
        short = client.embeddings.create(model="text-embedding-3-small", input="a", dimensions=8)
        again = client.embeddings.create(model="text-embedding-3-small", input="a", encoding_format="float")
        with pytest.raises(openai.BadRequestError, match="dimensions"):
            client.embeddings.create(model="text-embedding-ada-002", input="a", dimensions=8)
    a, b = (d.embedding for d in small.data)
    assert len(a) == 1536 and len(large.data[0].embedding) == 3072 and len(short.data[0].embedding) == 8
    assert math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-4) and a != b
    assert again.data[0].embedding == pytest.approx(a, abs=1e-6)  # base64 float32 and floats agree
    assert (
        small.usage.prompt_tokens == 2
        and vendored_errors("CreateEmbeddingResponse", again.model_dump(mode="json")) == []
    )


def test_base64_embeddings_are_little_endian_float32() -> None:
    with FakeOpenAI() as fake:
        raw = fake.client().embeddings.with_raw_response.create(
            model="text-embedding-3-small", input="a", encoding_format="base64"
        )
        floats = fake.client().embeddings.create(
            model="text-embedding-3-small", input="a", encoding_format="float"
        )
    encoded = json.loads(raw.http_response.read())["data"][0]["embedding"]
    decoded = struct.unpack("<1536f", base64.b64decode(encoded))
    assert list(decoded) == pytest.approx(floats.data[0].embedding, abs=1e-6)


def test_one_token_array_is_one_input() -> None:
    # The spec's input is a string, strings, an array of tokens, or arrays of tokens: [1, 2, 3] is one
    # input (one embedding), [[1, 2], [3]] two.
    with FakeOpenAI() as fake:
        client = fake.client()
        one = client.embeddings.create(model="text-embedding-3-small", input=[1, 2, 3])
        two = client.embeddings.create(model="text-embedding-3-small", input=[[1, 2], [3]])
    assert [d.index for d in one.data] == [0] and [d.index for d in two.data] == [0, 1]
    assert one.data[0].embedding != two.data[0].embedding


def test_token_arrays_count_their_tokens() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        one = client.embeddings.create(model="text-embedding-3-small", input=[11, 22, 33])
        two = client.embeddings.create(model="text-embedding-3-small", input=[[1, 2], [3, 4, 5]])
    assert (one.usage.prompt_tokens, len(one.data)) == (3, 1)
    assert (two.usage.prompt_tokens, len(two.data)) == (5, 2)


@pytest.mark.parametrize(
    "json_schema",
    [
        {"name": "Xm"},  # no schema: found by test_fuzz's search (it crashed the fake)
        {"name": "any", "schema": {}},
        {"name": "loose", "schema": {"type": "object", "properties": {"x": {"description": "anything"}}}},
        {
            "name": "defaults",
            "schema": {"type": "object", "properties": {"n": {"type": "integer", "default": 3}}},
        },
    ],
)
def test_a_json_schema_without_constraints_gets_a_json_reply(json_schema: dict[str, object]) -> None:
    """A schema that constrains nothing (or part of one) is answered with JSON that fits it, never a crash."""
    with FakeOpenAI() as fake:
        completion = fake.client().chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "x"}],
            response_format={"type": "json_schema", "json_schema": json_schema},  # type: ignore[typeddict-item]
        )
    reply = json.loads(completion.choices[0].message.content or "")
    assert isinstance(reply, dict)
    if json_schema["name"] == "loose":
        assert reply == {"x": {}}
    if json_schema["name"] == "defaults":
        assert reply == {"n": 3}


def test_a_schema_that_requires_keys_without_typing_them_gets_them() -> None:
    with FakeOpenAI() as fake:
        completion = fake.client().chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "x"}],
            response_format={  # type: ignore[typeddict-item]
                "type": "json_schema",
                "json_schema": {"name": "req", "schema": {"required": ["a", "b"], "x-note": 1}},
            },
        )
    assert json.loads(completion.choices[0].message.content or "") == {"a": {}, "b": {}}
