"""Every payload the Responses endpoints answer, and every stream event, validates against the spec
(with the deviations the real recordings show, listed in docs/fidelity.md)."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI, Fault
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .. import spec as spec_helpers
from . import recordings as rec
from .test_scenarios import BACKGROUND, drive

TOOLS: list[Any] = [
    {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}
]


def _tour(fake: FakeOpenAI) -> None:
    """Every endpoint and every status: polls, streams, a tool round, cancel, delete, errors."""
    client = fake.client()
    first = client.responses.create(model="gpt-4o", input="Weather?", tools=TOOLS, background=True)
    time.sleep(1.5)
    client.responses.retrieve(first.id)
    time.sleep(5)
    done = client.responses.retrieve(first.id)
    call = done.output[0]
    second = client.responses.create(
        model="gpt-4o",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny"}],  # type: ignore[union-attr]
        background=True,
        stream=True,
    )
    list(second)
    client.responses.input_items.list(first.id)
    client.responses.input_tokens.count(model="gpt-4o", input="hi")
    for _ in range(3):  # failed, incomplete, cancelled by its script
        streamed = client.responses.create(model="gpt-4o", input="x", background=True, stream=True)
        list(streamed)
    cancelled = client.responses.create(model="gpt-4o", input="x", background=True)
    client.responses.cancel(cancelled.id)
    client.responses.delete(cancelled.id)
    for call_ in (lambda: client.responses.retrieve("resp_nope"), lambda: client.responses.cancel(first.id)):
        with contextlib.suppress(Exception):
            call_()
    with contextlib.suppress(Exception):
        list(client.responses.create(model="gpt-4o", input="x", background=True, stream=True))


SCENARIO = """
responses:
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 4}
      - status: completed
        tool_calls: [{name: get_weather, arguments: {city: Paris}}]
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 1}
      - {status: completed, reply: "Sunny, says {tool_output}."}
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 1}
      - {status: failed, error: {code: server_error}}
  - steps:
      - {status: in_progress, duration: 1}
      - {status: incomplete, reason: max_output_tokens, reply: "Cut"}
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 1}
      - {status: cancelled}
  - steps:
      - {status: queued, duration: 100}
      - {status: in_progress, duration: 1}
      - {status: completed}
"""


@pytest.fixture(scope="module")
def exchanges() -> list[tuple[ApiRequest, ApiResponse]]:
    from assistant_harness import Scenario

    seen: list[tuple[ApiRequest, ApiResponse]] = []
    faults = [Fault(endpoint="responses.create", stream="error", after_events=3, nth=5)]
    with FakeOpenAI(Scenario.from_yaml(SCENARIO), faults=faults) as fake:
        fake.backend.listeners.append(lambda request, response: seen.append((request, response)))
        _tour(fake)
    return [(q, a) for q, a in seen if q.path.startswith("/responses")]


def _as_recorded(payload: Any) -> Any:
    """The documented deviations undone, so the spec can judge the rest: the real API sends
    ``user: null`` (spec: a string), ``usage: null`` until the response ends (spec: an object) and
    usage without ``cache_write_tokens`` (spec: required)."""
    payload = copy.deepcopy(payload)
    for response in _responses_in(payload):
        for key in ("user", "usage"):
            if key in response and response[key] is None:
                del response[key]
        usage = response.get("usage")
        if usage:
            usage["input_tokens_details"].setdefault("cache_write_tokens", 0)
    return payload


def _responses_in(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict) and payload.get("object") == "response":
        return [payload]
    if isinstance(payload, dict) and isinstance(payload.get("response"), dict):
        return [payload["response"]]
    return []


def _schema_for(request: ApiRequest, response: ApiResponse) -> str:
    if response.status >= 400:
        return "ErrorResponse"
    if request.path.endswith("/input_items"):
        return "ResponseItemList"
    if request.path.endswith("/input_tokens"):
        return "TokenCountsResource"
    return "Response"


def _errors(schema: str, payload: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in spec_helpers.validator(schema).iter_errors(payload)
    ]


def test_the_tour_covers_every_endpoint_and_status(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    from assistant_harness.apis.served import BY_NAME, INDEX

    seen = {INDEX.find(q.method, q.path)[0].name for q, _ in exchanges}
    assert seen == {e.name for e in BY_NAME["responses"].endpoints}
    statuses = {
        e["response"]["status"]
        for _, a in exchanges
        if a.chunks is not None
        for e in rec.events(a.content.decode())
        if "response" in e
    }
    assert statuses == {"queued", "in_progress", "completed", "failed", "incomplete"}


def test_every_json_answer_fits_the_spec(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    checked = 0
    for request, response in exchanges:
        if response.chunks is not None or not response.content:
            continue
        payload = json.loads(response.content)
        if request.method == "DELETE" and response.status == 200:
            assert payload == {"id": payload["id"], "object": "response", "deleted": True}
            continue
        assert _errors(_schema_for(request, response), _as_recorded(payload)) == [], request.path
        checked += 1
    assert checked >= 8


def test_every_stream_event_fits_the_spec(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    kinds = set()
    for _, response in exchanges:
        if response.chunks is None:
            continue
        for event in rec.events(response.content.decode()):
            kinds.add(event["type"])
            assert _errors("ResponseStreamEvent", _as_recorded(event)) == [], event["type"]
    assert kinds >= {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
        "response.failed",
        "response.incomplete",
        "error",
    }


@pytest.mark.parametrize("name", BACKGROUND)
def test_every_event_of_every_shipped_scenario_fits_the_spec(name: str) -> None:
    """Each background scenario played to its end by the poller of tests/responses/test_scenarios.py,
    then every response's whole event log streamed (retrieve with stream=True, from the start):
    each event that goes over the wire validates against ResponseStreamEvent."""
    streamed: list[bytes] = []

    def keep(_: ApiRequest, answer: ApiResponse) -> None:
        if answer.chunks is not None:
            streamed.append(answer.content)

    with FakeOpenAI(name) as fake:
        fake.backend.listeners.append(keep)
        client = fake.client()
        drive(client, name)
        ids = [response.id for response in fake.responses]
        for response_id in ids:
            with contextlib.suppress(openai.APIError):  # a scripted fault may break one read: fine
                for _ in client.responses.retrieve(response_id, stream=True):
                    pass
    checked = 0
    for body in streamed:
        for event in rec.events(body.decode()):
            assert _errors("ResponseStreamEvent", _as_recorded(event)) == [], (name, event["type"])
            checked += 1
    assert ids and checked >= 2 * len(ids), (name, checked)
