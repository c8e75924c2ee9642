"""Scenario parts for the built-in tools: the calls an ``in_progress`` step runs, and how
vector-store files are processed (``file_processing``). Errors name the file and key path."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from ..apis.vector_stores.statuses import ERROR_CODES, FAILED, FILE_MODEL, STEP_KEYS
from ..apis.vector_stores.store import DEFAULT_FILE_TIMELINE, FileRequest
from ..engine import lifecycle as lc

#: The keys of each kind of built-in tool call.
CALL_KEYS = {
    "code_interpreter": ("type", "id", "input", "outputs", "files"),
    "file_search": ("type", "id", "query", "results"),
}


class Where(Protocol):
    """How the scenario loader reports a mistake (file and key path)."""

    source: str

    def fail(self, path: str, problem: str) -> NoReturn: ...
    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict[str, Any]: ...
    def sequence(self, value: Any, path: str) -> list[Any]: ...
    def number(self, value: Any, path: str) -> float: ...
    def count(self, value: Any, path: str, *, minimum: int = 0, maximum: int = 10**9) -> int: ...
    def duration(self, value: Any, path: str) -> float: ...
    def timeline(
        self, steps: list[lc.Step], path: str, model: lc.StatusModel, options: dict[str, Any] | None = None
    ) -> lc.Timeline: ...


def builtin_call(where: Where, data: Any, path: str) -> dict[str, Any]:
    """One built-in tool call of an ``in_progress`` step, checked."""
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in CALL_KEYS:
        where.fail(
            f"{path}.type",
            f"an in_progress step runs built-in tools: type is code_interpreter or file_search, not {kind!r} "
            "(function calls go on a requires_action step)",
        )
    mapping = where.mapping(data, path, CALL_KEYS[kind])
    if kind == "code_interpreter":
        if not isinstance(mapping.get("input"), str):
            where.fail(f"{path}.input", "a code_interpreter call needs its input (the code, as text)")
        for i, output in enumerate(where.sequence(mapping.get("outputs", []), f"{path}.outputs")):
            out = where.mapping(output, f"{path}.outputs[{i}]", ("logs", "image"))
            if len(out) != 1 or not isinstance(next(iter(out.values())), str):
                where.fail(f"{path}.outputs[{i}]", "an output is {logs: text} or {image: file name}")
        for i, item in enumerate(where.sequence(mapping.get("files", []), f"{path}.files")):
            if not isinstance(item, str):
                file = where.mapping(item, f"{path}.files[{i}]", ("name", "content"))
                if not isinstance(file.get("name"), str):
                    where.fail(f"{path}.files[{i}]", "a file is a name, or {name, content}")
    else:
        if "query" in mapping and not isinstance(mapping["query"], str):
            where.fail(f"{path}.query", "must be text")
        for i, result in enumerate(where.sequence(mapping.get("results", []), f"{path}.results")):
            found = where.mapping(result, f"{path}.results[{i}]", ("file", "score"))
            if not isinstance(found.get("file"), str):
                where.fail(f"{path}.results[{i}].file", "name the file (its filename or id)")
            if "score" in found and not 0 <= where.number(found["score"], f"{path}.results[{i}].score") <= 1:
                where.fail(f"{path}.results[{i}].score", "must be between 0 and 1")
    return dict(mapping)


@dataclass(frozen=True)
class FileScript:
    """How a vector-store file is processed; with ``filename`` (a glob), only files named so."""

    timeline: lc.Timeline
    filename: str | None = None


def file_script(where: Where, data: Any, path: str) -> FileScript:
    mapping = where.mapping(data, path, ("filename", "steps"))
    if "steps" not in mapping:
        where.fail(path, "a file_processing entry needs steps")
    steps = [
        _file_step(where, item, f"{path}.steps[{i}]")
        for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps"))
    ]
    timeline = where.timeline(steps, path, FILE_MODEL)
    filename = mapping.get("filename")
    if filename is not None and not isinstance(filename, str):
        where.fail(f"{path}.filename", "must be a file name or a glob such as '*.pdf'")
    return FileScript(timeline, filename)


def _file_step(where: Where, data: Any, path: str) -> lc.Step:
    if not isinstance(data, dict) or "status" not in data:
        where.fail(path, "a step needs a status")
    status = data["status"]
    if status not in FILE_MODEL.statuses:
        where.fail(
            f"{path}.status", f"{status!r} is not a file status ({', '.join(sorted(FILE_MODEL.statuses))})"
        )
    mapping = where.mapping(data, path, ("status", "duration", *STEP_KEYS.get(status, ())))
    duration = where.number(mapping["duration"], f"{path}.duration") if "duration" in mapping else None
    payload: dict[str, Any] = {}
    if status == FAILED and "error" in mapping:
        error = where.mapping(mapping["error"], f"{path}.error", ("code", "message"))
        if error.get("code", "server_error") not in ERROR_CODES:
            where.fail(f"{path}.error.code", f"{error.get('code')!r} is not one of {', '.join(ERROR_CODES)}")
        payload["last_error"] = dict(error)
    return lc.Step(status, duration, payload)


def file_script_data(script: FileScript) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if script.filename is not None:
        out["filename"] = script.filename
    steps = []
    for step in script.timeline.steps:
        item: dict[str, Any] = {"status": step.status}
        if step.duration is not None:
            item["duration"] = int(step.duration) if float(step.duration).is_integer() else step.duration
        if "last_error" in step.payload:
            item["error"] = dict(step.payload["last_error"])
        steps.append(item)
    out["steps"] = steps
    return out


class ScenarioFileTimelines:
    """Picks a file's processing: the first script whose ``filename`` glob matches (or that has
    none); the default (a second, then completed) when none does."""

    def __init__(self, scripts: Sequence[FileScript]) -> None:
        self._scripts = tuple(scripts)

    def __call__(self, request: FileRequest) -> lc.Timeline:
        for script in self._scripts:
            if script.filename is None or fnmatch.fnmatchcase(request.filename, script.filename):
                return script.timeline
        return DEFAULT_FILE_TIMELINE
