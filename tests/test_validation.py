"""Request validation: vendored from the spec, and agreeing with the spec on valid and broken bodies."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeAssistants
from assistant_harness.apis.common.errors import ApiError
from assistant_harness.apis.common.validation import SCHEMAS, validate

from . import spec as spec_helpers

ROOT = Path(__file__).resolve().parents[1]

#: A valid body per request schema, as rich as the schema allows.
VALID: dict[str, dict[str, Any]] = {
    "CreateResponse": {
        "model": "gpt-4o",
        "input": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
        ],
        "background": True,
        "instructions": "i",
        "metadata": {"k": "v"},
        "temperature": 0.5,
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "d",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": True,
            }
        ],
        "text": {
            "format": {"type": "json_schema", "name": "Out", "schema": {"type": "object"}, "strict": True}
        },
        "store": True,
    },
    "TokenCountsBody": {"model": "gpt-4o", "input": "hello", "instructions": "i"},
    "CreateAssistantRequest": {
        "model": "gpt-4o",
        "name": "n",
        "description": "d",
        "instructions": "i",
        "metadata": {"k": "v"},
        "temperature": 0.5,
        "top_p": 0.9,
        "response_format": "auto",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "file_search"},
            {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
        ],
        "tool_resources": {"code_interpreter": {"file_ids": ["file-1"]}},
    },
    "ModifyAssistantRequest": {"name": "n", "tools": [{"type": "code_interpreter"}], "metadata": {}},
    "CreateThreadRequest": {"messages": [{"role": "user", "content": "x"}], "metadata": {"a": "b"}},
    "ModifyThreadRequest": {"metadata": {"a": "b"}},
    "CreateMessageRequest": {
        "role": "user",
        "content": [{"type": "text", "text": "x"}],
        "attachments": [{"file_id": "file-1", "tools": [{"type": "file_search"}]}],
    },
    "ModifyMessageRequest": {"metadata": {"a": "b"}},
    "CreateRunRequest": {
        "assistant_id": "asst_1",
        "model": "gpt-4o",
        "instructions": "i",
        "additional_instructions": "a",
        "additional_messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "code_interpreter"}],
        "temperature": 1,
        "stream": False,
        "max_prompt_tokens": 1000,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
    },
    "ModifyRunRequest": {"metadata": {"a": "b"}},
    "SubmitToolOutputsRunRequest": {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]},
    "CreateThreadAndRunRequest": {
        "assistant_id": "asst_1",
        "thread": {"messages": [{"role": "user", "content": "x"}]},
        "instructions": "i",
        "temperature": 0.2,
    },
    "CreateVectorStoreRequest": {"name": "docs", "file_ids": ["file-1"], "metadata": {}},
    "UpdateVectorStoreRequest": {"name": "docs"},
    "CreateVectorStoreFileRequest": {"file_id": "file-1", "attributes": {"k": "v"}},
    "CreateVectorStoreFileBatchRequest": {"file_ids": ["file-1"]},
    "UpdateVectorStoreFileAttributesRequest": {"attributes": {"k": "v"}},
    "VectorStoreSearchRequest": {"query": "llama", "max_num_results": 5},
    # Assistant messages: a user message with `content: []` matches two of the spec's `oneOf` options
    # (EasyInputMessage and InputMessage), which the spec counts as invalid and the walker does not.
    "CreateConversationBody": {"metadata": {"k": "v"}, "items": [{"role": "assistant", "content": "hi"}]},
    "UpdateConversationBody": {"metadata": {"k": "v"}},
    "CreateConversationItemsBody": {
        "items": [
            {"role": "assistant", "content": "hi"},
            {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        ]
    },
    "CreateChatCompletionRequest": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
    "CreateEmbeddingRequest": {"model": "text-embedding-3-small", "input": ["a", "b"]},
    "CreateFineTuningJobRequest": {"model": "gpt-4o-mini", "training_file": "file-abc", "suffix": "marv"},
    "CreateBatchRequest": {
        "input_file_id": "file-abc",
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    },
}

WRONG_VALUES = [None, "zzz", 7, 2.5, True, [], ["x"], {}, {"type": "zzz"}, -1, 1000]


def _ours_accepts(name: str, body: Any) -> bool:
    try:
        validate(name, body)
    except ApiError:
        return False
    return True


def _vendor_tool() -> Any:
    loader = importlib.util.spec_from_file_location("vendor_schemas", ROOT / "tools" / "vendor_schemas.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def test_vendored_schemas_are_exactly_what_the_spec_gives() -> None:
    source = spec_helpers.require_shared(spec_helpers.SHARED_SPEC)
    module = _vendor_tool()
    schemas = ROOT / "src" / "assistant_harness" / "apis" / "common" / "schemas"
    vendored = (schemas / "requests.json").read_text(encoding="utf-8")
    assert vendored == module.render(source), "run: python tools/vendor_schemas.py"
    for_tests = spec_helpers.SPEC_PATH.read_text(encoding="utf-8")
    assert for_tests == module.render_for_tests(source), "run: python tools/vendor_schemas.py"


def test_every_validated_request_schema_has_a_sample() -> None:
    from assistant_harness.apis.served import INDEX

    # These validate in their handlers, after responses/leniency.py fills in what the API does not require.
    in_handlers = {"CreateResponse", "CreateConversationBody", "CreateConversationItemsBody"}
    assert {e.schema for e in INDEX if e.schema} | in_handlers == set(VALID)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_samples_pass_both(name: str) -> None:
    assert spec_helpers.validator(name).is_valid(VALID[name])
    validate(name, VALID[name])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_mutated_bodies_are_judged_as_the_spec_judges_them(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(VALID)), label="schema")
    body = copy.deepcopy(VALID[name])
    paths = list(_paths(body))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    path = data.draw(st.sampled_from(paths), label="path")
    parent, key = _parent(body, path)
    if action == "replace":
        parent[key] = data.draw(st.sampled_from(WRONG_VALUES), label="value")
    elif action == "delete" and isinstance(parent, dict):
        del parent[key]
    elif isinstance(parent, dict):
        parent["unexpected_" + str(key)] = 1
    expected = spec_helpers.validator(name).is_valid(body)
    assert _ours_accepts(name, body) == expected, json.dumps(body)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _parent(body: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    node = body
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


def test_messages_name_the_path() -> None:
    with pytest.raises(ApiError) as caught:
        validate("CreateThreadRequest", {"messages": [{"role": "user"}]})
    assert caught.value.message == "Missing required parameter: 'messages[0].content'."
    with pytest.raises(ApiError) as caught:
        validate("CreateAssistantRequest", {"model": "m", "metadata": {"k": 1}})
    assert (
        caught.value.message
        == "Invalid type for 'metadata.k': expected a string, but got an integer instead."
    )


def test_schemas_loaded_from_the_package_not_from_shared() -> None:
    assert "CreateRunRequest" in SCHEMAS and "AssistantToolsFunction" in SCHEMAS


# -- the spec's keywords beyond types: pattern, $recursiveRef, oneOf ---------------------------------


MCP = {"type": "mcp", "server_label": "x", "server_url": "https://mcp.example/sse"}


@pytest.mark.parametrize("tunnel", ["tunnel_x", "tunnel_" + "A" * 32, "tunnel_" + "a" * 32 + "\n", ""])
def test_a_value_outside_the_spec_s_pattern_is_refused(fake: FakeAssistants, tunnel: str) -> None:
    tools: Any = [{**MCP, "tunnel_id": tunnel}]
    with pytest.raises(openai.BadRequestError) as caught:
        fake.client().responses.create(model="gpt-4o", input="hi", tools=tools)
    assert caught.value.body == {  # the SDK's body is the error object itself
        "message": "Invalid 'tools[0].tunnel_id': string does not match pattern. "
        "Expected a string that matches the pattern '^tunnel_[a-z0-9]{32}$'.",
        "type": "invalid_request_error",
        "param": "tools[0].tunnel_id",
        "code": "invalid_value",
    }
    # (jsonschema reads ``$`` as Python does, a final newline allowed; JSON Schema's ``$`` is ECMA's.)
    if not tunnel.endswith("\n"):
        assert not spec_helpers.validator("CreateResponse").is_valid(
            {"model": "m", "input": "hi", "tools": tools}
        )
    assert fake.responses == []


def test_a_value_inside_the_pattern_is_accepted(fake: FakeAssistants) -> None:
    tools: Any = [{**MCP, "tunnel_id": "tunnel_" + "a0" * 16}]
    assert fake.client().responses.create(model="gpt-4o", input="hi", tools=tools).status == "completed"
    with pytest.raises(ApiError, match=r"'input\[0\]\.namespace': string does not match pattern"):
        validate(
            "CreateResponse",
            {
                "model": "m",
                "input": [{"type": "function_call_output", "call_id": "c", "output": "", "namespace": "a b"}],
            },
        )


def test_nested_compound_filters_are_checked_at_every_level(fake: FakeAssistants) -> None:
    """CompoundFilter's filters may be CompoundFilters (``$recursiveRef``): a broken one deep down is
    refused, as the spec says, not waved through as an unknown keyword."""
    client = fake.client()
    store = client.vector_stores.create(name="v")

    def compound(leaf: dict[str, Any]) -> dict[str, Any]:
        return {"type": "and", "filters": [{"type": "or", "filters": [leaf]}]}

    with pytest.raises(openai.BadRequestError) as caught:
        client.vector_stores.search(store.id, query="x", filters=compound({"type": "eq", "key": "a"}))  # type: ignore[arg-type]
    assert caught.value.body["param"] == "filters.filters[0].filters[0].value"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        client.vector_stores.search(store.id, query="x", filters=compound({"type": "xor", "filters": []}))  # type: ignore[arg-type]
    ok = compound({"type": "eq", "key": "a", "value": "b"})
    assert client.vector_stores.search(store.id, query="x", filters=ok).data == []  # type: ignore[arg-type]


def test_one_of_is_read_as_any_of_where_the_spec_s_options_overlap() -> None:
    """docs/fidelity.md: a user message with a content list fits both EasyInputMessage and InputMessage,
    so a strict ``oneOf`` (exactly one) refuses the SDK's most common input, which the API accepts."""
    for body in (
        {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}]},
        {"model": "gpt-4o", "input": [{"role": "user", "content": []}]},
    ):
        assert not spec_helpers.validator("CreateResponse").is_valid(body)
        validate("CreateResponse", body)


def test_chat_messages_are_told_apart_by_role() -> None:
    """Each message is checked against its own role's schema (not tried against every role in turn)."""
    with pytest.raises(ApiError) as caught:
        validate(
            "CreateChatCompletionRequest", {"model": "m", "messages": [{"role": "bogus", "content": "x"}]}
        )
    assert caught.value.param == "messages[0].role" and "'user'" in caught.value.message
    with pytest.raises(ApiError) as caught:
        validate(
            "CreateChatCompletionRequest", {"model": "m", "messages": [{"role": "tool", "content": "x"}]}
        )
    assert caught.value.message == "Missing required parameter: 'messages[0].tool_call_id'."
