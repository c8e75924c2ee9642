"""What changes when a response enters a status: its fields, its output items, its stream events.

The engine says *when* a response changes status (its timeline on the virtual clock, a cancel);
this module says *what else* changes then. Nested values are replaced, never changed in place, so
an event's shallow copy of the response stays as it was.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ...engine import lifecycle as lc
from . import events, objects
from .state import ReplyContext, ReplyFn, ResponseState, default_reply
from .statuses import (
    CANCELLED,
    COMPLETED,
    ERROR_MESSAGES,
    EVENT_OF,
    FAILED,
    FINAL,
    INCOMPLETE,
    QUEUED,
)

Obj = dict[str, Any]


class _Clock(Protocol):
    def elapsed(self) -> float: ...


class _Ids(Protocol):
    def new(self, kind: str) -> str: ...


class ResponseHost(Protocol):
    """What a response's side effects need of its store: the clock, new ids, API timestamps and
    who to tell when a response ends (its conversation, webhook listeners); a protocol, so effects
    and the store do not import each other."""

    @property
    def clock(self) -> _Clock: ...

    @property
    def ids(self) -> _Ids: ...

    def timestamp(self, elapsed: float) -> int: ...

    def new_id(self, prefix: str) -> str: ...

    @property
    def end_listeners(self) -> Sequence[object]: ...

    def conversation_ended(self, state: ResponseState, add_items: bool) -> None: ...

    def ended(self, state: ResponseState, status: str, at: float) -> None: ...


def start(store: ResponseHost, state: ResponseState, now: float) -> None:
    """The response was just created: note its first status and the first events."""
    status = state.progress.status
    if status == QUEUED:
        state.history.append((QUEUED, now))
        if state.obj["background"]:
            events.emit_response(state.events, "response.created", state.obj, now)
            events.emit_response(state.events, "response.queued", state.obj, now)
    else:  # a timeline that starts past queued: its first status has side effects too
        apply(store, state, lc.Transition(0, status, now))


def apply(store: ResponseHost, state: ResponseState, transition: lc.Transition) -> None:
    """Make the response reflect that it entered ``transition``."""
    step = state.progress.steps[transition.index]
    status, at = transition.status, transition.at
    output: list[Obj] | None = None
    if status in (COMPLETED, INCOMPLETE):
        output = _output(store, state, step.payload, status)  # a failing reply fails before any change
    obj = state.obj
    state.history.append((status, at))
    log = state.events
    if not log:
        # A foreground response announces itself when it starts (``in_progress``, no ``queued``).
        events.emit_response(log, "response.created", {**obj, "status": status}, at)
    obj["status"] = status
    if status == FAILED:
        obj["error"] = _error(step.payload)
    elif status == INCOMPLETE:
        obj["incomplete_details"] = {"reason": step.payload.get("reason", "max_output_tokens")}
    if output is not None:
        obj["output"] = output
        obj["usage"] = _usage(state, output)
        obj["service_tier"] = "default"
        events.emit_output(log, output, at)
    if status == COMPLETED:
        obj["completed_at"] = store.timestamp(at)
    name = EVENT_OF.get(status)
    if name is not None and status != CANCELLED:
        events.emit_response(log, name, obj, at)
    if status in (COMPLETED, INCOMPLETE, FAILED):
        # Polls of a finished response carry the billing block (stream events do not).
        obj["billing"] = {"payer": "developer"}
    if status in FINAL:
        if state.conversation_id is not None:
            store.conversation_ended(state, add_items=status in (COMPLETED, INCOMPLETE))
        if store.end_listeners:
            store.ended(state, status, at)


def cancel(store: ResponseHost, state: ResponseState) -> None:
    """Cancel an in-flight background response: it ends ``cancelled`` at once."""
    apply(store, state, state.progress.cancel(store.clock.elapsed()))


def _output(store: ResponseHost, state: ResponseState, payload: Mapping[str, Any], status: str) -> list[Obj]:
    calls = payload.get("tool_calls") or ()
    output: list[Obj] = []
    if not calls or payload.get("reply") is not None:
        text = _reply_text(state, payload)
        item_status = "completed" if status == COMPLETED else "incomplete"
        output.append(objects.message(store.new_id("msg"), text, status=item_status))
    for spec in calls:
        arguments = spec.get("arguments", {})
        output.append(
            objects.function_call(
                store.new_id("fc"),
                spec.get("id") or store.ids.new("call"),
                spec["name"],
                arguments if isinstance(arguments, str) else json.dumps(arguments, separators=(",", ":")),
            )
        )
    return output


def reply_context(state: ResponseState) -> ReplyContext:
    """The conversation so far; ``tool_outputs[-1]`` is what this response's input sent back."""
    outputs = [list(state.tool_outputs)] if state.tool_outputs else []
    return ReplyContext(state.obj, [*state.context, *state.input], outputs)


def _reply_text(state: ResponseState, payload: Mapping[str, Any]) -> str:
    reply: str | ReplyFn | None = payload.get("reply")
    context = reply_context(state)
    if reply is None:
        return default_reply(context)
    return reply if isinstance(reply, str) else reply(context)


def _error(payload: Mapping[str, Any]) -> Obj:
    given = payload.get("last_error") or payload.get("error") or {}
    code = given.get("code") or "server_error"
    message = given.get("message") or ERROR_MESSAGES.get(code, ERROR_MESSAGES["server_error"])
    return {"code": code, "message": message}


def _usage(state: ResponseState, output: list[Obj]) -> Obj:
    prompt = objects.text_of([*state.context, *state.input])
    if state.obj.get("instructions"):
        prompt += " " + str(state.obj["instructions"])
    written = " ".join(
        item["content"][0]["text"] if item["type"] == "message" else item["arguments"] for item in output
    )
    return objects.usage(objects.count_tokens(prompt), objects.count_tokens(written))
