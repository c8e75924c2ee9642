"""Reading scenario files: every mistake is one line naming the file and the place, e.g.
``scenarios/x.yaml: runs[0].steps[2]: requires_action needs tool_calls`` or, for YAML syntax,
``scenarios/x.yaml:4:7: not valid YAML: ...``; values are checked for type and range (finite,
non-negative durations; whole-number statuses...), and reading is bounded (see :mod:`..textfiles`).
"""

from __future__ import annotations

import difflib
import string
from importlib import resources
from pathlib import Path
from typing import Any

from ..apis.assistants.statuses import IN_PROGRESS, REQUIRES_ACTION, RUN_MODEL
from ..apis.batches.statuses import BATCH_MODEL
from ..apis.common.errors import ApiError
from ..apis.common.validation import validate
from ..apis.fine_tuning.statuses import JOB_MODEL
from ..apis.responses import statuses as responses
from ..apis.responses.state import ResponseScript
from ..apis.served import INDEX
from ..engine import lifecycle as lc
from ..engine.faults import ERRORS, Fault
from ..errors import ScenarioError
from ..textfiles import TextFileError, decode, load_yaml, one_line
from .batches import batch_script, chat_script, job_timeline
from .limits import check_bytes, check_sizes
from .reporter import MAX_SECONDS, Reporter
from .scripts import REPLY_FIELDS, RESPONSE_STEPS, RUN_STEPS, RunScript, StepRules, TemplateReply
from .tools import builtin_call, file_script

ENDPOINT_NAMES = sorted(INDEX.by_name)

_TOP_KEYS: tuple[str, ...] = ("description", "outcome", "seed", "poll_after_ms", "assistants", "threads")
_TOP_KEYS += ("runs", "responses", "cancel_finished", "file_processing", "faults", "batches", "chat")
_TOP_KEYS += ("fine_tuning_jobs",)
_RUN_KEYS = ("steps", "assistant", "cancel_delay", "expires")
_RESPONSE_KEYS = ("steps", "retention")
_FAULT_KEYS = tuple(Fault.__dataclass_fields__)


def read(path: Path) -> str:
    """A scenario file's text, or one line saying why it cannot be read."""
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a scenario file")
    try:
        return decode(path.read_bytes())
    except TextFileError as error:
        raise ScenarioError(error.render(str(path))) from None


def shipped() -> list[str]:
    """The names of the scenarios that ship with assistant-harness."""
    return sorted(p.name[: -len(".yaml")] for p in _shipped_dir().iterdir() if p.name.endswith(".yaml"))


def _shipped_dir() -> Any:
    packaged = resources.files("assistant_harness").joinpath("scenarios")
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the repository's top-level scenarios/ folder.
    return Path(__file__).resolve().parents[3] / "scenarios"


def shipped_text(name: str) -> tuple[str, str]:
    """A shipped scenario's text and the source its errors name."""
    entry = _shipped_dir().joinpath(f"{name}.yaml")
    if not entry.is_file():
        close = difflib.get_close_matches(name, shipped(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped())}"
        raise ScenarioError(f"no shipped scenario named {name!r}{hint}")
    return entry.read_text(encoding="utf-8"), f"scenarios/{name}.yaml"


def fields(text: str, source: str = "<scenario>", *, name: str | None = None) -> dict[str, Any]:
    """A ``Scenario``'s fields from YAML text; ``source`` names the file in error messages."""
    check_bytes(text, source)
    try:
        data = load_yaml(text, unique_keys=True)
    except TextFileError as error:
        raise ScenarioError(error.render(source)) from None
    if data is None:
        raise ScenarioError(
            f"{source}:1:1: the file is empty; a scenario needs at least runs: or faults: "
            "(see docs/scenarios.md)"
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}:1:1: expected a mapping of keys (runs:, faults:, ...), got {type(data).__name__}"
        )
    check_sizes(data, source)
    try:
        return _parse(data, source, name)
    except ScenarioError:
        raise
    except (TypeError, ValueError, OverflowError, RecursionError, KeyError) as error:
        # A combination the checks below missed: still one line naming the file, never a traceback.
        raise ScenarioError(f"{source}: cannot be read ({one_line(str(error))})") from None


def _parse(data: dict[str, Any], source: str, name: str | None) -> dict[str, Any]:
    where = Reporter(source)
    mapping = where.mapping(data, "", _TOP_KEYS)
    runs = tuple(
        _run(where, item, f"runs[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("runs", []), "runs"))
    )
    scripted = tuple(
        _response(where, item, f"responses[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("responses", []), "responses"))
    )
    cancel_finished = mapping.get("cancel_finished")
    if cancel_finished is not None and cancel_finished not in ("return", "conflict"):
        where.fail("cancel_finished", f"{cancel_finished!r} is not one of return, conflict")
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
    batches = tuple(
        batch_script(where, item, f"batches[{i}]", _reply)
        for i, item in enumerate(where.sequence(mapping.get("batches", []), "batches"))
    )
    chat = tuple(
        chat_script(where, item, f"chat[{i}]", _reply)
        for i, item in enumerate(where.sequence(mapping.get("chat", []), "chat"))
    )
    jobs = tuple(
        job_timeline(where, item, f"fine_tuning_jobs[{i}]")
        for i, item in enumerate(where.sequence(mapping.get("fine_tuning_jobs", []), "fine_tuning_jobs"))
    )
    outcome = mapping.get("outcome")
    if outcome is not None and not isinstance(outcome, str):
        where.fail("outcome", f"must be a run status, not {outcome!r}")
    outcomes = RUN_MODEL.final | {REQUIRES_ACTION, IN_PROGRESS} | responses.RESPONSE_MODEL.statuses
    # Any batch or job status: to-scenario writes where a recording stopped, which may be mid-way.
    outcomes = outcomes | BATCH_MODEL.statuses | JOB_MODEL.statuses
    if outcome is not None and outcome not in outcomes:
        where.fail("outcome", f"{outcome!r} is not a status of a run, response, batch or fine-tuning job")
    if "seed" in mapping and (isinstance(mapping["seed"], bool) or not isinstance(mapping["seed"], int)):
        where.fail("seed", f"must be a whole number, not {mapping['seed']!r}")
    if "poll_after_ms" in mapping:
        where.count(mapping["poll_after_ms"], "poll_after_ms", maximum=int(MAX_SECONDS * 1000))
    return dict(
        name=name or Path(source).stem,
        description=str(mapping.get("description", "")).strip(),
        runs=runs,
        responses=scripted,
        cancel_finished=cancel_finished,
        faults=faults,
        assistants=assistants,
        threads=threads,
        seed=mapping.get("seed"),
        poll_after_ms=mapping.get("poll_after_ms"),
        outcome=outcome,
        source=source,
        file_processing=file_processing,
        batches=batches,
        chat=chat,
        fine_tuning_jobs=jobs,
    )


def _run(where: Reporter, data: Any, path: str) -> RunScript:
    mapping = where.mapping(data, path, _RUN_KEYS)
    if "steps" not in mapping:
        where.fail(path, "a run needs steps")
    steps = [
        _step(where, item, f"{path}.steps[{i}]")
        for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps"))
    ]
    timeline = where.timeline(steps, path, RUN_MODEL, mapping)
    assistant = mapping.get("assistant")
    if assistant is not None and not isinstance(assistant, str):
        where.fail(f"{path}.assistant", "must be an assistant's name")
    return RunScript(timeline, assistant)


def _response(where: Reporter, data: Any, path: str) -> ResponseScript:
    mapping = where.mapping(data, path, _RESPONSE_KEYS)
    if "steps" not in mapping:
        where.fail(path, "a response needs steps")
    steps = [
        _step(where, item, f"{path}.steps[{i}]", RESPONSE_STEPS)
        for i, item in enumerate(where.sequence(mapping["steps"], f"{path}.steps"))
    ]
    timeline = where.timeline(steps, path, responses.RESPONSE_MODEL)
    retention = mapping.get("retention")
    return ResponseScript(
        timeline, None if retention is None else where.number(retention, f"{path}.retention")
    )


def _step(where: Reporter, data: Any, path: str, api: StepRules = RUN_STEPS) -> lc.Step:
    if not isinstance(data, dict):  # e.g. [queued, 1]: say what a step looks like
        where.fail(
            path,
            f"a step is a mapping such as {{status: queued, duration: 1}} (one per line under steps:), "
            f"not {'a list' if isinstance(data, list) else repr(data)}",
        )
    if "status" not in data:
        where.fail(path, "a step needs a status")
    status = data["status"]
    if not isinstance(status, str) or status not in api.model.statuses:
        close = difflib.get_close_matches(str(status), sorted(api.model.statuses), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        where.fail(f"{path}.status", f"unknown status {status!r}{hint}")
    mapping = where.mapping(data, path, ("status", "duration", *api.step_keys.get(status, ())))
    duration = where.duration(mapping["duration"], f"{path}.duration") if "duration" in mapping else None
    payload: dict[str, Any] = {}
    if status == REQUIRES_ACTION and not mapping.get("tool_calls"):
        where.fail(path, "requires_action needs tool_calls (a list of {name, arguments})")
    calls = mapping.get("tool_calls")
    if calls is not None and api is RUN_STEPS and status == IN_PROGRESS:  # built-in tool calls
        payload["tool_calls"] = [
            builtin_call(where, call, f"{path}.tool_calls[{i}]")
            for i, call in enumerate(where.sequence(calls, f"{path}.tool_calls"))
        ]
    elif calls is not None:
        payload["tool_calls"] = [
            _tool_call(where, call, f"{path}.tool_calls[{i}]")
            for i, call in enumerate(where.sequence(calls, f"{path}.tool_calls"))
        ]
    if "error" in mapping:
        error = where.mapping(mapping["error"], f"{path}.error", ("code", "message"))
        if "message" in error:
            where.text(error["message"], f"{path}.error.message")
        if error.get("code", "server_error") not in api.error_codes:
            codes = ", ".join(api.error_codes)
            where.fail(f"{path}.error.code", f"{error.get('code')!r} is not one of {codes}")
        payload["last_error"] = dict(error)
    if "reason" in mapping:
        if mapping["reason"] not in api.reasons:
            where.fail(f"{path}.reason", f"{mapping['reason']!r} is not one of {', '.join(api.reasons)}")
        payload["reason"] = mapping["reason"]
    if "reply" in mapping:
        payload["reply"] = _reply(where, mapping["reply"], f"{path}.reply")
    return lc.Step(status, duration, payload)


def _tool_call(where: Reporter, data: Any, path: str) -> dict[str, Any]:
    mapping = where.mapping(data, path, ("type", "name", "arguments", "id"))
    if mapping.get("type", "function") != "function":
        where.fail(
            f"{path}.type", "a requires_action step calls functions; built-in tools run on in_progress steps"
        )
    if not isinstance(mapping.get("name"), str):
        where.fail(path, "a tool call needs a name (the function to call)")
    if "id" in mapping:
        where.text(mapping["id"], f"{path}.id")
    arguments = mapping.get("arguments", {})
    if not isinstance(arguments, (str, dict)):
        where.fail(f"{path}.arguments", "must be a mapping (sent as JSON) or a JSON string")
    return dict(mapping)


def _reply(where: Reporter, value: Any, path: str) -> TemplateReply | str:
    if not isinstance(value, str):
        where.fail(path, "must be text")
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as error:  # a stray { or }
        where.fail(path, f"{error}; write {{{{ and }}}} for literal braces (a JSON-looking reply)")
    fields = [f for _, f, _, _ in parts if f is not None]
    for name in fields:
        if name not in REPLY_FIELDS:
            where.fail(
                path, f"unknown placeholder {{{name}}}; use {', '.join('{' + f + '}' for f in REPLY_FIELDS)}"
            )
    # Doubled braces mean one brace with placeholders or without: a reply means the same either way.
    return TemplateReply(value) if fields else "".join(literal for literal, _, _, _ in parts)


#: How each fault field is checked: whole numbers with their range, seconds, text, yes/no.
_FAULT_CHECKS: dict[str, tuple[str, int, int]] = {
    "nth": ("count", 1, 10**9),
    "times": ("count", 1, 10**9),
    "seed": ("count", -(2**63), 2**63),
    "status": ("count", 400, 599),
    "retry_after_ms": ("count", 0, int(MAX_SECONDS * 1000)),
    "after_events": ("count", 0, 10**9),
    "retry_after": ("seconds", 0, 0),
    "latency": ("seconds", 0, 0),
    "endpoint": ("text", 0, 0),
    "method": ("text", 0, 0),
    "message": ("text", 0, 0),
    "error": ("text", 0, 0),
    "stream": ("text", 0, 0),
}


def _fault(where: Reporter, data: Any, path: str) -> Fault:
    mapping = where.mapping(data, path, _FAULT_KEYS)
    for key, value in mapping.items():
        check, low, high = _FAULT_CHECKS.get(key, ("", 0, 0))
        if value is None or not check:
            continue
        if check == "count":
            where.count(value, f"{path}.{key}", minimum=low, maximum=high)
        elif check == "seconds":
            where.number(value, f"{path}.{key}")
        else:
            where.text(value, f"{path}.{key}")
    probability = mapping.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 <= probability <= 1
    ):
        where.fail(f"{path}.probability", f"must be a number from 0 to 1, not {probability!r}")
    if "should_retry" in mapping and not isinstance(mapping["should_retry"], (bool, type(None))):
        where.fail(f"{path}.should_retry", f"must be true or false, not {mapping['should_retry']!r}")
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


def _seed_body(where: Reporter, data: Any, path: str, schema: str) -> dict[str, Any]:
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
