"""Responses created with ``conversation``: they read its items as context and add their input and
output items when they complete (on the virtual clock)."""

from __future__ import annotations

import openai
import pytest

from assistant_harness import FakeOpenAI, Scenario

SCENARIO = """
responses:
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 2}
      - status: completed
        tool_calls: [{name: get_weather, arguments: {city: Paris}}]
  - steps:
      - {status: in_progress, duration: 1}
      - {status: completed, reply: "Sunny, says {tool_output}."}
  - steps:
      - {status: queued, duration: 1}
      - {status: failed, error: {code: server_error}}
"""


def _texts(client: openai.OpenAI, conversation_id: str) -> list[tuple[str, str]]:
    out = []
    for item in client.conversations.items.list(conversation_id, order="asc"):
        if item.type == "message":
            out.append((item.role, item.content[0].text))  # type: ignore[union-attr]
        else:
            out.append((item.type, getattr(item, "call_id", "")))
    return out


def test_a_background_response_adds_its_items_when_it_completes(fake: FakeOpenAI) -> None:
    client = fake.client()
    conversation = client.conversations.create(items=[_user("My name is Ada.")])
    response = client.responses.create(
        model="gpt-4o", input="What is my name?", conversation=conversation.id, background=True
    )
    assert response.conversation is not None and response.conversation.id == conversation.id
    fake.advance(2.5)  # still in progress: nothing added yet
    assert _texts(client, conversation.id) == [("user", "My name is Ada.")]
    fake.advance(1)
    done = client.responses.retrieve(response.id)
    assert done.status == "completed"
    assert _texts(client, conversation.id) == [
        ("user", "My name is Ada."),
        ("user", "What is my name?"),
        ("assistant", done.output_text),
    ]
    # The items are the response's own, with the same ids.
    ids = [i.id for i in client.conversations.items.list(conversation.id, order="asc")]  # type: ignore[union-attr]
    assert ids[1:] == [client.responses.input_items.list(response.id).data[0].id, done.output[0].id]  # type: ignore[union-attr]


def test_the_conversation_is_the_context(fake: FakeOpenAI) -> None:
    client = fake.client()
    conversation = client.conversations.create()
    first = client.responses.create(model="gpt-4o", input="Remember: blue.", conversation=conversation.id)
    second = client.responses.create(model="gpt-4o", conversation={"id": conversation.id})  # no new input
    assert fake.response(second.id).context == [
        *fake.response(first.id).input,
        *fake.response(first.id).obj["output"],
    ]
    assert second.output_text.endswith("Remember: blue.")  # the default reply echoes the last user text
    assert second.usage is not None and first.usage is not None
    assert second.usage.input_tokens > first.usage.input_tokens


def test_a_tool_round_trip_in_a_conversation() -> None:
    with FakeOpenAI(Scenario.from_yaml(SCENARIO)) as fake:
        client = fake.client()
        conversation = client.conversations.create()
        asked = client.responses.create(
            model="gpt-4o", input="Weather in Paris?", conversation=conversation.id, background=True
        )
        while asked.status in ("queued", "in_progress"):
            fake.clock.sleep(1)
            asked = client.responses.retrieve(asked.id)
        call = asked.output[0]
        assert call.type == "function_call"
        answered = client.responses.create(
            model="gpt-4o",
            conversation=conversation.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "22C"}],
        )
        assert answered.output_text == "Sunny, says 22C."
        assert [kind for kind, _ in _texts(client, conversation.id)] == [
            "user",
            "function_call",
            "function_call_output",
            "assistant",
        ]
        # Without the output the API refuses, as with previous_response_id.
        failed = client.responses.create(
            model="gpt-4o", input="x", conversation=conversation.id, background=True
        )
        fake.advance(5)
        assert client.responses.retrieve(failed.id).status == "failed"
        assert len(_texts(client, conversation.id)) == 4  # a failed response adds nothing


def test_unanswered_call_in_the_conversation_is_the_apis_400() -> None:
    with FakeOpenAI(Scenario.from_yaml(SCENARIO)) as fake:
        client = fake.client()
        conversation = client.conversations.create()
        client.responses.create(model="gpt-4o", input="Weather?", conversation=conversation.id)
        with pytest.raises(openai.BadRequestError, match="No tool output found for function call"):
            client.responses.create(model="gpt-4o", input="hi", conversation=conversation.id)


def test_conversation_with_previous_response_id_is_a_400(fake: FakeOpenAI) -> None:
    client = fake.client()
    conversation = client.conversations.create()
    first = client.responses.create(model="gpt-4o", input="hi")
    with pytest.raises(openai.BadRequestError, match="Mutually exclusive parameters") as error:
        client.responses.create(
            model="gpt-4o", input="again", conversation=conversation.id, previous_response_id=first.id
        )
    assert error.value.body["param"] == "previous_response_id"  # type: ignore[index]
    assert len(fake.responses) == 1
    with pytest.raises(openai.NotFoundError, match="Conversation with id 'conv_nope' not found"):
        client.responses.create(model="gpt-4o", input="x", conversation="conv_nope")


def test_a_conversation_deleted_before_its_response_completes(fake: FakeOpenAI) -> None:
    client = fake.client()
    conversation = client.conversations.create()
    response = client.responses.create(
        model="gpt-4o", input="x", conversation=conversation.id, background=True
    )
    client.conversations.delete(conversation.id)
    fake.advance(10)
    assert client.responses.retrieve(response.id).status == "completed"


async def test_async_background_response_in_a_conversation(fake: FakeOpenAI) -> None:
    import asyncio

    client = fake.async_client()
    conversation = await client.conversations.create(items=[_user("Hi")])
    response = await client.responses.create(
        model="gpt-4o", input="Again", conversation=conversation.id, background=True
    )
    while response.status in ("queued", "in_progress"):
        await asyncio.sleep(1)
        response = await client.responses.retrieve(response.id)
    roles = [i.role async for i in client.conversations.items.list(conversation.id, order="asc")]  # type: ignore[union-attr]
    assert roles == ["user", "user", "assistant"]
    assert fake.clock.elapsed() >= 3


def _user(text: str) -> dict[str, str]:
    return {"type": "message", "role": "user", "content": text}
