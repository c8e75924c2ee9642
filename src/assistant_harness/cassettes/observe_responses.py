"""What a cassette shows of each Responses API response: its status timeline, tool rounds, the
outputs sent back, errors, the reply, and how the client read it (polls, streams, resumptions).

Built from every response object a cassette holds: JSON answers (create, retrieve, cancel) and
streamed events alike (``response.created`` ... ``response.completed`` carry the response; the
``function_call_output`` items of a later request say what the client answered). ``show`` prints
it; ``to-scenario`` turns it into a ``responses:`` scenario the fake replays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..apis.responses import statuses as rs
from ..apis.responses.state import ResponseScript
from ..engine import lifecycle as lc
from .format import Interaction


@dataclass
class ObservedResponse:
    id: str
    model: str = ""
    created_at: int | None = None
    background: bool | None = None
    previous_response_id: str | None = None
    #: (seconds after created_at, status), in the order seen, consecutive repeats collapsed.
    transitions: list[tuple[float, str]] = field(default_factory=list)
    #: The ``function_call`` output items: ``{"call_id", "name", "arguments"}`` each.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    #: What the client sent back for those calls (in any later request): call_id -> output.
    tool_outputs: dict[str, Any] = field(default_factory=dict)
    #: The ``function_call_output`` items this response's own request carried.
    answered: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    incomplete_reason: str | None = None
    reply: str | None = None
    #: Output item types in order (``reasoning``, ``message``, ``function_call``...).
    output_types: list[str] = field(default_factory=list)
    polls: int = 0
    #: Stream reads: ``None`` for one from the start, else its ``starting_after``.
    streams: list[int | None] = field(default_factory=list)
    #: The highest sequence number any stream delivered.
    last_sequence: int | None = None
    #: Streams that ended without a final event (dropped), by the number of events they carried.
    dropped: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.transitions[-1][1] if self.transitions else "unknown"

    @property
    def streamed(self) -> bool:
        return bool(self.streams)


_FINAL_EVENTS = frozenset({"response.completed", "response.failed", "response.incomplete", "error"})


def observe_responses(interactions: list[Interaction]) -> list[ObservedResponse]:
    """Every response the cassette shows, in the order they were created."""
    seen: dict[str, ObservedResponse] = {}
    outputs: dict[str, Any] = {}
    for interaction in interactions:
        if interaction.status >= 400 or "/responses" not in interaction.path:
            continue
        request = interaction.request_body.value if interaction.request_body.kind == "json" else None
        sent = _outputs_sent(request)
        outputs.update({item["call_id"]: item.get("output") for item in sent})
        body = interaction.response_body
        if body.kind == "json" and isinstance(body.value, dict) and body.value.get("object") == "response":
            response = _note(seen, body.value, interaction)
            response.polls += interaction.method == "GET"
            if interaction.method == "POST" and not interaction.path.endswith("/cancel"):
                response.answered = sent
        elif body.kind == "sse":
            _stream(seen, interaction, body.value, sent)
    for response in seen.values():
        response.tool_outputs = {
            c["call_id"]: outputs[c["call_id"]] for c in response.tool_calls if c["call_id"] in outputs
        }
    return list(seen.values())


def _outputs_sent(request: Any) -> list[dict[str, Any]]:
    items = request.get("input") if isinstance(request, dict) else None
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]


def _stream(
    seen: dict[str, ObservedResponse], interaction: Interaction, events: list[Any], sent: list[Any]
) -> None:
    starting_after = dict(interaction.query).get("starting_after")
    response: ObservedResponse | None = None
    if interaction.method == "GET":  # a stream read of a known response: /responses/{id}?stream=true
        response_id = interaction.path.rstrip("/").rsplit("/", 1)[-1]
        response = seen.setdefault(response_id, ObservedResponse(response_id))
    count, final = 0, False
    for event in events:
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(data, dict):
            continue
        count += 1
        final = final or data.get("type") in _FINAL_EVENTS
        if isinstance(data.get("response"), dict):
            response = _note(seen, data["response"], interaction)
            if interaction.method == "POST" and data.get("type") == "response.created":
                response.answered = sent
        if response is not None and isinstance(data.get("sequence_number"), int):
            last = response.last_sequence
            response.last_sequence = max(data["sequence_number"], -1 if last is None else last)
    if response is None:
        return
    response.streams.append(int(starting_after) if starting_after is not None else None)
    if not final and response.status not in rs.FINAL:
        response.dropped.append(count)


def _note(
    seen: dict[str, ObservedResponse], obj: dict[str, Any], interaction: Interaction
) -> ObservedResponse:
    response = seen.setdefault(str(obj["id"]), ObservedResponse(str(obj["id"])))
    response.model = obj.get("model") or response.model
    response.created_at = obj.get("created_at", response.created_at)
    if obj.get("background") is not None:
        response.background = bool(obj["background"])
    response.previous_response_id = obj.get("previous_response_id") or response.previous_response_id
    status = str(obj.get("status", ""))
    previous = response.transitions[-1] if response.transitions else None
    # A response never returns to a status: a resumed stream replaying queued/in_progress adds none.
    if status and all(seen_status != status for _, seen_status in response.transitions):
        at = _when(response, obj, status, interaction)
        if previous is not None:
            at = max(at, previous[0])
        response.transitions.append((at, status))
    output = obj.get("output") or []
    if output:
        response.output_types = [str(item.get("type")) for item in output]
        calls = [
            {
                "call_id": i.get("call_id", ""),
                "name": i.get("name", ""),
                "arguments": i.get("arguments", "{}"),
            }
            for i in output
            if i.get("type") == "function_call"
        ]
        if calls:
            response.tool_calls = calls
        text = "".join(
            part.get("text", "")
            for item in output
            if item.get("type") == "message"
            for part in item.get("content", [])
            if part.get("type") == "output_text"
        )
        if text:
            response.reply = text
    if obj.get("error"):
        response.error = obj["error"]
    if obj.get("incomplete_details"):
        response.incomplete_reason = obj["incomplete_details"].get("reason")
    return response


def _when(response: ObservedResponse, obj: dict[str, Any], status: str, interaction: Interaction) -> float:
    """Seconds after creation: from ``completed_at``, else from the answer's Date header (the fake's
    is virtual time; the API's is real), else no later than what was seen before."""
    base = response.created_at or 0
    if status == rs.COMPLETED and isinstance(obj.get("completed_at"), (int, float)):
        return float(obj["completed_at"] - base)
    sent_at = interaction.sent_at()
    if sent_at is not None and base:
        return max(0.0, sent_at - base)
    return response.transitions[-1][0] if response.transitions else 0.0


# -- to a scenario ---------------------------------------------------------------------------


def response_scripts(responses: list[ObservedResponse]) -> tuple[ResponseScript, ...]:
    """The observed responses as ``responses:`` scripts, in creation order."""
    return tuple(ResponseScript(timeline(r)) for r in responses if r.transitions)


def stream_faults(responses: list[ObservedResponse]) -> list[dict[str, Any]]:
    """A dropped create stream (one that ended with no final event, then was resumed) as the fault
    rule that drops it again after as many events."""
    faults = []
    for response in responses:
        if response.dropped and response.streams and response.streams[0] is None:
            rule = {"endpoint": "responses.create", "stream": "end", "after_events": response.dropped[0]}
            faults.append({**rule, "times": 1})
    return faults


def timeline(response: ObservedResponse) -> lc.Timeline:
    transitions = _fill_gaps(response.transitions)
    steps: list[lc.Step] = []
    for position, (at, status) in enumerate(transitions):
        last = position == len(transitions) - 1
        duration = None if last else max(0.0, transitions[position + 1][0] - at)
        payload: dict[str, Any] = {}
        if status == rs.COMPLETED:
            if response.tool_calls:
                payload["tool_calls"] = [
                    {"name": c["name"], "arguments": _arguments(c["arguments"])} for c in response.tool_calls
                ]
            if response.reply is not None:
                payload["reply"] = response.reply
        elif status == rs.FAILED:
            error = response.error or {}
            code = error.get("code") if error.get("code") in rs.ERROR_CODES else "server_error"
            payload["last_error"] = {"code": code, "message": str(error.get("message", ""))}
        elif status == rs.INCOMPLETE:
            reason = response.incomplete_reason
            payload["reason"] = reason if reason in rs.INCOMPLETE_REASONS else rs.INCOMPLETE_REASONS[0]
            if response.reply is not None:
                payload["reply"] = response.reply
        steps.append(lc.Step(status, duration, payload))
    return lc.Timeline(steps, model=rs.RESPONSE_MODEL)


def _fill_gaps(transitions: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Insert what a poller could not see: a response starts queued, and reaches completed,
    incomplete or failed-after-work through in_progress."""
    out: list[tuple[float, str]] = []
    for at, status in transitions:
        if not out and status != rs.QUEUED:
            out.append((0.0, rs.QUEUED))  # a foreground answer, or a stream read late
        if out:
            allowed = rs.RESPONSE_MODEL.moves.get(out[-1][1], frozenset())
            if status not in allowed and status in rs.RESPONSE_MODEL.moves[rs.IN_PROGRESS]:
                out.append((at, rs.IN_PROGRESS))
        out.append((at, status))
    return [t for i, t in enumerate(out) if i == 0 or t[1] != out[i - 1][1]]


def _arguments(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw
