"""The Conversations API through the real SDK: conversations, their items, pagination, errors."""

from __future__ import annotations

import openai
import pytest

from assistant_harness import FakeOpenAI, Fault


def _user(text: str) -> dict[str, str]:
    return {"type": "message", "role": "user", "content": text}


@pytest.fixture
def client(fake: FakeOpenAI) -> openai.OpenAI:
    return fake.client()


def test_create_retrieve_update_delete(client: openai.OpenAI, fake: FakeOpenAI) -> None:
    fake.advance(7)
    created = client.conversations.create(metadata={"topic": "demo"})
    assert created.id.startswith("conv_")
    assert created.object == "conversation"
    assert created.created_at == int(fake.clock.time())
    assert client.conversations.retrieve(created.id).metadata == {"topic": "demo"}
    updated = client.conversations.update(created.id, metadata={"topic": "other"})
    assert updated.metadata == {"topic": "other"}
    assert client.conversations.retrieve(created.id).metadata == {"topic": "other"}
    deleted = client.conversations.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "conversation.deleted")
    with pytest.raises(openai.NotFoundError, match=f"Conversation with id '{created.id}' not found"):
        client.conversations.retrieve(created.id)


def test_created_with_items_which_are_listed_back_typed_and_with_ids(client: openai.OpenAI) -> None:
    conversation = client.conversations.create(items=[_user("Hello"), _user("Are you there?")])
    listed = client.conversations.items.list(conversation.id, order="asc")
    assert [(i.type, i.role, i.status) for i in listed.data] == [("message", "user", "completed")] * 2  # type: ignore[union-attr]
    assert [i.content[0].text for i in listed.data] == ["Hello", "Are you there?"]  # type: ignore[union-attr]
    first = listed.data[0]
    assert first.id.startswith("msg_")  # type: ignore[union-attr]
    assert client.conversations.items.retrieve(first.id, conversation_id=conversation.id) == first  # type: ignore[union-attr]


def test_items_may_leave_type_out_as_the_spec_allows(client: openai.OpenAI) -> None:
    """A message with a role, and an item reference (only an ``id``): no ``type`` needed (the fuzz
    found the reference answered with a harness bug)."""
    conversation = client.conversations.create(
        items=[{"role": "user", "content": "Hello"}, {"id": "msg_earlier"}]  # type: ignore[list-item]
    )
    listed = client.conversations.items.list(conversation.id, order="asc").data
    assert [(i.type, i.id == "msg_earlier") for i in listed] == [("message", False), ("item_reference", True)]


def test_items_page_like_every_list(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    for start in range(0, 25, 5):
        added = client.conversations.items.create(
            conversation.id, items=[_user(f"m{n}") for n in range(start, start + 5)]
        )
        assert [i.content[0].text for i in added.data] == [f"m{n}" for n in range(start, start + 5)]  # type: ignore[union-attr]
    first = client.conversations.items.list(conversation.id, limit=10)
    assert first.has_more and len(first.data) == 10
    assert first.data[0].content[0].text == "m24"  # type: ignore[union-attr]  # newest first by default
    everything = [i.content[0].text for i in client.conversations.items.list(conversation.id, limit=10)]  # type: ignore[union-attr]
    assert everything == [f"m{n}" for n in reversed(range(25))]
    ascending = [i.content[0].text for i in client.conversations.items.list(conversation.id, order="asc")]  # type: ignore[union-attr]
    assert ascending == [f"m{n}" for n in range(25)]


def test_delete_item_answers_the_conversation(client: openai.OpenAI) -> None:
    conversation = client.conversations.create(items=[_user("keep"), _user("drop")])
    drop = client.conversations.items.list(conversation.id).data[0]
    answered = client.conversations.items.delete(drop.id, conversation_id=conversation.id)  # type: ignore[union-attr]
    assert answered.id == conversation.id and answered.object == "conversation"
    assert [i.content[0].text for i in client.conversations.items.list(conversation.id)] == ["keep"]  # type: ignore[union-attr]
    with pytest.raises(openai.NotFoundError, match=f"Item with id '{drop.id}' not found"):  # type: ignore[union-attr]
        client.conversations.items.retrieve(drop.id, conversation_id=conversation.id)  # type: ignore[union-attr]


def test_the_api_400s_and_404s_change_nothing(client: openai.OpenAI, fake: FakeOpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="array too long") as too_many:
        client.conversations.create(items=[_user(str(n)) for n in range(21)])
    assert too_many.value.body["param"] == "items"  # type: ignore[index]
    assert fake.backend.apis["conversations"].conversations == {}
    conversation = client.conversations.create()
    with pytest.raises(openai.BadRequestError, match="array too long"):
        client.conversations.items.create(conversation.id, items=[_user(str(n)) for n in range(21)])
    with pytest.raises(openai.BadRequestError, match="Missing required parameter: 'items'"):
        client.post(f"/conversations/{conversation.id}/items", body={}, cast_to=object)
    with pytest.raises(openai.BadRequestError, match="Missing required parameter: 'metadata'"):
        client.post(f"/conversations/{conversation.id}", body={}, cast_to=object)
    with pytest.raises(openai.BadRequestError, match="Invalid value: 'everything'") as include:
        client.conversations.items.list(conversation.id, include=["everything"])  # type: ignore[list-item]
    assert include.value.body["param"] == "include"  # type: ignore[index]
    assert list(client.conversations.items.list(conversation.id)) == []
    client.conversations.items.list(conversation.id, include=["message.output_text.logprobs"])
    with pytest.raises(openai.NotFoundError, match="Conversation with id 'conv_nope' not found"):
        client.conversations.items.list("conv_nope")
    with pytest.raises(openai.NotFoundError):
        client.conversations.update("conv_nope", metadata={})


def test_fault_rules_name_conversation_endpoints(fake: FakeOpenAI) -> None:
    fake.faults.append(Fault(endpoint="conversations.items.list", status=503, times=1))
    client = fake.client(max_retries=0)
    conversation = client.conversations.create()
    with pytest.raises(openai.InternalServerError):
        client.conversations.items.list(conversation.id)
    assert list(client.conversations.items.list(conversation.id)) == []


async def test_async_client(fake: FakeOpenAI) -> None:
    client = fake.async_client()
    conversation = await client.conversations.create(items=[_user("Hi")], metadata={"k": "v"})
    await client.conversations.items.create(conversation.id, items=[_user("again")])
    texts = [i.content[0].text async for i in client.conversations.items.list(conversation.id, limit=1)]  # type: ignore[union-attr]
    assert texts == ["again", "Hi"]
    assert (await client.conversations.update(conversation.id, metadata={})).metadata == {}
    assert (await client.conversations.delete(conversation.id)).deleted


def test_intercepted_client_made_before_the_fake() -> None:
    client = openai.OpenAI()
    with FakeOpenAI():
        assert client.conversations.create().id.startswith("conv_")
