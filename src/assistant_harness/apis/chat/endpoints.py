"""``POST /chat/completions`` (JSON, or an SSE stream ending ``data: [DONE]``); fault rules name it
``chat.completions.create``."""

from __future__ import annotations

from typing import Any

from ...http.messages import ApiRequest, ApiResponse
from ...http.routing import Endpoint
from ..registry import Api, Context
from . import objects
from .store import ChatCompletions, _no_scripts

Obj = dict[str, Any]

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def create(chat: ChatCompletions, request: ApiRequest, *, body: Obj) -> Obj | ApiResponse:
    obj = chat.create(body)
    if body.get("stream") is not True:
        return obj
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    chunks = objects.render(objects.chunks(obj, include_usage))
    return ApiResponse(200, b"".join(chunks), dict(SSE_HEADERS), chunks=chunks)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "chat.completions.create",
        "POST",
        "/chat/completions",
        create,
        schema="CreateChatCompletionRequest",
        beta=False,
    ),
)


def _build(context: Context) -> ChatCompletions:
    return ChatCompletions(context.clock, context.ids, context.option("chat_scripts", _no_scripts))


API = Api("chat", ENDPOINTS, _build, stream_error=lambda sent: objects.error_event)
