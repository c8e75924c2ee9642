"""A scenario back into a file: the inverse of :func:`.load.fields` (computed replies cannot be written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import yaml

from ..apis.batches.store import BatchScript
from ..apis.chat.store import ChatScript
from ..apis.responses.state import ResponseScript
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..errors import ScenarioError
from .batches import batch_script_data, chat_script_data, job_timeline_data
from .scripts import RunScript, TemplateReply
from .tools import FileScript, file_script_data


class Written(Protocol):
    """What is written of a ``Scenario`` (this module sits below the model, which calls it)."""

    @property
    def description(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def seed(self) -> int | None: ...
    @property
    def poll_after_ms(self) -> int | None: ...
    @property
    def assistants(self) -> tuple[Mapping[str, Any], ...]: ...
    @property
    def threads(self) -> tuple[Mapping[str, Any], ...]: ...
    @property
    def runs(self) -> tuple[RunScript, ...]: ...
    @property
    def file_processing(self) -> tuple[FileScript, ...]: ...
    @property
    def responses(self) -> tuple[ResponseScript, ...]: ...
    @property
    def cancel_finished(self) -> str | None: ...
    @property
    def faults(self) -> tuple[Fault, ...]: ...
    @property
    def batches(self) -> tuple[BatchScript, ...]: ...
    @property
    def chat(self) -> tuple[ChatScript, ...]: ...
    @property
    def fine_tuning_jobs(self) -> tuple[lc.Timeline, ...]: ...


def to_yaml(scenario: Written) -> str:
    return yaml.safe_dump(to_data(scenario), sort_keys=False, allow_unicode=True, width=100)


def to_data(scenario: Written) -> dict[str, Any]:
    """Plain data for YAML: the inverse of :func:`parse` (keys left out where they hold defaults)."""
    data: dict[str, Any] = {}
    if scenario.description:
        data["description"] = scenario.description
    if scenario.outcome:
        data["outcome"] = scenario.outcome
    for key in ("seed", "poll_after_ms"):
        if getattr(scenario, key) is not None:
            data[key] = getattr(scenario, key)
    if scenario.assistants:
        data["assistants"] = [dict(a) for a in scenario.assistants]
    if scenario.threads:
        data["threads"] = [dict(t) for t in scenario.threads]
    if scenario.runs:
        data["runs"] = [_run_data(run) for run in scenario.runs]
    if scenario.file_processing:
        data["file_processing"] = [file_script_data(script) for script in scenario.file_processing]
    if scenario.responses:
        data["responses"] = [_response_data(script) for script in scenario.responses]
    if scenario.batches:
        data["batches"] = [batch_script_data(script) for script in scenario.batches]
    if scenario.chat:
        data["chat"] = [chat_script_data(script, _reply_text) for script in scenario.chat]
    if scenario.fine_tuning_jobs:
        data["fine_tuning_jobs"] = [job_timeline_data(timeline) for timeline in scenario.fine_tuning_jobs]
    if scenario.cancel_finished is not None:
        data["cancel_finished"] = scenario.cancel_finished
    if scenario.faults:
        data["faults"] = [f.to_mapping() for f in scenario.faults]
    return data


def _run_data(run: RunScript) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if run.assistant:
        out["assistant"] = run.assistant
    if run.timeline.cancel_delay != 1.0:
        out["cancel_delay"] = run.timeline.cancel_delay
    if not run.timeline.expires:
        out["expires"] = False
    out["steps"] = [_step_data(step) for step in run.timeline.steps]
    return out


def _response_data(script: ResponseScript) -> dict[str, Any]:
    out: dict[str, Any] = {"steps": [_step_data(step) for step in script.timeline.steps]}
    if script.retention is not None:
        out["retention"] = script.retention
    return out


def _step_data(step: lc.Step) -> dict[str, Any]:
    out: dict[str, Any] = {"status": step.status}
    if step.duration is not None:
        out["duration"] = int(step.duration) if float(step.duration).is_integer() else step.duration
    payload = step.payload
    if "tool_calls" in payload:
        out["tool_calls"] = [dict(call) for call in payload["tool_calls"]]
    if "last_error" in payload:
        out["error"] = dict(payload["last_error"])
    if "reason" in payload:
        out["reason"] = payload["reason"]
    if payload.get("reply") is not None:
        out["reply"] = _reply_text(payload["reply"], f"a {step.status} step")
    return out


def _reply_text(reply: Any, what: str) -> str:
    if isinstance(reply, TemplateReply):
        return reply.template
    if isinstance(reply, str):  # plain text: its braces doubled, as a file writes literal ones
        return reply.replace("{", "{{").replace("}", "}}")
    raise ScenarioError(f"{what}'s reply is computed by Python code and cannot be written to a file")
