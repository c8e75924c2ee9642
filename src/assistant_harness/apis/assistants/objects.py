"""Builders for the API's objects, with the real API's keys in the real API's order.

Key sets follow the recordings in ../shared/real-cassettes where they exist, plus every key the
OpenAPI spec marks required (documented in docs/fidelity.md): messages carry ``status``,
``incomplete_details``, ``completed_at`` and ``incomplete_at`` (the streamed API sends them, the
polled one omitted them); run steps carry the real ``expires_at`` and the spec's ``expired_at`` and
``metadata``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]


def tool_resources_for(tools: list[Mapping[str, Any]], given: Mapping[str, Any] | None) -> Obj:
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


def assistant(object_id: str, created_at: int, body: Mapping[str, Any]) -> Obj:
    tools = list(body.get("tools") or [])
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
    tools = list(assistant_obj["tools"] if tools is None else tools)
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


def file(object_id: str, created_at: int, *, filename: str, purpose: str, size: int) -> Obj:
    # expires_at and status_details are optional and not nullable in the spec: left out when unset.
    return {
        "id": object_id,
        "object": "file",
        "bytes": size,
        "created_at": created_at,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }


def vector_store(object_id: str, created_at: int, body: Mapping[str, Any]) -> Obj:
    obj: Obj = {
        "id": object_id,
        "object": "vector_store",
        "created_at": created_at,
        "name": body.get("name") or "",
        "usage_bytes": 0,
        "file_counts": {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, "total": 0},
        "status": "completed",
        "expires_at": None,
        "last_active_at": created_at,
        "metadata": dict(body.get("metadata") or {}),
    }
    if body.get("expires_after") is not None:
        obj["expires_after"] = body["expires_after"]
    return obj


def vector_store_file(
    file_obj: Mapping[str, Any], created_at: int, store_id: str, body: Mapping[str, Any]
) -> Obj:
    return {
        "id": file_obj["id"],
        "object": "vector_store.file",
        "usage_bytes": file_obj["bytes"],
        "created_at": created_at,
        "vector_store_id": store_id,
        "status": "completed",
        "last_error": None,
        "chunking_strategy": _or(
            body.get("chunking_strategy"),
            {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}},
        ),
        "attributes": dict(body.get("attributes") or {}),
    }


def deleted(object_id: str, kind: str) -> Obj:
    return {"id": object_id, "object": f"{kind}.deleted", "deleted": True}


def usage(prompt_tokens: int, completion_tokens: int) -> Obj:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _or(*values: Any) -> Any:
    """The first value that is not None (the API treats an explicit null as "use the default")."""
    for value in values:
        if value is not None:
            return value
    return None
