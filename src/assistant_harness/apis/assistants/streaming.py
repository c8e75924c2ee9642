"""Streamed runs: the server-sent events of a run, derived from the same timeline as polling.

A streamed request plays its run forward in virtual time until the run needs something from the
client (``requires_action``: the stream ends, and the tool-output submission opens the next one)
or ends, then sends the run's logged events from where the request started. Each event carries the
object exactly as polling would return it at that moment, since the events are logged by the same
side effects that polling sees.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...engine.events import Event
from ...http.messages import ApiResponse
from ..common.logged import json_text

if TYPE_CHECKING:
    from .runs import RunState
    from .store import Store

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def play(store: Store, run: RunState, after: int | None = None) -> Sequence[Event]:
    """Move virtual time along the run's timeline until it waits for the client or ends; return
    the events logged after sequence number ``after`` (``None``: all of them)."""
    store.sync(run)
    while not run.progress.is_waiting and not run.progress.is_final:
        due = run.progress.next_change()
        if due is None:  # stuck for ever: a real stream would hang until the client gives up
            break
        store.clock.advance_to(due)
        store.sync(run)
    return run.log.after(after)


def render(events: Sequence[Event], *, done: bool = True) -> list[bytes]:
    """One chunk per event, as the API sends them."""
    blocks = [f"event: {e.name}\ndata: {json_text(e.data)}\n\n" for e in events]
    if done:
        blocks.append(DONE)
    return [block.encode("utf-8") for block in blocks]


DONE = "event: done\ndata: [DONE]\n\n"


def error_event(message: str, code: str = "server_error") -> bytes:
    """The ``error`` event sent when a stream fails.

    Its data is the spec's Error object, with the same fields again under ``error``: the SDK raises
    ``APIError`` only for data shaped ``{"error": {...}}``, and the spec allows the extra key.
    """
    error = {"code": code, "message": message, "param": None, "type": "server_error"}
    data = {**error, "error": error}
    return f"event: error\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def stream_response(store: Store, run: RunState, after: int | None = None) -> ApiResponse:
    """The run's events after sequence number ``after`` as a server-sent event stream."""
    events = play(store, run, after)
    ended = run.progress.is_waiting or run.progress.is_final
    chunks = render(events, done=ended)
    return ApiResponse(200, b"".join(chunks), dict(SSE_HEADERS), chunks=chunks)
