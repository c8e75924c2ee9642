"""What a cassette shows of each batch: its status timeline, request counts, how the client read it,
and, when the cassette holds its output and error files, how each request ended. ``show`` prints it;
``to-scenario`` turns it into a ``batches:`` scenario the fake replays (the same statuses at the same
moments, and each recorded failure again for the same ``custom_id``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..apis.batches import statuses as bs
from ..apis.batches.lines import LineRule
from ..apis.batches.store import BatchScript
from ..engine import lifecycle as lc
from .format import Interaction


@dataclass
class ObservedBatch:
    id: str
    endpoint: str = ""
    model: str | None = None
    created_at: int | None = None
    #: (seconds after created_at, status), in the order seen, consecutive repeats collapsed.
    transitions: list[tuple[float, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    #: custom_id -> (status code, error code or None) of each request the downloaded files show.
    requests: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.transitions[-1][1] if self.transitions else "unknown"


def observe_batches(interactions: list[Interaction]) -> list[ObservedBatch]:
    """Every batch the cassette shows, in the order they were created."""
    seen: dict[str, ObservedBatch] = {}
    contents: dict[str, str] = {}
    for interaction in interactions:
        if interaction.status >= 400:
            continue
        body = interaction.response_body
        if "/files/" in interaction.path and interaction.path.endswith("/content") and body.kind == "text":
            contents[interaction.path.rstrip("/").split("/")[-2]] = str(body.value)
            continue
        if "/batches" not in interaction.path or body.kind != "json" or not isinstance(body.value, dict):
            continue
        objects = body.value.get("data") if body.value.get("object") == "list" else [body.value]
        for obj in objects or []:
            if isinstance(obj, dict) and obj.get("object") == "batch":
                batch = _note(seen, obj)
                batch.polls += interaction.method == "GET" and obj is body.value
    for batch in seen.values():
        for file_id in (batch.output_file_id, batch.error_file_id):
            for line in contents.get(file_id or "", "").splitlines():
                _request(batch, line)
    return list(seen.values())


def _note(seen: dict[str, ObservedBatch], obj: dict[str, Any]) -> ObservedBatch:
    batch = seen.setdefault(obj["id"], ObservedBatch(obj["id"]))
    batch.endpoint = str(obj.get("endpoint") or batch.endpoint)
    batch.model = obj.get("model") or batch.model
    batch.created_at = obj.get("created_at", batch.created_at)
    status = str(obj.get("status"))
    stamp = obj.get(bs.TIMESTAMP_OF.get(status, "created_at"))
    at = float(stamp - batch.created_at) if stamp is not None and batch.created_at is not None else 0.0
    if batch.transitions:
        at = max(at, batch.transitions[-1][0])
    if not batch.transitions or batch.transitions[-1][1] != status:
        batch.transitions.append((at, status))
    batch.counts = dict(obj.get("request_counts") or batch.counts)
    batch.errors = list((obj.get("errors") or {}).get("data") or batch.errors)
    batch.output_file_id = obj.get("output_file_id") or batch.output_file_id
    batch.error_file_id = obj.get("error_file_id") or batch.error_file_id
    return batch


def _request(batch: ObservedBatch, line: str) -> None:
    try:
        row = json.loads(line)
    except ValueError:
        return
    if not isinstance(row, dict):
        return
    response, error = row.get("response") or {}, row.get("error") or {}
    # A 2xx body may say "error": null (a Responses API object does).
    body_error = (response.get("body") or {}).get("error") or {} if response else {}
    code = body_error.get("code") if response else error.get("code")
    batch.requests[str(row.get("custom_id"))] = (response.get("status_code"), code)


def batch_scripts(batches: list[ObservedBatch]) -> tuple[BatchScript, ...]:
    return tuple(BatchScript(timeline(batch), line_rules(batch)) for batch in batches if batch.transitions)


def timeline(batch: ObservedBatch) -> lc.Timeline:
    """The recorded statuses at the recorded moments; an expired batch holds ``in_progress`` (with the
    share of requests it finished) until the fake's own expiry."""
    transitions = list(batch.transitions)
    if transitions[0][1] != bs.VALIDATING:
        transitions.insert(0, (0.0, bs.VALIDATING))
    steps: list[lc.Step] = []
    total = batch.counts.get("total") or 0
    for position, (at, status) in enumerate(transitions):
        following = transitions[position + 1] if position + 1 < len(transitions) else None
        if status == bs.EXPIRED:
            break  # the fake expires it at expires_at by itself
        duration = None if following is None or following[1] == bs.EXPIRED else max(0.0, following[0] - at)
        payload: dict[str, Any] = {}
        if status == bs.IN_PROGRESS and batch.status in (bs.EXPIRED, bs.CANCELLED) and total:
            payload["done"] = round(
                (batch.counts.get("completed", 0) + batch.counts.get("failed", 0)) / total, 3
            )
        if status == bs.FAILED and batch.errors:
            payload["error"] = {k: batch.errors[0].get(k) for k in ("code", "message", "line", "param")}
        steps.append(lc.Step(status, duration, payload))
    return lc.Timeline(_fill(steps), model=bs.BATCH_MODEL)


def _fill(steps: list[lc.Step]) -> list[lc.Step]:
    """Statuses a client polled past (seen in_progress, then completed) get their missing steps."""
    out: list[lc.Step] = []
    for step in steps:
        previous = out[-1].status if out else None
        if previous == bs.IN_PROGRESS and step.status == bs.COMPLETED:
            out.append(lc.Step(bs.FINALIZING, 0.0))
        elif previous == bs.VALIDATING and step.status in (bs.FINALIZING, bs.COMPLETED):
            out.append(lc.Step(bs.IN_PROGRESS, 0.0))
            if step.status == bs.COMPLETED:
                out.append(lc.Step(bs.FINALIZING, 0.0))
        elif previous in (bs.VALIDATING, bs.IN_PROGRESS) and step.status == bs.CANCELLED:
            out.append(lc.Step(bs.CANCELLING, 0.0))
        out.append(step)
    return out


def line_rules(batch: ObservedBatch) -> tuple[LineRule, ...]:
    """Each recorded failure again for its custom_id (requests never run are left to the timeline)."""
    return tuple(
        LineRule(custom_id=custom_id, status=status, code=code)
        for custom_id, (status, code) in batch.requests.items()
        if status is not None and status >= 400
    )
