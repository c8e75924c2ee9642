"""Hypothesis strategies for property-testing polling, tool-call and retry code against the fake.

Every strategy draws in an order that shrinks well: fewer tool rounds, shorter durations and the
simplest outcome first, so a failing example shrinks to the shortest timeline that still fails.
A generated timeline or scenario plugs straight into ``FakeAssistants(scenario=...)`` (or
``FakeAssistants(timeline=...)``), and prints as a scenario file you can save into scenarios/.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..apis.assistants.statuses import IN_PROGRESS, OUTCOMES, QUEUED, RUN_MODEL
from ..apis.served import INDEX
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..scenario.model import ERROR_CODES, INCOMPLETE_REASONS, RunScript, Scenario

__all__ = [
    "ENDPOINT_NAMES",
    "OUTCOMES",
    "GeneratedTimeline",
    "compact",
    "faults",
    "from_json_schema",
    "scenarios",
    "timelines",
    "tool_calls",
]

ENDPOINT_NAMES = tuple(sorted(INDEX.by_name))


class GeneratedTimeline(lc.Timeline):
    """A drawn timeline; it prints as a scenario file, so a failing example can be saved and replayed."""

    __slots__ = ()

    def __init__(self, steps: Sequence[lc.Step], *, expires: bool = True) -> None:
        super().__init__(steps, model=RUN_MODEL, expires=expires)

    def __repr__(self) -> str:
        return repr(Scenario(name="generated", runs=(RunScript(self),)))


def _function_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}


@st.composite
def tool_calls(
    draw: st.DrawFn, functions: Mapping[str, Mapping[str, Any]] | None = None, max_calls: int = 3
) -> list[dict[str, Any]]:
    """One round of tool calls (1 to ``max_calls``, parallel when more than one).

    ``functions`` maps a function name to its JSON-schema ``parameters``; arguments are generated
    from that schema (default: one ``ask_database(query: string)``). Shrinks to a single call with
    the simplest arguments.
    """
    functions = functions or {"ask_database": _function_schema()}
    names = sorted(functions)
    count = draw(st.integers(1, max_calls))
    calls = []
    for _ in range(count):
        name = draw(st.sampled_from(names))
        calls.append({"name": name, "arguments": draw(from_json_schema(functions[name]))})
    return calls


def from_json_schema(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values for the JSON Schema subset function parameters use (object, array, scalars, enum)."""
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", properties))
        return st.fixed_dictionaries(
            {k: from_json_schema(v) for k, v in properties.items() if k in required},
            optional={k: from_json_schema(v) for k, v in properties.items() if k not in required},
        )
    if kind == "array":
        return st.lists(from_json_schema(schema.get("items", {"type": "string"})), max_size=3)
    if kind == "integer":
        return st.integers(schema.get("minimum", -1000), schema.get("maximum", 1000))
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e6), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    return st.text(string.ascii_letters + string.digits + " _-", max_size=schema.get("maxLength", 20))


def _check_at_least(name: str, value: int, least: int) -> None:
    if not isinstance(value, int) or value < least:
        raise InvalidArgument(f"{name}={value!r}: expected a whole number >= {least}")


def timelines(
    *,
    outcomes: Sequence[str] = OUTCOMES,
    max_tool_rounds: int = 2,
    max_duration: int = 60,
    functions: Mapping[str, Mapping[str, Any]] | None = None,
    max_parallel_calls: int = 3,
    stuck: bool = False,
) -> st.SearchStrategy[GeneratedTimeline]:
    """Valid run timelines: queued, in progress, 0..``max_tool_rounds`` tool rounds, then an outcome.

    Outcomes: completed (a reply), failed (each error code), incomplete (each reason), cancelled
    (by someone else), expired (left queued past the 10-minute expiry); with ``stuck=True`` also a
    run that stays in progress for ever (``expires=False``: it does not even expire). Durations
    are whole virtual seconds up to ``max_duration``.
    Shrinks towards no tool rounds, zero durations and ``outcomes[0]``. Arguments are checked when
    called, as Hypothesis checks its own (:class:`hypothesis.errors.InvalidArgument`).
    """
    if isinstance(outcomes, str):
        raise InvalidArgument(f"outcomes={outcomes!r}: expected a sequence of outcomes, e.g. ({outcomes!r},)")
    unknown = [outcome for outcome in outcomes if outcome not in OUTCOMES]
    if unknown or not outcomes:
        raise InvalidArgument(
            f"outcomes={tuple(outcomes)!r}: "
            + (f"unknown {', '.join(map(repr, unknown))}; " if unknown else "none given; ")
            + f"choose from {', '.join(OUTCOMES)}"
        )
    _check_at_least("max_tool_rounds", max_tool_rounds, 0)
    _check_at_least("max_duration", max_duration, 0)
    _check_at_least("max_parallel_calls", max_parallel_calls, 1)
    return _timelines(
        outcomes=tuple(outcomes),
        max_tool_rounds=max_tool_rounds,
        max_duration=max_duration,
        functions=functions,
        max_parallel_calls=max_parallel_calls,
        stuck=stuck,
    )


@st.composite
def _timelines(
    draw: st.DrawFn,
    *,
    outcomes: tuple[str, ...],
    max_tool_rounds: int,
    max_duration: int,
    functions: Mapping[str, Mapping[str, Any]] | None,
    max_parallel_calls: int,
    stuck: bool,
) -> GeneratedTimeline:
    choices = [*outcomes, "stuck"] if stuck else list(outcomes)
    outcome = draw(st.sampled_from(choices))
    seconds = st.integers(0, max_duration)
    if outcome == "expired":
        return GeneratedTimeline(
            [
                lc.Step("queued", 600 + draw(st.integers(1, max_duration))),
                lc.Step("in_progress", 1),
                lc.Step("completed"),
            ]
        )
    steps = [lc.Step("queued", draw(seconds)), lc.Step("in_progress", draw(seconds))]
    for _ in range(draw(st.integers(0, max_tool_rounds))):
        calls = draw(tool_calls(functions, max_parallel_calls))
        steps += [
            lc.Step("requires_action", payload={"tool_calls": calls}),
            lc.Step("queued", draw(seconds)),
            lc.Step("in_progress", draw(seconds)),
        ]
    if outcome == "stuck":
        steps[-1] = lc.Step("in_progress")
    elif outcome == "completed":
        steps.append(
            lc.Step("completed", payload={"reply": draw(st.sampled_from(["Done.", "The answer is 42."]))})
        )
    elif outcome == "failed":
        code = draw(st.sampled_from(ERROR_CODES))
        steps.append(lc.Step("failed", payload={"last_error": {"code": code}}))
    elif outcome == "incomplete":
        steps.append(lc.Step("incomplete", payload={"reason": draw(st.sampled_from(INCOMPLETE_REASONS))}))
    else:  # cancelled elsewhere (timelines() let no other name through)
        steps += [lc.Step("cancelling", draw(st.integers(0, 5))), lc.Step("cancelled")]
    return GeneratedTimeline(compact(steps), expires=outcome != "stuck")


def compact(steps: list[lc.Step]) -> list[lc.Step]:
    """Drop zero-second queued/in_progress steps that no poller could see, where the rest stays valid.

    A run that spends no time in a status behaves the same without it, so shrunk examples read as
    the shortest timeline that fails.
    """
    out = list(steps)
    index = 0
    while index < len(out) - 1:
        step = out[index]
        before = out[index - 1].status if index else None
        after = out[index + 1].status
        removable = step.status in (QUEUED, IN_PROGRESS) and step.duration == 0
        if removable and (before is None or after in RUN_MODEL.moves.get(before, frozenset())):
            del out[index]
        else:
            index += 1
    return out


@st.composite
def faults(
    draw: st.DrawFn,
    endpoints: Sequence[str] = ("runs.retrieve", "runs.create", "messages.list"),
    retryable_only: bool = True,
) -> dict[str, Any]:
    """One fault rule (as a scenario file writes it): an HTTP error, a transport error, or latency.

    With ``retryable_only`` (the default) only faults the SDK retries: 408, 409, 429 (with
    retry-after), 500, 502, 503, connection errors and read timeouts, firing at most twice in a row.
    Shrinks to a single 500 on the first request to the first endpoint.
    """
    rule: dict[str, Any] = {
        "endpoint": draw(st.sampled_from(list(endpoints))),
        "nth": draw(st.integers(1, 5)),
    }
    kind = draw(st.sampled_from(["status", "error", "latency"]))
    if kind == "status":
        statuses = (
            [500, 502, 503, 429, 408, 409] if retryable_only else [500, 502, 503, 429, 408, 409, 400, 404]
        )
        rule["status"] = draw(st.sampled_from(statuses))
        if rule["status"] == 429:
            rule["retry_after"] = draw(st.integers(1, 5))
    elif kind == "error":
        rule["error"] = draw(st.sampled_from(["connect", "read_timeout"]))
        if rule["error"] == "read_timeout":
            rule["latency"] = draw(st.integers(1, 30))
    else:
        rule["latency"] = draw(st.integers(1, 30))
    rule["times"] = draw(st.integers(1, 2))
    Fault(**rule)  # the rule is valid, or this raises while drawing
    return rule


@st.composite
def scenarios(
    draw: st.DrawFn, /, *, max_runs: int = 2, max_faults: int = 2, **timeline_options: Any
) -> Scenario:
    """Whole scenarios: 1..``max_runs`` timelines (in order) and 0..``max_faults`` fault rules."""
    runs = tuple(
        RunScript(draw(timelines(**timeline_options))) for _ in range(draw(st.integers(1, max_runs)))
    )
    rules = tuple(Fault(**rule) for rule in draw(st.lists(faults(), max_size=max_faults)))
    return Scenario(name="generated", runs=runs, faults=rules)
