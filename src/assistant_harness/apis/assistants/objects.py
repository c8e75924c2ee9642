"""Builders for the API's objects, with the real API's keys in the real API's order.

Key sets follow the recordings in ../shared/real-cassettes where they exist, plus every key the
OpenAPI spec marks required (documented in docs/fidelity.md): messages carry ``status``,
``incomplete_details``, ``completed_at`` and ``incomplete_at`` (the streamed API sends them, the
polled one omitted them); run steps carry the real ``expires_at`` and the spec's ``expired_at`` and
``metadata``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Obj = dict[str, Any]


def tool_resources_for(tools: Sequence[Mapping[str, Any]], given: Mapping[str, Any] | None) -> Obj:
    """The tool_resources the API echoes: one entry per resource-using tool, filled from ``given``."""
    given = given or {}
    out: Obj = {}
    kinds = {tool.get("type") for tool in tools}
    if "code_interpreter" in kinds or "code_interpreter" in given:
        out["code_interpreter"] = {"file_ids": list(given.get("code_interpreter", {}).get("file_ids") or [])}
    if "file_search" in kinds or "file_search" in given:
        out["file_search"] = {
            "vector_store_ids": list(given.get("file_search", {}).get("vector_store_ids") or [])
        }
    return out


#: The ranking the API reports for a file_search tool that names none.
DEFAULT_RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}


def tool(spec: Mapping[str, Any]) -> Obj:
    """A tool as the API echoes it: ``file_search`` gets its ranking options, a function its
    ``strict: false`` (``max_num_results`` stays out unless given: the API leaves it out too)."""
    kind = spec.get("type")
    if kind == "file_search":
        given = dict(spec.get("file_search") or {})
        ranking = {**DEFAULT_RANKING, **(given.get("ranking_options") or {})}
        out: Obj = {"type": "file_search", "file_search": {}}
        if given.get("max_num_results") is not None:
            out["file_search"]["max_num_results"] = given["max_num_results"]
        out["file_search"]["ranking_options"] = ranking
        return out
    if kind == "function":
        function = dict(spec.get("function") or {})
        if function.get("strict") is None:
            function["strict"] = False
        return {"type": "function", "function": function}
    return dict(spec)


def tools_for(specs: list[Mapping[str, Any]] | None) -> list[Obj]:
    return [tool(spec) for spec in specs or ()]


def assistant(object_id: str, created_at: int, body: Mapping[str, Any]) -> Obj:
    tools = tools_for(body.get("tools"))
    return {
        "id": object_id,
        "object": "assistant",
        "created_at": created_at,
        "name": body.get("name"),
        "description": body.get("description"),
        "model": body["model"],
        "instructions": body.get("instructions"),
        "tools": tools,
        "top_p": _or(body.get("top_p"), 1.0),
        "temperature": _or(body.get("temperature"), 1.0),
        "reasoning_effort": body.get("reasoning_effort"),
        "tool_resources": tool_resources_for(tools, body.get("tool_resources")),
        "metadata": dict(body.get("metadata") or {}),
        "response_format": _or(body.get("response_format"), "auto"),
    }


def thread(object_id: str, created_at: int, body: Mapping[str, Any]) -> Obj:
    return {
        "id": object_id,
        "object": "thread",
        "created_at": created_at,
        "metadata": dict(body.get("metadata") or {}),
        "tool_resources": tool_resources_for([], body.get("tool_resources")),
    }


def text_part(value: str) -> Obj:
    return {"type": "text", "text": {"value": value, "annotations": []}}


def message_content(content: str | list[Mapping[str, Any]]) -> list[Obj]:
    """A request's content (a string, or a list of parts) as the API stores it."""
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[Obj] = []
    for part in content:
        if part.get("type") == "text":
            parts.append(text_part(str(part.get("text", ""))))
        else:
            parts.append(dict(part))
    return parts


def message(
    object_id: str,
    created_at: int,
    thread_id: str,
    *,
    role: str,
    content: list[Obj],
    attachments: list[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    assistant_id: str | None = None,
    run_id: str | None = None,
    status: str = "completed",
) -> Obj:
    return {
        "id": object_id,
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "run_id": run_id,
        "status": status,
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": created_at if status == "completed" else None,
        "role": role,
        "content": content,
        "attachments": [dict(a) for a in attachments or []],
        "metadata": dict(metadata or {}),
    }


def run(
    object_id: str,
    created_at: int,
    thread_id: str,
    assistant_obj: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    expires_at: int,
) -> Obj:
    instructions = _or(body.get("instructions"), assistant_obj.get("instructions")) or ""
    if body.get("additional_instructions"):
        instructions = (
            f"{instructions}\n{body['additional_instructions']}"
            if instructions
            else body["additional_instructions"]
        )
    tools = body.get("tools")
    tools = list(assistant_obj["tools"]) if tools is None else tools_for(tools)
    return {
        "id": object_id,
        "object": "thread.run",
        "created_at": created_at,
        "assistant_id": assistant_obj["id"],
        "thread_id": thread_id,
        "status": "queued",
        "started_at": None,
        "expires_at": expires_at,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": _or(body.get("model"), assistant_obj["model"]),
        "instructions": instructions,
        "tools": tools,
        "tool_resources": tool_resources_for(tools, assistant_obj.get("tool_resources")),
        "metadata": dict(body.get("metadata") or {}),
        "temperature": _or(body.get("temperature"), assistant_obj.get("temperature"), 1.0),
        "top_p": _or(body.get("top_p"), assistant_obj.get("top_p"), 1.0),
        "reasoning_effort": body.get("reasoning_effort"),
        "max_completion_tokens": body.get("max_completion_tokens"),
        "max_prompt_tokens": body.get("max_prompt_tokens"),
        "truncation_strategy": _or(body.get("truncation_strategy"), {"type": "auto", "last_messages": None}),
        "incomplete_details": None,
        "usage": None,
        "response_format": _or(body.get("response_format"), assistant_obj.get("response_format"), "auto"),
        "tool_choice": _or(body.get("tool_choice"), "auto"),
        "parallel_tool_calls": _or(body.get("parallel_tool_calls"), True),
    }


def run_step(
    object_id: str,
    created_at: int,
    run_obj: Mapping[str, Any],
    step_details: Obj,
    *,
    status: str = "in_progress",
) -> Obj:
    return {
        "id": object_id,
        "object": "thread.run.step",
        "created_at": created_at,
        "run_id": run_obj["id"],
        "assistant_id": run_obj["assistant_id"],
        "thread_id": run_obj["thread_id"],
        "type": step_details["type"],
        "status": status,
        "cancelled_at": None,
        "completed_at": None,
        "expires_at": run_obj["expires_at"],
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": step_details,
        "usage": None,
        "metadata": {},
    }


def deleted(object_id: str, kind: str) -> Obj:
    return {"id": object_id, "object": f"{kind}.deleted", "deleted": True}


def usage(prompt_tokens: int, completion_tokens: int) -> Obj:
    # The token details are not in the spec's RunCompletionUsage, but the real API sends them.
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_token_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def _or(*values: Any) -> Any:
    """The first value that is not None (the API treats an explicit null as "use the default")."""
    for value in values:
        if value is not None:
            return value
    return None
