"""Scenarios: declarative files (YAML) that script runs, faults and seed data for a fake.

A scenario file is written by people, so it is YAML: comments are allowed, nested lists of steps
read naturally, and it needs no dependency beyond the one cassettes already use. Every mistake is
reported with the file and the key path, e.g.
``scenarios/x.yaml: runs[0].steps[2]: requires_action needs tool_calls``.
"""

from __future__ import annotations

import difflib
import functools
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ..apis.assistants.runs import ReplyContext
from ..apis.assistants.statuses import IN_PROGRESS, REQUIRES_ACTION, RUN_MODEL, STEP_KEYS
from ..apis.common.errors import ApiError
from ..apis.common.validation import validate
from ..apis.served import INDEX
from ..engine import lifecycle as lc
from ..engine.faults import ERRORS, Fault
from ..errors import ScenarioError, TimelineError
from .tools import FileScript, builtin_call, file_script

ENDPOINT_NAMES = sorted(INDEX.by_name)
ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")
REPLY_FIELDS = ("tool_output", "tool_outputs", "user_message")

_TOP_KEYS: tuple[str, ...] = ("description", "outcome", "seed", "poll_after_ms", "assistants", "threads")
_TOP_KEYS += ("runs", "file_processing", "faults")
_RUN_KEYS = ("steps", "assistant", "cancel_delay", "expires")
_STEP_KEYS = {status: ("status", "duration", *keys) for status, keys in STEP_KEYS.items()}
_FAULT_KEYS = tuple(Fault.__dataclass_fields__)


class TemplateReply:
    """A reply written as text with ``{tool_output}``, ``{tool_outputs}`` or ``{user_message}`` in it."""

    def __init__(self, template: str) -> None:
        self.template = template

    def __call__(self, context: ReplyContext) -> str:
        last = context.tool_outputs[-1] if context.tool_outputs else []
        return self.template.format(
            tool_output=last[0]["output"] if last else "",
            tool_outputs=", ".join(o["output"] for o in last),
            user_message=context.last_user_text,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemplateReply) and other.template == self.template

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TemplateReply({self.template!r})"


@dataclass(frozen=True)
class RunScript:
    """The timeline for a run; with ``assistant``, only for runs of the assistant of that name."""

    timeline: lc.Timeline
    assistant: str | None = None


@dataclass(frozen=True, repr=False)
class Scenario:
    """Everything a fake needs to play a scenario. Build one in Python or load it with :func:`load`."""

    name: str = "scenario"
    description: str = ""
    runs: tuple[RunScript, ...] = ()
    #: Fault rules (frozen: each fake counts requests against them in its own counters).
    faults: tuple[Fault, ...] = ()
    assistants: tuple[Mapping[str, Any], ...] = ()
    threads: tuple[Mapping[str, Any], ...] = ()
    seed: int | None = None
    poll_after_ms: int | None = None
    #: The final status the scenario's first run reaches (documentation, checked by our tests).
    outcome: str | None = None
    source: str | None = field(default=None, compare=False)
    #: How vector-store files are processed (the first script matching a file's name wins).
    file_processing: tuple[FileScript, ...] = ()

    def __post_init__(self) -> None:
        # Rules given as keyword mappings (as older code built them) become Fault rules.
        if any(not isinstance(rule, Fault) for rule in self.faults):
            rules = tuple(r if isinstance(r, Fault) else Fault(**r) for r in self.faults)
            object.__setattr__(self, "faults", rules)

    def make_faults(self) -> list[Fault]:
        return list(self.faults)

    def to_yaml(self) -> str:
        """The scenario as a file that :func:`load` reads back (computed replies cannot be written)."""
        from .write import to_data  # write imports this module's types

        return yaml.safe_dump(to_data(self), sort_keys=False, allow_unicode=True, width=100)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<scenario>") -> Scenario:
        """The inverse of :meth:`to_yaml`."""
        return parse(text, source)

    def __repr__(self) -> str:
        # Printed in full, as a file: a failing Hypothesis example can be saved into scenarios/.
        try:
            text = self.to_yaml()
        except ScenarioError:
            return f"Scenario(name={self.name!r}, runs={len(self.runs)}, faults={len(self.faults)})"
        return f"Scenario.from_yaml('''\n# Save as scenarios/{self.name}.yaml to replay it.\n{text}''')"


# -- loading ---------------------------------------------------------------------------------


def load(source: str | Path | Scenario | lc.Timeline) -> Scenario:
    """A Scenario from a path, a shipped scenario's name (``"tool_call"``), a Scenario as is, or a
    Timeline (every run follows it)."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, lc.Timeline):
        return Scenario(name="timeline", runs=(RunScript(source),))
    path = Path(source)
    if path.suffix not in (".yaml", ".yml") and len(path.parts) == 1:
        return _load_shipped(str(source))
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    return parse(path.read_text(encoding="utf-8"), str(path))


def shipped() -> list[str]:
    """The names of the scenarios that ship with assistant-harness."""
    return sorted(p.name[: -len(".yaml")] for p in _shipped_dir().iterdir() if p.name.endswith(".yaml"))


def _shipped_dir() -> Any:
    packaged = resources.files("assistant_harness").joinpath("scenarios")
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the repository's top-level scenarios/ folder.
    return Path(__file__).resolve().parents[3] / "scenarios"


@functools.cache
def _load_shipped(name: str) -> Scenario:
    """A shipped scenario (parsed once per process: a Scenario is immutable)."""
    return _parse_shipped(name)


def _parse_shipped(name: str) -> Scenario:
    entry = _shipped_dir().joinpath(f"{name}.yaml")
    if not entry.is_file():
        close = difflib.get_close_matches(name, shipped(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped())}"
        raise ScenarioError(f"no shipped scenario named {name!r}{hint}")
    return parse(entry.read_text(encoding="utf-8"), f"scenarios/{name}.yaml", name=name)


def parse(text: str, source: str = "<scenario>", *, name: str | None = None) -> Scenario:
    """A Scenario from YAML text; ``source`` names the file in error messages."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise ScenarioError(f"{source}: not valid YAML: {error}") from None
    if data is None:
        data = {}
    where = _Where(source)
    mapping = where.mapping(data, "", _TOP_KEYS)
    runs = tuple(
        _run(where, item, f"runs[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("runs", []), "runs"))
    )
    faults = tuple(
        _fault(where, item, f"faults[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("faults", []), "faults"))
    )
    assistants = tuple(
        _seed_body(where, item, f"assistants[{i}]", "CreateAssistantRequest")
        for i, item in enumerate(where.sequence(mapping.get("assistants", []), "assistants"))
    )
    threads = tuple(
        _seed_body(where, item, f"threads[{i}]", "CreateThreadRequest")
        for i, item in enumerate(where.sequence(mapping.get("threads", []), "threads"))
    )
    file_processing = tuple(
        file_script(where, item, f"file_processing[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("file_processing", []), "file_processing"))
    )
    outcome = mapping.get("outcome")
    if outcome is not None and outcome not in RUN_MODEL.final | {REQUIRES_ACTION, IN_PROGRESS}:
        where.fail("outcome", f"{outcome!r} is not a run status")
    for key in ("seed", "poll_after_ms"):
        if key in mapping and not isinstance(mapping[key], int):
            where.fail(key, f"must be a whole number, not {mapping[key]!r}")
    return Scenario(
        name=name or Path(source).stem,
        description=str(mapping.get("description", "")).strip(),
        runs=runs,
        faults=faults,
        assistants=assistants,
        threads=threads,
        seed=mapping.get("seed"),
        poll_after_ms=mapping.get("poll_after_ms"),
        outcome=outcome,
        source=source,
        file_processing=file_processing,
    )


class _Where:
    """Error reporting with the file and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> NoReturn:
        raise ScenarioError(f"{self.source}: {path}: {problem}" if path else f"{self.source}: {problem}")

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of keys, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(_join(path, str(key)), f"unknown key{hint}; allowed here: {', '.join(allowed)}")
        return value

    def sequence(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {type(value).__name__}")
        return value

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            self.fail(path, f"must be a number of seconds >= 0, not {value!r}")
        return float(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _run(where: _Where, data: Any, path: str) -> RunScript:
    mapping = where.mapping(data, path, _RUN_KEYS)
    if "steps" not in mapping:
        where.fail(path, "a run needs steps")
    steps = [
        _step(where, item, f"{path}.steps[{i}]")
        for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps"))
    ]
    cancel_delay = where.number(mapping.get("cancel_delay", 1.0), f"{path}.cancel_delay")
    expires = mapping.get("expires", True)
    if not isinstance(expires, bool):
        where.fail(f"{path}.expires", f"must be true or false, not {expires!r}")
    try:
        timeline = lc.Timeline(steps, cancel_delay=cancel_delay, model=RUN_MODEL, expires=expires)
    except TimelineError as error:
        raise ScenarioError(f"{where.source}: {path}.{error}") from None
    assistant = mapping.get("assistant")
    if assistant is not None and not isinstance(assistant, str):
        where.fail(f"{path}.assistant", "must be an assistant's name")
    return RunScript(timeline, assistant)


def _step(where: _Where, data: Any, path: str) -> lc.Step:
    if not isinstance(data, dict) or "status" not in data:
        where.fail(path, "a step needs a status")
    status = data["status"]
    if status not in RUN_MODEL.statuses:
        close = difflib.get_close_matches(str(status), sorted(RUN_MODEL.statuses), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        where.fail(f"{path}.status", f"unknown status {status!r}{hint}")
    mapping = where.mapping(data, path, _STEP_KEYS.get(status, ("status", "duration")))
    duration = where.number(mapping["duration"], f"{path}.duration") if "duration" in mapping else None
    payload: dict[str, Any] = {}
    if status == IN_PROGRESS and "tool_calls" in mapping:
        payload["tool_calls"] = [
            builtin_call(where, call, f"{path}.tool_calls[{i}]")
            for i, call in enumerate(where.sequence(mapping["tool_calls"], f"{path}.tool_calls"))
        ]
    if status == REQUIRES_ACTION:
        calls = mapping.get("tool_calls")
        if not calls:
            where.fail(path, "requires_action needs tool_calls (a list of {name, arguments})")
        payload["tool_calls"] = [
            _tool_call(where, call, f"{path}.tool_calls[{i}]")
            for i, call in enumerate(where.sequence(calls, f"{path}.tool_calls"))
        ]
    if "error" in mapping:
        error = where.mapping(mapping["error"], f"{path}.error", ("code", "message"))
        if error.get("code", "server_error") not in ERROR_CODES:
            where.fail(f"{path}.error.code", f"{error.get('code')!r} is not one of {', '.join(ERROR_CODES)}")
        payload["last_error"] = dict(error)
    if "reason" in mapping:
        if mapping["reason"] not in INCOMPLETE_REASONS:
            where.fail(
                f"{path}.reason", f"{mapping['reason']!r} is not one of {', '.join(INCOMPLETE_REASONS)}"
            )
        payload["reason"] = mapping["reason"]
    if "reply" in mapping:
        payload["reply"] = _reply(where, mapping["reply"], f"{path}.reply")
    return lc.Step(status, duration, payload)


def _tool_call(where: _Where, data: Any, path: str) -> dict[str, Any]:
    mapping = where.mapping(data, path, ("type", "name", "arguments", "id"))
    if mapping.get("type", "function") != "function":
        where.fail(
            f"{path}.type", "a requires_action step calls functions; built-in tools run on in_progress steps"
        )
    if not isinstance(mapping.get("name"), str):
        where.fail(path, "a tool call needs a name (the function to call)")
    arguments = mapping.get("arguments", {})
    if not isinstance(arguments, (str, dict)):
        where.fail(f"{path}.arguments", "must be a mapping (sent as JSON) or a JSON string")
    return dict(mapping)


def _reply(where: _Where, value: Any, path: str) -> TemplateReply | str:
    if not isinstance(value, str):
        where.fail(path, "must be text")
    fields = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
    for name in fields:
        if name not in REPLY_FIELDS:
            where.fail(
                path, f"unknown placeholder {{{name}}}; use {', '.join('{' + f + '}' for f in REPLY_FIELDS)}"
            )
    return TemplateReply(value) if fields else value


def _fault(where: _Where, data: Any, path: str) -> Fault:
    mapping = where.mapping(data, path, _FAULT_KEYS)
    endpoint = mapping.get("endpoint")
    if endpoint is not None and endpoint not in ENDPOINT_NAMES:
        close = difflib.get_close_matches(str(endpoint), ENDPOINT_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        where.fail(f"{path}.endpoint", f"{endpoint!r} is not an endpoint{hint}")
    if mapping.get("error") is not None and mapping["error"] not in ERRORS:
        where.fail(f"{path}.error", f"{mapping['error']!r} is not one of {', '.join(ERRORS)}")
    try:
        return Fault(**mapping)
    except Exception as error:  # the Fault's own checks, with the path added
        where.fail(path, str(error))


def _seed_body(where: _Where, data: Any, path: str, schema: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        where.fail(path, "expected a mapping")
    body = {k: v for k, v in data.items() if k != "id"}
    try:
        validate(schema, body)
    except ApiError as error:
        where.fail(path, error.message)
    if "id" in data and not isinstance(data["id"], str):
        where.fail(f"{path}.id", "must be text")
    return dict(data)


# -- playing ---------------------------------------------------------------------------------


class ScenarioTimelines:
    """Picks each new run's timeline: the scripts for its assistant in order, else the general
    scripts in order; the last one of a list repeats; with no script, the default timeline."""

    def __init__(self, scenario: Scenario, default: lc.Timeline) -> None:
        self._general = [r.timeline for r in scenario.runs if r.assistant is None]
        self._by_assistant: dict[str, list[lc.Timeline]] = {}
        for run in scenario.runs:
            if run.assistant is not None:
                self._by_assistant.setdefault(run.assistant, []).append(run.timeline)
        self._used: dict[str | None, int] = {}
        self._default = default

    def __call__(self, request: Any) -> lc.Timeline:
        name = request.assistant_name
        own = self._by_assistant.get(name) if name is not None else None
        scripts, key = (own, name) if own else (self._general, None)
        if not scripts:
            return self._default
        used = self._used.get(key, 0)
        self._used[key] = used + 1
        return scripts[min(used, len(scripts) - 1)]
