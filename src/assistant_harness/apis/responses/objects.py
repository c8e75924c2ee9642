"""Response objects and their items, with the keys and key order the real API sends.

The order is the one of the real background recordings (``response.created`` events, which keep the
server's order); see docs/fidelity.md for where the recordings and the spec disagree (``user: null``,
``usage`` without ``cache_write_tokens``) and what the fake does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Obj = dict[str, Any]

#: Model aliases the API answers with a dated snapshot (others are echoed as given).
MODEL_SNAPSHOTS = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
}


def response(response_id: str, created_at: int, body: Mapping[str, Any], *, status: str) -> Obj:
    """A new response object for a create request ``body`` (already validated), in ``status``."""
    model = str(body.get("model") or "gpt-4o")
    obj: Obj = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": bool(body.get("background") or False),
        "completed_at": None,
        "error": None,
        "frequency_penalty": _given(body, "frequency_penalty", 0.0),
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": MODEL_SNAPSHOTS.get(model, model),
        "output": [],
        "parallel_tool_calls": _given(body, "parallel_tool_calls", True),
        "presence_penalty": _given(body, "presence_penalty", 0.0),
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "prompt_cache_retention": body.get("prompt_cache_retention"),
        "reasoning": _reasoning(body.get("reasoning")),
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": body.get("service_tier") or "auto",
        "store": _given(body, "store", True),
        "temperature": float(_given(body, "temperature", 1.0)),
        "text": text_config(body.get("text")),
        "tool_choice": _given(body, "tool_choice", "auto"),
        "tools": [tool(t) for t in body.get("tools") or ()],
        "top_logprobs": _given(body, "top_logprobs", 0),
        "top_p": float(_given(body, "top_p", 1.0)),
        "truncation": _given(body, "truncation", "disabled"),
        "usage": None,
        "user": body.get("user"),
        "metadata": dict(body.get("metadata") or {}),
    }
    conversation = body.get("conversation")
    if conversation is not None:  # only a response created in a conversation names it
        obj["conversation"] = {"id": conversation if isinstance(conversation, str) else conversation["id"]}
    return obj


def _given(body: Mapping[str, Any], key: str, default: Any) -> Any:
    value = body.get(key)
    return default if value is None else value


def _reasoning(given: Mapping[str, Any] | None) -> Obj:
    given = given or {}
    return {"effort": given.get("effort"), "summary": given.get("summary")}


def text_config(given: Mapping[str, Any] | None) -> Obj:
    """``text`` as echoed: the format (``text`` by default, a JSON schema completed) and verbosity."""
    given = given or {}
    fmt = dict(given.get("format") or {"type": "text"})
    if fmt.get("type") == "json_schema":
        fmt = {
            "type": "json_schema",
            "description": fmt.get("description"),
            "name": fmt.get("name"),
            "schema": fmt.get("schema"),
            "strict": bool(fmt.get("strict") or False),
        }
    return {"format": fmt, "verbosity": given.get("verbosity") or "medium"}


def tool(given: Mapping[str, Any]) -> Obj:
    """A tool as the API echoes it: function tools completed with ``description`` and ``strict``."""
    if given.get("type") != "function":
        return dict(given)
    return {
        "type": "function",
        "description": given.get("description"),
        "name": given["name"],
        "parameters": given.get("parameters"),
        "strict": True if given.get("strict") is None else given["strict"],
    }


# -- output items ----------------------------------------------------------------------------


def output_text(text: str) -> Obj:
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def message(item_id: str, text: str | None, *, status: str = "completed") -> Obj:
    """An assistant message item; ``text=None`` gives the empty item a stream announces first."""
    content = [] if text is None else [output_text(text)]
    return {"id": item_id, "type": "message", "status": status, "content": content, "role": "assistant"}


def function_call(item_id: str, call_id: str, name: str, arguments: Any, *, status: str = "completed") -> Obj:
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, separators=(",", ":"))
    return {
        "id": item_id,
        "type": "function_call",
        "status": status,
        "arguments": arguments,
        "call_id": call_id,
        "name": name,
    }


def usage(input_tokens: int, output_tokens: int) -> Obj:
    """Usage as the real API sends it (no ``cache_write_tokens``, which the spec lists)."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def deleted(response_id: str) -> Obj:
    return {"id": response_id, "object": "response", "deleted": True}


def input_tokens(count: int) -> Obj:
    return {"object": "response.input_tokens", "input_tokens": count}


# -- input items -----------------------------------------------------------------------------


def input_items(given: str | Sequence[Mapping[str, Any]] | None, new_id: Any) -> list[Obj]:
    """The request's ``input`` as the API lists it back: every item typed, with an ``id`` and ``status``.

    ``new_id(kind)`` makes ids (``message``, ``function_call``, ``function_call_output``).
    """
    if given is None:
        return []
    if isinstance(given, str):
        return [_input_message("user", given, new_id("message"))]
    items: list[Obj] = []
    for item in given:
        # The spec lets ``type`` be left out of a message (it has a role) and of an item reference.
        kind = item.get("type") or ("message" if "role" in item else "item_reference")
        if kind == "message":
            items.append(_input_message(item["role"], item["content"], item.get("id") or new_id("message")))
        elif kind == "function_call":
            items.append(
                function_call(
                    item.get("id") or new_id("function_call"),
                    item["call_id"],
                    item["name"],
                    item["arguments"],
                    status=item.get("status") or "completed",
                )
            )
        elif kind == "function_call_output":
            items.append(
                {
                    "id": item.get("id") or new_id("function_call_output"),
                    "type": "function_call_output",
                    "status": item.get("status") or "completed",
                    "call_id": item.get("call_id"),
                    "output": item["output"],
                }
            )
        else:  # other item kinds (reasoning, item references, built-in tool calls): as sent
            items.append({"id": item.get("id") or new_id("message"), **item, "type": kind})
    return items


def _input_message(role: str, content: str | Sequence[Mapping[str, Any]], item_id: str) -> Obj:
    if isinstance(content, str):
        kind = "output_text" if role == "assistant" else "input_text"
        parts: list[Obj] = [
            output_text(content) if kind == "output_text" else {"type": kind, "text": content}
        ]
    else:
        parts = [dict(part) for part in content]
    return {"id": item_id, "type": "message", "status": "completed", "content": parts, "role": role}


def text_of(items: Sequence[Mapping[str, Any]]) -> str:
    """All the text of the messages among ``items`` (for token counts)."""
    out: list[str] = []
    for item in items:
        if item.get("type") == "message":
            out.extend(str(p.get("text", "")) for p in item.get("content", ()))
        elif item.get("type") == "function_call_output" and isinstance(item.get("output"), str):
            out.append(item["output"])
    return " ".join(out)


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about four characters a token, as the API averages."""
    return len(text) // 4 + 1
