"""Replayed answers, as LangChain and the Agents SDK send them, go through the real SDK: an assistant
message with ``output_text`` parts and no ``id``, ``status`` or ``logprobs`` is taken by
``POST /responses`` and by both conversation endpoints that add items, as the real API takes it."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI

#: An earlier answer as LangChain's ChatOpenAI(use_responses_api=True, store=False) sends it back.
REPLAYED: dict[str, Any] = {
    "type": "message",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "Paris.", "annotations": []}],
}
HISTORY: list[Any] = [
    {"type": "message", "role": "user", "content": "The capital of France?"},
    REPLAYED,
    {"type": "message", "role": "user", "content": "How many people live there?"},
]


def test_a_replayed_answer_is_taken_as_input(fake: FakeOpenAI) -> None:
    client = fake.client()
    response = client.responses.create(model="gpt-4o", input=HISTORY)
    assert response.status == "completed"
    items = client.responses.input_items.list(response.id, order="asc").data
    assert [(i.role, i.status) for i in items] == [  # type: ignore[union-attr]
        ("user", "completed"),
        ("assistant", "completed"),
        ("user", "completed"),
    ]
    assert items[1].content[0].text == "Paris."  # type: ignore[union-attr]
    assert items[1].id.startswith("msg_")  # an id of its own, as for every input item


def test_a_replayed_answer_without_its_type_is_taken_too(fake: FakeOpenAI) -> None:
    untyped = {k: v for k, v in REPLAYED.items() if k != "type"}
    response = fake.client().responses.create(model="gpt-4o", input=[untyped, HISTORY[2]])
    assert response.status == "completed"


def test_replayed_answers_are_added_to_a_conversation(fake: FakeOpenAI) -> None:
    client = fake.client()
    conversation = client.conversations.create(items=HISTORY[:2])
    added = client.conversations.items.create(conversation.id, items=[HISTORY[2], REPLAYED])
    assert [i.role for i in added.data] == ["user", "assistant"]  # type: ignore[union-attr]
    listed = client.conversations.items.list(conversation.id, order="asc").data
    assert [i.role for i in listed] == ["user", "assistant", "user", "assistant"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "item",
    [
        # A user cannot send output_text: only an answer holds it.
        {"type": "message", "role": "user", "content": [{"type": "output_text", "text": "x"}]},
        # Leniency fills what is missing; what is there is still checked.
        {**REPLAYED, "status": "done"},
    ],
)
def test_what_the_api_refuses_is_still_refused(fake: FakeOpenAI, item: dict[str, Any]) -> None:
    client = fake.client()
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model="gpt-4o", input=[item])
    conversation = client.conversations.create()
    with pytest.raises(openai.BadRequestError):
        client.conversations.items.create(conversation.id, items=[item])
    assert client.conversations.items.list(conversation.id).data == []  # nothing added
