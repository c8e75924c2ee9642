"""Every payload the Conversations endpoints answer validates against the spec's schemas (vendored
into the test spec tests/schemas/openapi.json, so this runs without ../shared)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from assistant_harness import FakeOpenAI, Scenario
from assistant_harness.apis.served import INDEX
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .. import answers

SCENARIO = """
responses:
  - steps:
      - {status: in_progress, duration: 1}
      - status: completed
        tool_calls: [{name: get_weather, arguments: {city: Paris}}]
"""


def _tour(fake: FakeOpenAI) -> None:
    client = fake.client(max_retries=0)
    conversation = client.conversations.create(
        metadata={"k": "v"}, items=[{"type": "message", "role": "user", "content": "Hi"}]
    )
    empty = client.conversations.create()
    client.conversations.items.list(empty.id)
    client.conversations.retrieve(conversation.id)
    client.conversations.update(conversation.id, metadata={"k": "w"})
    asked = client.responses.create(model="gpt-4o", input="Weather?", conversation=conversation.id)
    call = asked.output[0]
    client.responses.create(
        model="gpt-4o",
        conversation=conversation.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "22C"}],  # type: ignore[union-attr]
    )
    added = client.conversations.items.create(
        conversation.id,
        items=[
            {"role": "assistant", "content": "noted"},
            {"role": "user", "content": [{"type": "input_text", "text": "ok"}]},
        ],
    )
    every = list(client.conversations.items.list(conversation.id, limit=2))
    for item in every:
        client.conversations.items.retrieve(item.id, conversation_id=conversation.id)  # type: ignore[union-attr]
    client.conversations.items.delete(added.data[0].id, conversation_id=conversation.id)  # type: ignore[union-attr]
    client.conversations.delete(empty.id)
    for failing in (
        lambda: client.conversations.retrieve("conv_nope"),
        lambda: client.conversations.items.retrieve("msg_nope", conversation_id=conversation.id),
        lambda: client.conversations.create(items=[{"role": "user", "content": "x"}] * 21),
    ):
        with contextlib.suppress(Exception):
            failing()


@pytest.fixture(scope="module")
def exchanges() -> list[tuple[ApiRequest, ApiResponse]]:
    seen: list[tuple[ApiRequest, ApiResponse]] = []
    with FakeOpenAI(Scenario.from_yaml(SCENARIO)) as fake:
        fake.backend.listeners.append(lambda request, response: seen.append((request, response)))
        _tour(fake)
    return [(q, a) for q, a in seen if q.path.startswith(("/conversations", "/responses"))]


def _schema_for(request: ApiRequest, response: ApiResponse) -> str:
    if response.status >= 400:
        return "ErrorResponse"
    if request.path.startswith("/responses"):
        return "Response"
    endpoint, _ = INDEX.find(request.method, request.path)
    return {
        "conversations.delete": "DeletedConversationResource",
        "conversations.items.create": "ConversationItemList",
        "conversations.items.list": "ConversationItemList",
        "conversations.items.retrieve": "ConversationItem",
    }.get(endpoint.name, "ConversationResource")


def _as_documented(payload: Any) -> Any:
    """An empty list's ``first_id``/``last_id`` are null, as the API sends them (the spec says
    string; docs/fidelity.md)."""
    if isinstance(payload, dict) and payload.get("object") == "list" and not payload["data"]:
        return {**payload, "first_id": "", "last_id": ""}
    if isinstance(payload, dict) and payload.get("object") == "response":
        # The Responses API's recorded deviations (docs/fidelity.md): `user: null`, usage without
        # `cache_write_tokens`.
        payload = {k: v for k, v in payload.items() if not (k == "user" and v is None)}
        if payload.get("usage"):
            details = {"cache_write_tokens": 0, **payload["usage"]["input_tokens_details"]}
            payload["usage"] = {**payload["usage"], "input_tokens_details": details}
    return payload


def test_the_tour_covers_every_endpoint(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    served = {INDEX.find(q.method, q.path)[0].name for q, _ in exchanges}
    assert served == {e.name for e in INDEX if e.name.startswith("conversations.")} | {"responses.create"}
    assert {a.status for _, a in exchanges} == {200, 400, 404}


def test_every_payload_fits_the_spec(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    kinds = set()
    for request, response in exchanges:
        payload = json.loads(response.content)
        schema = _schema_for(request, response)
        kinds.add(schema)
        problems = answers.errors(schema, _as_documented(payload))
        assert not problems, f"{request.method} {request.path} ({schema}): {problems}\n{payload}"
    items = [
        i["type"]
        for q, a in exchanges
        if q.method == "GET" and q.path.endswith("/items")
        for i in json.loads(a.content)["data"]
    ]
    assert {"message", "function_call", "function_call_output"} <= set(items)
    assert len(kinds) == 6
    created = [json.loads(a.content) for q, a in exchanges if q.path == "/responses" and a.status == 200]
    assert [r["conversation"] for r in created] == [created[0]["conversation"]] * 2
