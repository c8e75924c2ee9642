"""The chat completion object, its stream chunks and its usage, as the API shapes them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..responses.objects import count_tokens

Obj = dict[str, Any]

#: What the fake says it runs on (the API sends one; clients log it).
FINGERPRINT = "fp_fake0000"


def usage(prompt: str, replies: Sequence[str]) -> Obj:
    prompt_tokens = count_tokens(prompt)
    completion_tokens = sum(count_tokens(r) for r in replies)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def tool_call(call_id: str, name: str, arguments: Any) -> Obj:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, separators=(",", ":"))
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


def message(content: str | None, tool_calls: Sequence[Obj] = ()) -> Obj:
    obj: Obj = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    if tool_calls:
        obj["tool_calls"] = list(tool_calls)
    return obj


def choice(index: int, msg: Obj) -> Obj:
    finish = "tool_calls" if msg.get("tool_calls") else "stop"
    return {"index": index, "message": msg, "logprobs": None, "finish_reason": finish}


def completion(completion_id: str, created: int, model: str, choices: list[Obj], use: Obj) -> Obj:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": use,
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    }


def chunks(obj: Mapping[str, Any], include_usage: bool) -> Iterator[Obj]:
    """The stream of ``obj``: per choice a role chunk, its content in pieces (or its tool calls),
    then a chunk with its finish reason; the usage last when asked for (``stream_options``)."""
    head = {k: obj[k] for k in ("id", "object", "created", "model", "service_tier", "system_fingerprint")}
    head["object"] = "chat.completion.chunk"

    def chunk(index: int, delta: Obj, finish: str | None = None) -> Obj:
        out: Obj = {
            **head,
            "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            out["usage"] = None
        return out

    for item in obj["choices"]:
        index, msg = item["index"], item["message"]
        yield chunk(
            index,
            {"role": "assistant", "content": "" if msg["content"] is not None else None, "refusal": None},
        )
        for position, call in enumerate(msg.get("tool_calls") or ()):
            yield chunk(index, {"tool_calls": [{"index": position, **call}]})
        text = msg["content"] or ""
        for start in range(0, len(text), 16):
            yield chunk(index, {"content": text[start : start + 16]})
        yield chunk(index, {}, item["finish_reason"])
    if include_usage:
        yield {**head, "choices": [], "usage": obj["usage"]}


def render(events: Iterator[Obj]) -> list[bytes]:
    """SSE data lines (the chat API sends no ``event:`` lines), then ``[DONE]``."""
    blocks = [
        f"data: {json.dumps(e, separators=(',', ':'), ensure_ascii=False)}\n\n".encode() for e in events
    ]
    blocks.append(b"data: [DONE]\n\n")
    return blocks


def error_event(message_text: str, code: str = "server_error") -> bytes:
    """What a broken chat stream ends with: ``data: {"error": {...}}`` (the SDK raises ``APIError``)."""
    error = {"message": message_text, "type": "server_error", "param": None, "code": code}
    return f"data: {json.dumps({'error': error}, separators=(',', ':'))}\n\n".encode()
