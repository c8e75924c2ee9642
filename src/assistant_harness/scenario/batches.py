"""Scenario parts for batches (``batches:``) and chat completions (``chat:``), checked with errors
that name the file and key path, and the pickers a fake plays them with (in creation order; the
last entry repeats)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..apis.batches.lines import LineRule
from ..apis.batches.statuses import BATCH_MODEL, FAILED, IN_PROGRESS, STEP_KEYS
from ..apis.batches.store import BatchRequest, BatchScript
from ..apis.chat.store import ChatRequest, ChatScript
from ..apis.fine_tuning import statuses as ft
from ..apis.fine_tuning.store import JobRequest
from ..engine import lifecycle as lc
from .tools import Where

BATCH_KEYS = ("steps", "lines", "cancel_delay", "expires")
LINE_KEYS = ("custom_id", "every", "reply", "status", "message", "code", "unfinished")
CHAT_KEYS = ("reply", "tool_calls")
#: The most a fine-tuning job's running step may script (each training step is a metrics event).
MAX_TRAINING_STEPS = 100_000
MAX_CHECKPOINTS = 1_000


#: Reads a reply (text, or a template with placeholders): the loader's own reader.
ReadReply = Callable[[Any, Any, str], Any]


def batch_script(where: Where, data: Any, path: str, read_reply: ReadReply) -> BatchScript:
    """One ``batches:`` entry: its steps (``in_progress`` may say ``done``, the share of requests
    that finish, and ``lines_per_second``) and per-request outcomes by ``custom_id`` glob."""
    mapping = where.mapping(data, path, BATCH_KEYS)
    if "steps" not in mapping:
        where.fail(path, "a batch needs steps")
    steps = [
        _step(where, item, f"{path}.steps[{i}]")
        for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps"))
    ]
    timeline = where.timeline(steps, path, BATCH_MODEL, mapping)
    rules = tuple(
        _line(where, item, f"{path}.lines[{i}]", read_reply)
        for i, item in enumerate(where.sequence(mapping.get("lines", []), f"{path}.lines"))
    )
    return BatchScript(timeline, rules)


def _step(where: Where, data: Any, path: str) -> lc.Step:
    if not isinstance(data, dict) or "status" not in data:
        where.fail(path, "a step needs a status, e.g. {status: in_progress, duration: 60}")
    status = data["status"]
    if status not in BATCH_MODEL.statuses:
        where.fail(
            f"{path}.status",
            f"unknown status {status!r}; a batch status is one of: {', '.join(sorted(BATCH_MODEL.statuses))}",
        )
    mapping = where.mapping(data, path, ("status", "duration", *STEP_KEYS.get(status, ())))
    duration = where.duration(mapping["duration"], f"{path}.duration") if "duration" in mapping else None
    payload: dict[str, Any] = {}
    if status == IN_PROGRESS:
        if "done" in mapping:
            done = where.number(mapping["done"], f"{path}.done")
            if done > 1:
                where.fail(
                    f"{path}.done", f"the share of requests that finish is between 0 and 1, not {done!r}"
                )
            payload["done"] = done
        if "lines_per_second" in mapping:
            rate = where.number(mapping["lines_per_second"], f"{path}.lines_per_second")
            if rate <= 0:
                where.fail(f"{path}.lines_per_second", "must be more than 0")
            payload["lines_per_second"] = rate
    if status == FAILED and "error" in mapping:
        error = where.mapping(mapping["error"], f"{path}.error", ("code", "message", "line", "param"))
        for key in ("code", "message", "param"):
            if key in error and not isinstance(error[key], str):
                where.fail(f"{path}.error.{key}", "must be text")
        line = where.count(error["line"], f"{path}.error.line", minimum=1) if "line" in error else None
        payload["error"] = {
            "code": error.get("code", "server_error"),
            "message": error.get("message", "The batch failed."),
            "line": line,
            "param": error.get("param"),
        }
    return lc.Step(status, duration, payload)


def _line(where: Where, data: Any, path: str, read_reply: ReadReply) -> LineRule:
    mapping = where.mapping(data, path, LINE_KEYS)
    glob = mapping.get("custom_id", "*")
    if not isinstance(glob, str):
        where.fail(f"{path}.custom_id", "must be text (a glob: request-*, *-7)")
    given = [k for k in ("reply", "status", "unfinished") if k in mapping]
    if len(given) > 1:
        where.fail(
            path, f"a request ends one way: give one of reply, status, unfinished (not {', '.join(given)})"
        )
    status = mapping.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
    ):
        where.fail(
            f"{path}.status", f"an HTTP error status is a whole number from 400 to 599, not {status!r}"
        )
    reply = read_reply(where, mapping["reply"], f"{path}.reply") if "reply" in mapping else None
    if reply is not None and not isinstance(reply, str):
        where.fail(f"{path}.reply", "a batch request's reply is plain text (no placeholders)")
    for key in ("message", "code"):
        if key in mapping and not isinstance(mapping[key], str):
            where.fail(f"{path}.{key}", "must be text")
    unfinished = mapping.get("unfinished", False)
    if not isinstance(unfinished, bool):
        where.fail(f"{path}.unfinished", f"must be true or false, not {unfinished!r}")
    every = where.count(mapping["every"], f"{path}.every", minimum=1) if "every" in mapping else None
    return LineRule(
        custom_id=glob,
        every=every,
        reply=reply,
        status=status,
        message=mapping.get("message"),
        code=mapping.get("code"),
        unfinished=unfinished,
    )


def chat_script(where: Where, data: Any, path: str, read_reply: ReadReply) -> ChatScript:
    """One ``chat:`` entry: a reply, or tool calls (``{name, arguments}`` each)."""
    mapping = where.mapping(data, path, CHAT_KEYS)
    if ("reply" in mapping) == ("tool_calls" in mapping):
        where.fail(path, "a chat completion answers with a reply or with tool_calls (one of them)")
    if "reply" in mapping:
        return ChatScript(reply=read_reply(where, mapping["reply"], f"{path}.reply"))
    calls = []
    for i, call in enumerate(where.sequence(mapping["tool_calls"], f"{path}.tool_calls")):
        entry = where.mapping(call, f"{path}.tool_calls[{i}]", ("name", "arguments", "id"))
        if not isinstance(entry.get("name"), str):
            where.fail(f"{path}.tool_calls[{i}]", "a tool call needs a name (the function to call)")
        if not isinstance(entry.get("arguments", {}), (str, dict)):
            where.fail(
                f"{path}.tool_calls[{i}].arguments", "must be a mapping (sent as JSON) or a JSON string"
            )
        calls.append(entry)
    return ChatScript(tool_calls=tuple(calls))


def job_timeline(where: Where, data: Any, path: str) -> lc.Timeline:
    """One ``fine_tuning_jobs:`` entry: its steps; ``running`` may say ``training_steps`` and
    ``checkpoints``, ``failed`` an ``error`` ``{code, message, param}``, any step ``events`` to log
    as it is entered (``{message, level}``)."""
    mapping = where.mapping(data, path, ("steps",))
    if "steps" not in mapping:
        where.fail(path, "a fine-tuning job needs steps")
    steps = []
    for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps")):
        at = f"{path}.steps[{i}]"
        if not isinstance(item, dict) or item.get("status") not in ft.JOB_MODEL.statuses - {ft.PAUSED}:
            known = ", ".join(sorted(ft.JOB_MODEL.statuses - {ft.PAUSED}))
            where.fail(f"{at}.status", f"a fine-tuning job step's status is one of: {known}")
        step = where.mapping(item, at, ("status", "duration", *ft.STEP_KEYS.get(item["status"], ())))
        duration = where.duration(step["duration"], f"{at}.duration") if "duration" in step else None
        payload: dict[str, Any] = {}
        for key, least, most in (
            ("training_steps", 1, MAX_TRAINING_STEPS),
            ("checkpoints", 0, MAX_CHECKPOINTS),
        ):
            if key in step:  # bounded: each step logs an event, each checkpoint makes a model
                payload[key] = where.count(step[key], f"{at}.{key}", minimum=least, maximum=most)
        if "error" in step:
            error = where.mapping(step["error"], f"{at}.error", ("code", "message", "param"))
            payload["error"] = {"code": "server_error", "message": "The job failed.", "param": None, **error}
        if "events" in step:
            payload["events"] = [
                where.mapping(event, f"{at}.events[{j}]", ("message", "level"))
                for j, event in enumerate(where.sequence(step["events"], f"{at}.events"))
            ]
            for j, event in enumerate(payload["events"]):
                if not isinstance(event.get("message"), str) or event.get("level", "info") not in (
                    "info",
                    "warn",
                    "error",
                ):
                    where.fail(f"{at}.events[{j}]", "an event is {message: text, level: info | warn | error}")
        steps.append(lc.Step(step["status"], duration, payload))
    return where.timeline(steps, path, ft.JOB_MODEL)


def job_timeline_data(timeline: lc.Timeline) -> dict[str, Any]:
    steps = []
    for step in timeline.steps:
        data: dict[str, Any] = {"status": step.status}
        if step.duration is not None:
            data["duration"] = int(step.duration) if float(step.duration).is_integer() else step.duration
        data.update(step.payload)
        steps.append(data)
    return {"steps": steps}


class ScenarioJobs:
    """Each new fine-tuning job's timeline from ``fine_tuning_jobs:``; the last one repeats."""

    def __init__(self, timelines: tuple[lc.Timeline, ...]) -> None:
        self._timelines = timelines

    def __call__(self, request: JobRequest) -> lc.Timeline:
        return self._timelines[min(request.index, len(self._timelines) - 1)]


class ScenarioBatches:
    """Each new batch's script from ``batches:`` in creation order; the last one repeats."""

    def __init__(self, scripts: tuple[BatchScript, ...]) -> None:
        self._scripts = scripts

    def __call__(self, request: BatchRequest) -> BatchScript:
        return self._scripts[min(request.index, len(self._scripts) - 1)]


class ScenarioChat:
    """Each chat completion's script from ``chat:`` in order; the last one repeats."""

    def __init__(self, scripts: tuple[ChatScript, ...]) -> None:
        self._scripts = scripts

    def __call__(self, request: ChatRequest) -> ChatScript:
        return self._scripts[min(request.index, len(self._scripts) - 1)]


# -- writing (the inverse of the readers above) ------------------------------------------------


def batch_script_data(script: BatchScript) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if script.timeline.cancel_delay != 1.0:
        out["cancel_delay"] = script.timeline.cancel_delay
    if not script.timeline.expires:
        out["expires"] = False
    steps = []
    for step in script.timeline.steps:
        data: dict[str, Any] = {"status": step.status}
        if step.duration is not None:
            data["duration"] = int(step.duration) if float(step.duration).is_integer() else step.duration
        data.update({k: v for k, v in step.payload.items() if k in ("done", "lines_per_second")})
        if "error" in step.payload:
            data["error"] = {k: v for k, v in step.payload["error"].items() if v is not None}
        steps.append(data)
    out["steps"] = steps
    if script.lines:
        defaults = LineRule()
        out["lines"] = [
            {key: getattr(rule, key) for key in LINE_KEYS if getattr(rule, key) != getattr(defaults, key)}
            for rule in script.lines
        ]
    return out


def chat_script_data(script: ChatScript, reply_text: Callable[[Any, str], str]) -> dict[str, Any]:
    if script.tool_calls:
        return {"tool_calls": [dict(call) for call in script.tool_calls]}
    return {"reply": reply_text(script.reply, "a chat completion")}
