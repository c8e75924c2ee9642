"""Every response the fake serves validates against the response schema in OpenAI's spec."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant_harness import FakeAssistants, Step, Timeline
from assistant_harness.apis.assistants.endpoints import ENDPOINTS as ASSISTANTS
from assistant_harness.apis.served import INDEX
from assistant_harness.http.messages import ApiRequest, ApiResponse

from . import spec as spec_helpers
from .tour import TOOL_TIMELINE, tour


def _response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The spec's schema for the answer to ``method template`` with ``status`` (errors: ErrorResponse)."""
    if status >= 400:
        return {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in spec_helpers.spec()["paths"].items():
        if _template(path) == _template(template) and method.lower() in operations:
            content = operations[method.lower()]["responses"]["200"]["content"]
            schema: dict[str, Any] = content["application/json"]["schema"]
            return schema
    return None


def _template(spec_path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in spec_path.split("/"))


def _validate(schema: dict[str, Any], payload: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    root = {**schema, "components": {"schemas": spec_helpers.components()}}
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(root).iter_errors(payload)
    ]


def _allow_null_list_cursors(payload: Any) -> Any:
    """Documented deviation: on an empty page the real API sends first_id/last_id null (spec: string)."""
    if isinstance(payload, dict) and payload.get("object") == "list" and not payload.get("data"):
        return {**payload, "first_id": "", "last_id": ""}
    return payload


@pytest.fixture
def exchanges() -> list[tuple[ApiRequest, ApiResponse]]:
    seen: list[tuple[ApiRequest, ApiResponse]] = []
    with FakeAssistants(timeline=TOOL_TIMELINE) as fake:
        fake.backend.listeners.append(lambda request, response: seen.append((request, response)))
        tour(fake.client())
    return seen


def test_the_tour_covers_every_endpoint(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    hit = {
        INDEX.find(request.method, request.path)[0].path + " " + request.method for request, _ in exchanges
    }
    # The Assistants endpoints (the Responses and Conversations APIs have tours of their own).
    every = {endpoint.path + " " + endpoint.method for endpoint in ASSISTANTS}
    assert every - hit == set()


def test_every_response_validates_against_the_spec(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> None:
    problems = []
    for request, response in exchanges:
        endpoint, _ = INDEX.find(request.method, request.path)
        if response.headers.get("content-type") != "application/json":
            continue  # file content: raw bytes, as the spec says (type: string)
        schema = _response_schema(request.method, endpoint.path, response.status)
        assert schema is not None, f"no response schema in the spec for {request.method} {endpoint.path}"
        payload = _allow_null_list_cursors(json.loads(response.content))
        problems += [f"{request.method} {request.path} -> {p}" for p in _validate(schema, payload)]
    assert problems == [], "\n".join(problems)


def test_translate_nullable_matches_openapi_semantics() -> None:
    translated = spec_helpers.translate_nullable({"type": "string", "nullable": True, "enum": ["a"]})
    assert translated == {"type": ["string", "null"], "enum": ["a", None]}
    assert spec_helpers.translate_nullable({"$ref": "#/x", "nullable": True}) == {
        "anyOf": [{"$ref": "#/x"}, {"type": "null"}]
    }


TERMINAL_TIMELINES = {
    "failed": Timeline(
        [
            Step("queued", 1),
            Step("in_progress", 1),
            Step("failed", payload={"last_error": {"code": "rate_limit_exceeded"}}),
        ]
    ),
    "incomplete": Timeline([Step("queued", 1), Step("in_progress", 1), Step("incomplete")]),
    "expired": Timeline(
        [
            Step("queued", 1),
            Step("in_progress", 1),
            Step("requires_action", payload={"tool_calls": [{"name": "f"}]}),
        ]
    ),
    "cancelled": Timeline([Step("queued", 1), Step("in_progress", 100), Step("completed")]),
}


@pytest.mark.parametrize("outcome", sorted(TERMINAL_TIMELINES))
def test_terminal_runs_validate_against_the_spec(outcome: str) -> None:
    seen: list[tuple[ApiRequest, ApiResponse]] = []
    with FakeAssistants(timeline=TERMINAL_TIMELINES[outcome]) as fake:
        fake.backend.listeners.append(lambda request, response: seen.append((request, response)))
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
        )
        fake.advance(1.5)
        if outcome == "cancelled":
            client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
        fake.advance(700)
        final = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert final.status == outcome
        client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)
        client.beta.threads.messages.list(run.thread_id)
    problems = []
    for request, response in seen:
        endpoint, _ = INDEX.find(request.method, request.path)
        schema = _response_schema(request.method, endpoint.path, response.status)
        assert schema is not None
        problems += _validate(schema, _allow_null_list_cursors(json.loads(response.content)))
    assert problems == [], "\n".join(problems)
