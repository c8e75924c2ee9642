"""The same test twice gives byte-identical responses, cassettes and webhook deliveries; ids are
seeded, times come from the clock. For the Assistants tour and for Responses, Conversations and webhooks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import openai

from assistant_harness import FakeAssistants, FakeOpenAI, Scenario, WebhookDelivery, use_cassette
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .tour import TOOL_TIMELINE, tour


def _record(seed: int = 0, *, via_client: bool = True) -> list[tuple[int, bytes, dict[str, str]]]:
    seen: list[tuple[int, bytes, dict[str, str]]] = []

    def keep(_: ApiRequest, response: ApiResponse) -> None:
        seen.append((response.status, response.content, dict(response.headers)))

    with FakeAssistants(timeline=TOOL_TIMELINE, seed=seed) as fake:
        fake.backend.listeners.append(keep)
        tour(fake.client() if via_client else openai.OpenAI(api_key="sk-test"))
    return seen


def test_same_flow_twice_is_byte_identical() -> None:
    first, second = _record(), _record()
    assert len(first) > 50
    assert first == second


def test_interception_and_mock_transport_give_the_same_bytes() -> None:
    assert _record(via_client=True) == _record(via_client=False)


def test_another_seed_gives_other_ids() -> None:
    assert _record(seed=1) != _record(seed=0)


def test_ids_carry_the_real_prefixes(fake: FakeAssistants) -> None:
    client = fake.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    step = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data[0]
    message = client.beta.threads.messages.list(run.thread_id).data[0]
    upload = client.files.create(file=("a.txt", b"a"), purpose="assistants")
    store = client.vector_stores.create()
    prefixes = [
        assistant.id[:5],
        run.thread_id[:7],
        run.id[:4],
        step.id[:5],
        message.id[:4],
        upload.id[:5],
        store.id[:3],
    ]
    assert prefixes == ["asst_", "thread_", "run_", "step_", "msg_", "file-", "vs_"]
    assert len(run.id) == len("run_") + 24


SECRET = "whsec_" + "ZGV0ZXJtaW5pc20tc2VjcmV0LTMyLWJ5dGVzLWxvbmc="
TOOLS: Any = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}]


SCENARIO = Scenario.from_yaml("""
responses:
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 4}
      - status: completed
        tool_calls: [{name: get_weather, arguments: {city: Paris}}]
  - steps: [{status: in_progress, duration: 2}, {status: completed, reply: "Sunny in Paris."}]
  - steps: [{status: queued, duration: 1}, {status: in_progress, duration: 3}, {status: completed}]
  - steps: [{status: queued, duration: 5}, {status: in_progress, duration: 60}, {status: completed}]
""")


def _responses_tour(client: openai.OpenAI) -> None:
    """Conversations, background and streamed responses, a tool round, resume, cancel, listings."""
    asked = client.responses.create(model="gpt-4o", input="Weather?", tools=TOOLS, background=True)
    time.sleep(10)
    call = client.responses.retrieve(asked.id).output[0]
    answered = client.responses.create(
        model="gpt-4o",
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny"}],  # type: ignore[union-attr]
        tools=TOOLS,
        background=True,
        stream=True,
    )
    response_id = next(iter(answered)).response.id  # type: ignore[union-attr]
    list(answered)
    list(client.responses.retrieve(response_id, stream=True, starting_after=2))
    client.responses.input_items.list(response_id)
    conversation = client.conversations.create(
        metadata={"topic": "weather"}, items=[{"role": "user", "content": "hi"}]
    )
    chat = client.responses.create(
        model="gpt-4o", input="Hello", conversation=conversation.id, background=True
    )
    time.sleep(10)
    client.responses.retrieve(chat.id)
    cancelled = client.responses.create(model="gpt-4o", input="Never mind", background=True)
    client.responses.cancel(cancelled.id)
    client.conversations.items.create(conversation.id, items=[{"role": "user", "content": "thanks"}])
    items = client.conversations.items.list(conversation.id)
    client.conversations.items.delete(items.data[0].id, conversation_id=conversation.id)
    client.conversations.update(conversation.id, metadata={"topic": "done"})
    client.conversations.retrieve(conversation.id)
    client.responses.delete(chat.id)
    client.conversations.delete(conversation.id)
    time.sleep(3600)  # every webhook delivered


def _record_responses(cassette: Path, seed: int = 0) -> tuple[list[Any], list[Any], bytes]:
    answers: list[tuple[int, bytes, dict[str, str]]] = []
    deliveries: list[tuple[bytes, dict[str, str]]] = []

    def keep(_: ApiRequest, response: ApiResponse) -> None:
        answers.append((response.status, response.content, dict(response.headers)))

    def receive(delivery: WebhookDelivery) -> int:
        deliveries.append((delivery.body, dict(delivery.headers)))
        return 200

    with (
        FakeOpenAI(SCENARIO, seed=seed, webhook_secret=SECRET) as fake,
        use_cassette(cassette, record_mode="all"),
    ):
        fake.backend.listeners.append(keep)
        fake.webhooks.add(receive)
        _responses_tour(openai.OpenAI(api_key="sk-test"))
    return answers, deliveries, cassette.read_bytes()


def test_responses_conversations_and_webhooks_twice_are_byte_identical(tmp_path: Path) -> None:
    first = _record_responses(tmp_path / "first.json")
    second = _record_responses(tmp_path / "second.json")
    answers, deliveries, cassette = first
    assert len(answers) > 15 and len(deliveries) >= 4 and b"resp_" in cassette and b"conv_" in cassette
    assert first[0] == second[0]
    assert first[1] == second[1]  # bodies, webhook-id, webhook-timestamp, signature
    assert first[2] == second[2]
    assert _record_responses(tmp_path / "other.json", seed=1)[0] != answers
