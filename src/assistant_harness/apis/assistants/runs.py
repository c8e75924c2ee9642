"""How a run's lifecycle transitions change the Assistants resources (the side effects).

The lifecycle engine says *when* a run changes status; this module says *what else* changes
then: timestamps, ``required_action`` and its tool calls, run steps, the assistant's message,
``last_error``, ``usage``, and the thread's lock. A run needs little of the store around it: a
clock, ids and timestamps (:class:`RunHost`) and its thread's messages and lock
(:class:`RunThread`), so this module imports nothing from the store. The run's state is in
:mod:`.run_state` (its names are re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...engine import lifecycle as lc
from ...errors import call_user
from ..common.errors import ApiError
from ..common.logged import Logged
from . import content, objects, tools
from .content import DELTA_SIZE, split_text  # noqa: F401  (the names reply code imported from here)
from .run_state import ReplyContext, ReplyFn, RunHost, RunState, RunThread, default_reply
from .statuses import (
    CANCELLED,
    CANCELLING,
    COMPLETED,
    EXPIRED,
    FAILED,
    IN_PROGRESS,
    INCOMPLETE,
    REPLIES,
    REQUIRES_ACTION,
    RUN_MODEL,
    TIMESTAMP_OF,
)

__all__ = [
    "ERROR_MESSAGES",
    "ON_ENTER",
    "ReplyContext",
    "ReplyFn",
    "RunHost",
    "RunState",
    "RunThread",
    "apply",
    "cancel",
    "default_reply",
    "emit",
    "split_text",
    "submit_tool_outputs",
]

Obj = dict[str, Any]


#: The ``last_error`` a ``failed`` step gets for each error code when it gives no message.
ERROR_MESSAGES = {
    "server_error": "Sorry, something went wrong.",
    "rate_limit_exceeded": "You exceeded your current quota, please check your plan and billing details.",
    "invalid_prompt": "Invalid prompt: your prompt was flagged as potentially violating our usage policy.",
}


def emit(run: RunState, name: str, obj: Obj, *then: str) -> None:
    """Log an event; the object is kept as it is at this moment (pickled, or as text for a stream).
    ``then``: the events sent straight after it of the same object, unchanged (kept once for all)."""
    logged = Logged(obj, as_text=run.streamed)
    run.log.append(name, logged, run.moment)
    for name_then in then:
        run.log.append(name_then, logged.again(), run.moment)


def apply(store: RunHost, run: RunState, transition: lc.Transition) -> None:
    """Make the resources reflect that ``run`` entered ``transition``."""
    step = run.progress.steps[transition.index]
    status = transition.status
    payload = step.payload
    if status in REPLIES and callable(payload.get("reply")):
        # Computed once (a callable may count or draw), and before anything changes, so one that fails
        # leaves the run as it was; the effects below get the text. A default reply waits until the
        # built-in tool calls have finished, since it cites what they found.
        payload = {**payload, "reply": _reply_text(run, payload)}
    obj = run.obj
    unchanged = obj["status"] == status and transition.index > 0  # another round of tool calls
    run.moment = transition.at
    run.history.append((status, transition.at))
    at = store.timestamp(transition.at)
    if run.tools.step is not None and status not in _ENDS_TOOL_CALLS:
        tools.finish(store, run, at, _emitter(run))  # the built-in calls ran until now
    obj["status"] = status
    stamp = TIMESTAMP_OF.get(status)
    if stamp is not None and obj[stamp] is None:
        obj[stamp] = at
    effect = ON_ENTER.get(status)
    if effect is not None:
        effect(store, run, payload, at)
    if status in RUN_MODEL.final:
        obj["required_action"] = None
        if status != EXPIRED:
            obj["expires_at"] = None
        if run.thread.active is run:
            run.thread.active = None
    if not unchanged:
        emit(run, f"thread.run.{status}", obj)


#: The statuses that stop built-in tool calls still running (rather than let them finish).
_ENDS_TOOL_CALLS = frozenset({FAILED, CANCELLED, EXPIRED, CANCELLING})


def _emitter(run: RunState) -> tools.Emit:
    return lambda name, obj: emit(run, name, obj)


def submit_tool_outputs(store: RunHost, run: RunState, outputs: list[Obj]) -> None:
    """Check ``outputs`` against the pending calls as the API does, then move the run on."""
    if not run.progress.is_waiting:
        status = run.obj["status"]
        raise ApiError(400, f'Runs in status "{status}" do not accept tool outputs.')
    expected = sorted(call["id"] for call in run.pending_calls)
    got = sorted(str(o.get("tool_call_id")) for o in outputs)
    if expected != got:
        raise ApiError(400, f"Expected tool outputs for call_ids {expected}, got {got}.")
    for index, output in enumerate(outputs):
        if not isinstance(output.get("output"), str):
            raise ApiError(
                400,
                f"Missing required parameter: 'tool_outputs[{index}].output'.",
                param=f"tool_outputs[{index}].output",
                code="missing_required_parameter",
            )
    now = store.clock.elapsed()
    at = store.timestamp(now)
    run.moment = now
    by_id = {o["tool_call_id"]: o["output"] for o in outputs}
    if run.tool_step is not None:
        for call in run.tool_step["step_details"]["tool_calls"]:
            call["function"]["output"] = by_id[call["id"]]
        run.tool_step["status"] = "completed"
        run.tool_step["completed_at"] = at
        emit(run, "thread.run.step.completed", run.tool_step)
        run.tool_step = None
    run.tool_outputs.append([{"tool_call_id": o["tool_call_id"], "output": o["output"]} for o in outputs])
    run.pending_calls = []
    run.obj["required_action"] = None
    apply(store, run, run.progress.submit(now))


def cancel(store: RunHost, run: RunState) -> None:
    """Start cancelling an active run; 400 on a run that already ended."""
    if not run.progress.can_cancel:
        raise ApiError(400, f"Cannot cancel run with status '{run.obj['status']}'.")
    apply(store, run, run.progress.cancel(store.clock.elapsed()))


def _require_action(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    calls: list[Obj] = []
    for spec in payload.get("tool_calls", ()):
        arguments = spec.get("arguments", "{}")
        calls.append(
            {
                "id": spec.get("id") or store.ids.new("call"),
                "type": "function",
                "function": {
                    "name": spec["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                },
            }
        )
    run.pending_calls = calls
    run.obj["required_action"] = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}}
    details = {
        "type": "tool_calls",
        "tool_calls": [{**call, "function": {**call["function"], "output": None}} for call in calls],
    }
    run.tool_step = _new_step(store, run, details, at)
    deltas = [
        {"index": i, **call, "function": {**call["function"], "output": None}} for i, call in enumerate(calls)
    ]
    emit(
        run,
        "thread.run.step.delta",
        {
            "id": run.tool_step["id"],
            "object": "thread.run.step.delta",
            "delta": {"step_details": {"type": "tool_calls", "tool_calls": deltas}},
        },
    )


def _work(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    specs = payload.get("tool_calls")
    if specs:  # built-in tool calls, running while this in_progress step lasts
        tools.begin(
            store,
            run,
            list(specs),
            at,
            lambda details, when: _new_step(store, run, details, when),
            _emitter(run),
        )


def _complete(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    _write_reply(store, run, payload, at)


def _fail(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    run.obj["last_error"] = _last_error(payload)
    _close_open_steps(run, FAILED, at, run.obj["last_error"])


def _cancelled(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    _close_open_steps(run, CANCELLED, at)


def _expire(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    _close_open_steps(run, EXPIRED, at)


def _incomplete(store: RunHost, run: RunState, payload: Mapping[str, Any], at: int) -> None:
    reason = payload.get("reason", "max_completion_tokens")
    run.obj["incomplete_details"] = {"reason": reason}
    _write_reply(store, run, payload, at, incomplete_reason=reason)


def _write_reply(
    store: RunHost,
    run: RunState,
    payload: Mapping[str, Any],
    at: int,
    *,
    incomplete_reason: str | None = None,
) -> None:
    thread = run.thread
    messages = list(thread.messages.values())
    text = _reply_text(run, payload)
    status = "completed" if incomplete_reason is None else "incomplete"
    message = objects.message(
        store.ids.new("message"),
        at,
        thread.obj["id"],
        role="assistant",
        content=tools.reply_content(run, text),
        assistant_id=run.obj["assistant_id"],
        run_id=run.obj["id"],
        status=status,
    )
    if incomplete_reason is not None:
        # A message's reasons differ from a run's: both token limits read "max_tokens" there.
        message_reason = "max_tokens" if incomplete_reason.startswith("max_") else incomplete_reason
        message["incomplete_details"] = {"reason": message_reason}
        message["incomplete_at"] = at
    step = _new_step(
        store, run, {"type": "message_creation", "message_creation": {"message_id": message["id"]}}, at
    )
    _emit_message(run, message)
    thread.messages[message["id"]] = message
    usage = _usage(messages, text)
    step["status"] = status if status == "completed" else "failed"
    step["completed_at"] = at if status == "completed" else None
    step["usage"] = usage
    run.obj["usage"] = _total_usage(run)
    emit(run, f"thread.run.step.{step['status']}", step)


def _reply_text(run: RunState, payload: Mapping[str, Any]) -> str:
    reply: str | ReplyFn | None = payload.get("reply")
    context = ReplyContext(run.obj, list(run.thread.messages.values()), run.tool_outputs)
    if reply is None:
        return tools.default_reply(run) or default_reply(context)
    return reply if isinstance(reply, str) else call_user("the computed reply", reply, context)


def _emit_message(run: RunState, message: Obj) -> None:
    """The events a streamed reply sends: created, in progress, text deltas, then completed."""
    writing = {
        **message,
        "status": "in_progress",
        "content": [],
        "completed_at": None,
        "incomplete_at": None,
        "incomplete_details": None,
    }
    emit(run, "thread.message.created", writing, "thread.message.in_progress")
    for index, part in enumerate(message["content"]):
        if part["type"] == "text":
            text = part["text"]
            deltas = [
                {"index": index, "type": "text", "text": delta}
                for delta in content.text_deltas(text["value"], text["annotations"], split_text)
            ]
        else:
            deltas = [{"index": index, **part}]
        for delta in deltas:
            emit(
                run,
                "thread.message.delta",
                {"id": message["id"], "object": "thread.message.delta", "delta": {"content": [delta]}},
            )
    emit(run, f"thread.message.{message['status']}", message)


def _new_step(store: RunHost, run: RunState, details: Obj, at: int) -> Obj:
    step = objects.run_step(store.ids.new("step"), at, run.obj, details)
    run.steps[step["id"]] = step
    created = (
        {**step, "step_details": {**details, "tool_calls": []}} if details["type"] == "tool_calls" else step
    )
    emit(run, "thread.run.step.created", created, "thread.run.step.in_progress")
    return step


def _close_open_steps(run: RunState, status: str, at: int, error: Obj | None = None) -> None:
    for step in run.steps.values():
        if step["status"] == "in_progress":
            step["status"] = status
            step[{"failed": "failed_at", "cancelled": "cancelled_at", "expired": "expired_at"}[status]] = at
            step["last_error"] = error
    run.tool_step = None
    run.pending_calls = []
    run.tools.step, run.tools.specs = None, []


def _last_error(payload: Mapping[str, Any]) -> Obj:
    given = payload.get("last_error") or {}
    code = given.get("code") or payload.get("code") or "server_error"
    message = (
        given.get("message")
        or payload.get("message")
        or ERROR_MESSAGES.get(code, "Sorry, something went wrong.")
    )
    return {"code": code, "message": message}


def _total_usage(run: RunState) -> Obj:
    """A run's usage: the sum over its steps (tool calls and the reply)."""
    used = [step["usage"] for step in run.steps.values() if step["usage"]]
    return objects.usage(sum(u["prompt_tokens"] for u in used), sum(u["completion_tokens"] for u in used))


def _usage(messages: list[Obj], reply: str) -> Obj:
    prompt = sum(len(p["text"]["value"]) for m in messages for p in m["content"] if p.get("type") == "text")
    return objects.usage(prompt // 4 + 1, len(reply) // 4 + 1)


Effect = Callable[[RunHost, RunState, Mapping[str, Any], int], None]

#: What else changes when a run enters each status (beyond ``status`` and its timestamp).
ON_ENTER: Mapping[str, Effect] = {
    IN_PROGRESS: _work,
    REQUIRES_ACTION: _require_action,
    COMPLETED: _complete,
    FAILED: _fail,
    CANCELLED: _cancelled,
    EXPIRED: _expire,
    INCOMPLETE: _incomplete,
}
