"""What a cassette shows of each run: its status timeline, tool calls, outputs, errors and reply.

Built from every run object a cassette holds (polled responses and streamed events alike), the
tool outputs in submit_tool_outputs requests, and the assistant messages in listings and events.
``show`` prints it; ``to-scenario`` turns it into a scenario the fake can replay and vary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..apis.assistants.statuses import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INCOMPLETE,
    REQUIRES_ACTION,
    RUN_MODEL,
    TIMESTAMP_OF,
)
from ..apis.served import INDEX, SERVED_ROOTS
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..http.routing import EndpointIndex, UnservedEndpoint
from ..scenario.model import RunScript, Scenario
from .format import Interaction
from .observe_batches import batch_scripts, observe_batches
from .observe_jobs import job_timelines, observe_jobs
from .observe_responses import observe_responses, response_scripts, stream_faults


@dataclass
class ObservedRun:
    id: str
    thread_id: str = ""
    assistant_id: str = ""
    model: str = ""
    created_at: int | None = None
    #: (seconds after created_at, status), in the order seen, consecutive repeats collapsed.
    transitions: list[tuple[float, str]] = field(default_factory=list)
    tool_calls: list[list[dict[str, Any]]] = field(default_factory=list)
    #: Built-in tool calls (code interpreter, file search), one list per completed tool_calls step.
    builtin_calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tool_outputs: list[list[dict[str, Any]]] = field(default_factory=list)
    last_error: dict[str, Any] | None = None
    incomplete_reason: str | None = None
    reply: str | None = None
    streamed: bool = False
    polls: int = 0

    @property
    def status(self) -> str:
        return self.transitions[-1][1] if self.transitions else "unknown"


@dataclass
class HttpError:
    index: int
    method: str
    path: str
    status: int
    message: str
    endpoint: str | None


@dataclass
class Observation:
    runs: list[ObservedRun]
    errors: list[HttpError]


def _objects(interaction: Interaction) -> list[tuple[str | None, Any]]:
    body = interaction.response_body
    if body.kind == "json":
        value = body.value
        if isinstance(value, dict) and value.get("object") == "list":
            return [(None, item) for item in value.get("data", [])]
        return [(None, value)]
    if body.kind == "sse":
        return [(event.get("event"), event.get("data")) for event in body.value]
    return []


def observe(interactions: list[Interaction]) -> Observation:
    runs: dict[str, ObservedRun] = {}
    errors: list[HttpError] = []
    index = INDEX
    for number, interaction in enumerate(interactions):
        if interaction.status >= 400:
            errors.append(_error(number, interaction, index))
            continue
        if interaction.path.endswith("/submit_tool_outputs") and interaction.request_body.kind == "json":
            run_id = interaction.path.split("/")[-2]
            outputs = interaction.request_body.value.get("tool_outputs", [])
            runs.setdefault(run_id, ObservedRun(run_id)).tool_outputs.append(list(outputs))
        for event, obj in _objects(interaction):
            if not isinstance(obj, dict):
                continue
            if obj.get("object") == "thread.run":
                run = runs.setdefault(obj["id"], ObservedRun(obj["id"]))
                run.streamed = run.streamed or event is not None
                run.polls += event is None and interaction.method == "GET"
                _note_run(run, obj, interaction.sent_at())
            elif obj.get("object") == "thread.run.step" and obj.get("status") == "completed":
                calls = _builtin_calls(obj)
                if calls:
                    runs.setdefault(obj["run_id"], ObservedRun(obj["run_id"])).builtin_calls[obj["id"]] = (
                        calls
                    )
            elif (
                obj.get("object") == "thread.message" and obj.get("role") == "assistant" and obj.get("run_id")
            ):
                text = "".join(
                    p.get("text", {}).get("value", "")
                    for p in obj.get("content", [])
                    if p.get("type") == "text"
                )
                if text:
                    runs.setdefault(obj["run_id"], ObservedRun(obj["run_id"])).reply = text
    return Observation(list(runs.values()), errors)


def _builtin_calls(step: dict[str, Any]) -> list[dict[str, Any]]:
    """A completed step's built-in tool calls as a timeline scripts them (code and its logs; a search)."""
    details = step.get("step_details") or {}
    calls: list[dict[str, Any]] = []
    for call in details.get("tool_calls") or () if details.get("type") == "tool_calls" else ():
        if call.get("type") == "code_interpreter":
            code = call.get("code_interpreter") or {}
            logs = [{"logs": o["logs"]} for o in code.get("outputs") or () if o.get("type") == "logs"]
            calls.append({"type": "code_interpreter", "input": code.get("input", ""), "outputs": logs})
        elif call.get("type") == "file_search":
            calls.append({"type": "file_search"})
    return calls


def _note_run(run: ObservedRun, obj: dict[str, Any], sent_at: float | None = None) -> None:
    run.thread_id = obj.get("thread_id", run.thread_id)
    run.assistant_id = obj.get("assistant_id", run.assistant_id)
    run.model = obj.get("model", run.model)
    run.created_at = obj.get("created_at", run.created_at)
    status = obj.get("status", "")
    stamp = obj.get(TIMESTAMP_OF.get(status, ""))
    previous = run.transitions[-1] if run.transitions else None
    base = run.created_at or 0
    if previous is None or previous[1] != status:
        if isinstance(stamp, (int, float)):
            at = float(stamp - base)
        elif sent_at is not None and base:  # no timestamp for this status: when it was seen
            at = sent_at - base
        else:
            at = previous[0] if previous else 0.0
        if previous is not None:
            at = max(at, previous[0])
        run.transitions.append((at, status))
    required = obj.get("required_action")
    if status == "requires_action" and required:
        calls = [
            {"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
            for c in required["submit_tool_outputs"]["tool_calls"]
        ]
        if not run.tool_calls or [c["id"] for c in run.tool_calls[-1]] != [c["id"] for c in calls]:
            run.tool_calls.append(calls)
    if obj.get("last_error"):
        run.last_error = obj["last_error"]
    if obj.get("incomplete_details"):
        run.incomplete_reason = obj["incomplete_details"].get("reason")


def _error(number: int, interaction: Interaction, index: EndpointIndex) -> HttpError:
    body = interaction.response_body.value if interaction.response_body.kind == "json" else None
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = str(body["error"].get("message", ""))
    return HttpError(
        number,
        interaction.method,
        interaction.path,
        interaction.status,
        message,
        endpoint_name(interaction.method, interaction.path, index),
    )


def endpoint_name(method: str, path: str, index: EndpointIndex | None = None) -> str | None:
    """The fault-rule name of a recorded request (``runs.retrieve``), whatever the base path."""
    segments = path.strip("/").split("/")
    for start, segment in enumerate(segments):
        if segment in SERVED_ROOTS:
            try:
                return (index or INDEX).find(method, "/" + "/".join(segments[start:]))[0].name
            except UnservedEndpoint:
                return None
    return None


# -- to a scenario ---------------------------------------------------------------------------


def to_scenario(interactions: list[Interaction], name: str = "recorded") -> Scenario:
    """The recorded runs and responses as timelines (in order), the recorded HTTP errors and dropped
    streams as fault rules."""
    observation = observe(interactions)
    scripts = tuple(RunScript(_timeline(run)) for run in observation.runs if run.transitions)
    responses = [r for r in observe_responses(interactions) if r.transitions]
    outcome = observation.runs[0].status if observation.runs and observation.runs[0].transitions else None
    what = [f"{len(scripts)} recorded run(s)"] if scripts else []
    what += [f"{len(responses)} recorded response(s)"] if responses else []
    batches = [b for b in observe_batches(interactions) if b.transitions]
    what += [f"{len(batches)} recorded batch(es)"] if batches else []
    jobs = [j for j in observe_jobs(interactions) if j.transitions]
    what += [f"{len(jobs)} recorded fine-tuning job(s)"] if jobs else []
    what = what or ["0 recorded run(s)"]
    return Scenario(
        name=name,
        description=f"Replays {' and '.join(what)} and {len(observation.errors)} HTTP error(s).",
        runs=scripts,
        responses=response_scripts(responses),
        faults=tuple(Fault(**rule) for rule in [*faults_from(interactions), *stream_faults(responses)]),
        batches=batch_scripts(batches),
        fine_tuning_jobs=job_timelines(jobs),
        outcome=outcome or next((found[0].status for found in (responses, batches, jobs) if found), None),
    )


def faults_from(interactions: list[Interaction]) -> list[dict[str, Any]]:
    """One fault rule per recorded HTTP error, firing on the same request to that endpoint."""
    index = INDEX
    seen: dict[str, int] = {}
    faults = []
    for interaction in interactions:
        name = endpoint_name(interaction.method, interaction.path, index)
        if name is None:
            continue
        seen[name] = seen.get(name, 0) + 1
        if interaction.status >= 400:
            rule: dict[str, Any] = {"endpoint": name, "nth": seen[name], "status": interaction.status}
            if "retry-after" in interaction.response_headers:
                rule["retry_after"] = float(interaction.response_headers["retry-after"])
            faults.append(rule)
    return faults


def _timeline(run: ObservedRun) -> lc.Timeline:
    steps: list[lc.Step] = []
    transitions = _fill_gaps(run.transitions)
    rounds = iter(run.tool_calls)
    # Each recorded round of built-in calls runs on the next in_progress step (the last takes the rest).
    builtin = list(run.builtin_calls.values())
    working = [i for i, (_, status) in enumerate(transitions) if status == IN_PROGRESS]
    for position, (at, status) in enumerate(transitions):
        last = position == len(transitions) - 1
        duration = None if last or status == REQUIRES_ACTION else max(0.0, transitions[position + 1][0] - at)
        payload: dict[str, Any] = {}
        if status == REQUIRES_ACTION:
            calls = next(rounds, [{"name": "unknown_tool", "arguments": "{}"}])
            payload["tool_calls"] = [
                {"name": c["name"], "arguments": _arguments(c["arguments"])} for c in calls
            ]
        elif status == IN_PROGRESS and builtin and position in working:
            take = builtin if position == working[-1] else builtin[:1]
            payload["tool_calls"] = [call for calls in take for call in calls]
            del builtin[: len(take)]
        elif status == COMPLETED and run.reply is not None:
            payload["reply"] = run.reply
        elif status == FAILED and run.last_error:
            payload["last_error"] = {
                "code": run.last_error.get("code", "server_error"),
                "message": run.last_error.get("message", ""),
            }
        elif status == INCOMPLETE:
            payload["reason"] = run.incomplete_reason or "max_completion_tokens"
            if run.reply is not None:
                payload["reply"] = run.reply
        steps.append(lc.Step(status, duration, payload))
    if steps and steps[-1].status not in RUN_MODEL.final and steps[-1].status != REQUIRES_ACTION:
        steps[-1] = lc.Step(steps[-1].status, None, steps[-1].payload)
    return lc.Timeline(steps, model=RUN_MODEL)


def _fill_gaps(transitions: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Insert the statuses a poller missed (queued -> requires_action went through in_progress)."""
    out: list[tuple[float, str]] = []
    for at, status in transitions:
        allowed = RUN_MODEL.moves.get(out[-1][1], frozenset()) if out else frozenset({status})
        if status not in allowed and IN_PROGRESS in allowed and status in RUN_MODEL.moves[IN_PROGRESS]:
            out.append((out[-1][0], IN_PROGRESS))
        out.append((at, status))
    return out


def _arguments(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw
