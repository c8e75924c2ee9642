"""The server-sent events of a response: their payloads, in the real recordings' order, and rendering.

Every response keeps an :class:`~assistant_harness.engine.events.EventLog` numbered from 0; a
payload is stored without ``type`` and ``sequence_number``, which rendering puts first and last.
The order a reply streams in (from ../real-cassettes/responses): ``response.created``,
``response.queued`` (background only), ``response.in_progress``, then per output item
``output_item.added``, ``content_part.added``, word-sized ``output_text.delta``\\ s,
``output_text.done``, ``content_part.done``, ``output_item.done`` (function calls:
``function_call_arguments.delta`` / ``.done`` between added and done), and the final
``response.completed`` / ``response.failed`` / ``response.incomplete``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import objects

if TYPE_CHECKING:
    from ...engine.events import Event, EventLog

Obj = dict[str, Any]

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}

_WORDS = re.compile(r"\s*\S+|\s+$")


def split_words(text: str) -> list[str]:
    """Word-sized deltas, each word with the space before it, as the real stream sends them."""
    return _WORDS.findall(text) or [""]


def emit_response(log: EventLog, name: str, obj: Obj, at: float) -> None:
    """A lifecycle event carrying the response as it is now (a shallow copy: the store never changes
    a nested value in place, it assigns new ones)."""
    log.append(name, {"response": dict(obj)}, at)


def emit_message(log: EventLog, index: int, item: Obj, at: float) -> None:
    """The events that stream an assistant message item (its text in word-sized deltas)."""
    item_id = item["id"]
    text = item["content"][0]["text"] if item["content"] else ""
    log.append(
        "response.output_item.added",
        {"item": {**item, "status": "in_progress", "content": []}, "output_index": index},
        at,
    )
    where = {"item_id": item_id, "content_index": 0, "output_index": index}
    log.append(
        "response.content_part.added",
        {"item_id": item_id, "part": objects.output_text(""), "content_index": 0, "output_index": index},
        at,
    )
    for delta in split_words(text):
        log.append("response.output_text.delta", {"delta": delta, "logprobs": [], **where}, at)
    log.append("response.output_text.done", {"text": text, "logprobs": [], **where}, at)
    log.append(
        "response.content_part.done",
        {"item_id": item_id, "content_index": 0, "part": objects.output_text(text), "output_index": index},
        at,
    )
    log.append("response.output_item.done", {"item": item, "output_index": index}, at)


def emit_function_call(log: EventLog, index: int, item: Obj, at: float) -> None:
    """The events that stream a function call item: added, argument deltas, done."""
    item_id = item["id"]
    log.append(
        "response.output_item.added",
        {"item": {**item, "status": "in_progress", "arguments": ""}, "output_index": index},
        at,
    )
    for delta in split_words(item["arguments"]):
        log.append(
            "response.function_call_arguments.delta",
            {"item_id": item_id, "output_index": index, "delta": delta},
            at,
        )
    log.append(
        "response.function_call_arguments.done",
        {"item_id": item_id, "name": item["name"], "output_index": index, "arguments": item["arguments"]},
        at,
    )
    log.append("response.output_item.done", {"item": item, "output_index": index}, at)


def emit_output(log: EventLog, output: list[Obj], at: float) -> None:
    for index, item in enumerate(output):
        if item["type"] == "function_call":
            emit_function_call(log, index, item, at)
        else:
            emit_message(log, index, item, at)


# -- rendering -------------------------------------------------------------------------------

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def payload(event: Event) -> Obj:
    """The JSON an event carries on the wire."""
    return {"type": event.name, **event.data, "sequence_number": event.sequence_number}


def render(events: Iterable[Event]) -> list[bytes]:
    """One chunk per event, as the API sends them (a Responses stream has no ``[DONE]`` line)."""
    return [f"event: {e.name}\ndata: {_encode(payload(e))}\n\n".encode() for e in events]


def error_event(message: str, code: str = "server_error", sequence_number: int = 0) -> bytes:
    """The ``error`` event of a failing stream: the spec's fields, and the same again under
    ``error`` (the SDK raises ``APIError`` only for data with an ``error`` object)."""
    error = {"type": "server_error", "code": code, "message": message, "param": None}
    data: Mapping[str, Any] = {
        "type": "error",
        "code": code,
        "message": message,
        "param": None,
        "error": error,
        "sequence_number": sequence_number,
    }
    return f"event: error\ndata: {_encode(data)}\n\n".encode()


_NUMBER = re.compile(rb'"sequence_number":(\d+)')


def next_number(chunks: list[bytes]) -> int:
    """The sequence number after the last of ``chunks`` (0 when none carries one)."""
    for chunk in reversed(chunks):
        found = _NUMBER.search(chunk)
        if found:
            return int(found.group(1)) + 1
    return 0
