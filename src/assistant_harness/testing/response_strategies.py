"""Hypothesis strategies for background-mode (Responses API) code: response timelines, tool rounds,
dropped streams, HTTP faults, and webhook faults.

As with the run strategies, everything draws in an order that shrinks well: the simplest outcome,
zero durations, no tool rounds and no faults first, so a failing example shrinks to the shortest
case that still fails; and it prints as a scenario file (``responses:`` and ``faults:``) to save
into scenarios/ and replay with ``FakeOpenAI(scenario=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from ..apis.responses import statuses as rs
from ..apis.responses.state import ResponseScript
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..scenario.model import Scenario
from .strategies import faults, tool_calls

__all__ = [
    "BAD_SIGNATURES",
    "RESPONSE_OUTCOMES",
    "WEBHOOK_EVENTS",
    "WEBHOOK_FAULT_KINDS",
    "GeneratedResponseTimeline",
    "dropped_streams",
    "response_scenarios",
    "response_timelines",
    "webhook_faults",
]

#: How a background response can end, simplest first (the order shrinking moves towards).
RESPONSE_OUTCOMES = (rs.COMPLETED, rs.FAILED, rs.INCOMPLETE, rs.CANCELLED)
#: The webhooks a background response's end sends (issue 18: response.completed, .failed, ...).
WEBHOOK_EVENTS = ("response.completed", "response.failed", "response.cancelled", "response.incomplete")
#: What can go wrong with a webhook delivery: it arrives after the one that followed it, with a
#: signature that does not verify, late, or more than once.
WEBHOOK_FAULT_KINDS = ("out_of_order", "bad_signature", "late", "duplicates")
#: The bad signatures a webhook fault can send (the webhook delivery's ``BAD_SIGNATURES``).
BAD_SIGNATURES = ("wrong_secret", "tampered", "stale", "missing")


class GeneratedResponseTimeline(lc.Timeline):
    """A drawn response timeline; it prints as a scenario file with one ``responses:`` entry."""

    __slots__ = ()

    def __init__(self, steps: Sequence[lc.Step]) -> None:
        super().__init__(steps, model=rs.RESPONSE_MODEL)

    def __repr__(self) -> str:
        return repr(Scenario(name="generated", responses=(ResponseScript(self),)))


@st.composite
def response_timelines(
    draw: st.DrawFn,
    *,
    outcomes: Sequence[str] = RESPONSE_OUTCOMES,
    max_duration: int = 60,
    tool_call: bool | None = False,
    functions: Mapping[str, Mapping[str, Any]] | None = None,
    max_parallel_calls: int = 3,
    stuck: bool = False,
) -> GeneratedResponseTimeline:
    """Valid background-response timelines: queued, in_progress, then an outcome.

    Outcomes: ``completed`` (a reply, or with ``tool_call=True`` function calls for the client to
    answer in a chained response; ``None`` draws either), ``failed`` (each error code, from queued or
    in progress), ``incomplete`` (each reason, with a partial reply), ``cancelled`` (by someone
    else); with ``stuck=True`` also a response that never leaves queued or in_progress. Durations
    are whole virtual seconds up to ``max_duration``. Shrinks towards zero durations and
    ``outcomes[0]``.
    """
    choices = [*outcomes, "stuck"] if stuck else list(outcomes)
    outcome = draw(st.sampled_from(choices))
    seconds = st.integers(0, max_duration)
    steps = [lc.Step(rs.QUEUED, draw(seconds))]
    if outcome == "stuck":
        if draw(st.booleans()):
            steps.append(lc.Step(rs.IN_PROGRESS))
        else:
            steps[-1] = lc.Step(rs.QUEUED)
        return GeneratedResponseTimeline(steps)
    if outcome == rs.FAILED and draw(st.booleans()):
        pass  # failed before it started (a rejected prompt): queued -> failed
    else:
        steps.append(lc.Step(rs.IN_PROGRESS, draw(seconds)))
    if outcome == rs.COMPLETED:
        calls = draw(st.booleans()) if tool_call is None else tool_call
        if calls:
            steps.append(
                lc.Step(rs.COMPLETED, payload={"tool_calls": draw(tool_calls(functions, max_parallel_calls))})
            )
        else:
            reply = draw(st.sampled_from(["Done.", "The answer is 42."]))
            steps.append(lc.Step(rs.COMPLETED, payload={"reply": reply}))
    elif outcome == rs.FAILED:
        code = draw(st.sampled_from(rs.ERROR_CODES))
        steps.append(lc.Step(rs.FAILED, payload={"last_error": {"code": code}}))
    elif outcome == rs.INCOMPLETE:
        reason = draw(st.sampled_from(rs.INCOMPLETE_REASONS))
        steps.append(lc.Step(rs.INCOMPLETE, payload={"reason": reason, "reply": "A partial"}))
    else:
        steps.append(lc.Step(rs.CANCELLED))
    return GeneratedResponseTimeline(_compact(steps))


def _compact(steps: list[lc.Step]) -> list[lc.Step]:
    """Drop a zero-second in_progress no poller could see, where the rest stays valid (queued stays:
    a background response is always created queued)."""
    out = [steps[0]]
    for index, step in enumerate(steps[1:], start=1):
        following = steps[index + 1].status if index + 1 < len(steps) else None
        skippable = step.status == rs.IN_PROGRESS and step.duration == 0 and following is not None
        if skippable and following in rs.RESPONSE_MODEL.moves[out[-1].status]:
            continue
        out.append(step)
    return out


@st.composite
def dropped_streams(
    draw: st.DrawFn,
    endpoints: Sequence[str] = ("responses.create",),
    max_events: int = 12,
    kinds: Sequence[str] = ("end", "drop", "error"),
) -> dict[str, Any]:
    """One stream fault (as a scenario file writes it): the stream ends early with no final event
    (``end``, resumable with ``starting_after``), the connection drops (``drop``), or an ``error``
    event arrives, after 1..``max_events`` events (at least ``response.created``, so the client
    knows what to resume), once; ``kinds`` narrows which. Shrinks to the first kind after one event."""
    rule: dict[str, Any] = {
        "endpoint": draw(st.sampled_from(list(endpoints))),
        "stream": draw(st.sampled_from(list(kinds))),
        "after_events": draw(st.integers(1, max_events)),
        "times": 1,
    }
    Fault(**rule)  # the rule is valid, or this raises while drawing
    return rule


@st.composite
def webhook_faults(draw: st.DrawFn, events: Sequence[str] = WEBHOOK_EVENTS) -> dict[str, Any]:
    """One webhook fault rule, as keyword arguments of the webhook delivery's ``WebhookFault``
    (``FakeOpenAI``'s ``fake.webhooks.faults``; docs/howto-webhooks.md): ``event`` and ``nth`` pick
    the delivery, then one of ``out_of_order=True`` (held back until the next event has gone out),
    ``signature=`` (``wrong_secret``, ``tampered``, ``stale`` or ``missing``: ``unwrap`` refuses
    it), ``late=`` (virtual seconds after the response ended) or ``duplicates=`` (extra copies with
    the same ``webhook-id``). Shrinks to the first ``response.completed`` delivered out of order."""
    rule: dict[str, Any] = {"event": draw(st.sampled_from(list(events))), "nth": draw(st.integers(1, 3))}
    kind = draw(st.sampled_from(WEBHOOK_FAULT_KINDS))
    if kind == "out_of_order":
        rule["out_of_order"] = True
    elif kind == "bad_signature":
        rule["signature"] = draw(st.sampled_from(BAD_SIGNATURES))
    elif kind == "late":
        rule["late"] = draw(st.integers(1, 600))
    else:
        rule["duplicates"] = draw(st.integers(1, 3))
    return rule


@st.composite
def response_scenarios(
    draw: st.DrawFn,
    /,
    *,
    max_tool_rounds: int = 2,
    max_faults: int = 1,
    stream_faults: bool | Sequence[str] = False,
    fault_endpoints: Sequence[str] = ("responses.retrieve",),
    **timeline_options: Any,
) -> Scenario:
    """Whole background scenarios: 0..``max_tool_rounds`` responses that end in function calls
    (each answered by a chained response), then the final response (any outcome of
    :func:`response_timelines`); 0..``max_faults`` retryable HTTP faults on ``fault_endpoints``; with
    ``stream_faults`` (``True``, or the kinds to draw) perhaps a dropped create stream. (Webhook
    faults are drawn on their own, with :func:`webhook_faults`: they configure the webhook delivery,
    not the scenario's requests.)"""
    rounds = draw(st.integers(0, max_tool_rounds))
    options = {k: v for k, v in timeline_options.items() if k in ("max_duration", "functions")}
    scripts = [
        ResponseScript(draw(response_timelines(outcomes=(rs.COMPLETED,), tool_call=True, **options)))
        for _ in range(rounds)
    ]
    scripts.append(ResponseScript(draw(response_timelines(**timeline_options))))
    rules = list(draw(st.lists(faults(endpoints=fault_endpoints), max_size=max_faults)))
    if stream_faults and draw(st.booleans()):
        kinds = ("end", "drop", "error") if stream_faults is True else tuple(stream_faults)
        rules.append(draw(dropped_streams(kinds=kinds)))
    return Scenario(name="generated", responses=tuple(scripts), faults=tuple(Fault(**rule) for rule in rules))
