"""What a cassette shows of each fine-tuning job: its status timeline, the model it made or its error,
and how the client read it. ``show`` prints it; ``to-scenario`` turns it into a ``fine_tuning_jobs:``
scenario that plays the same statuses at the same moments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..apis.fine_tuning import statuses as ft
from ..engine import lifecycle as lc
from .format import Interaction


@dataclass
class ObservedJob:
    id: str
    model: str = ""
    created_at: int | None = None
    #: (seconds after created_at, status), in the order seen, consecutive repeats collapsed.
    transitions: list[tuple[float, str]] = field(default_factory=list)
    fine_tuned_model: str | None = None
    error: dict[str, Any] | None = None
    polls: int = 0
    #: The metrics events the cassette holds (training steps seen).
    steps: int = 0
    #: When a status was entered, from the job's events when the cassette holds them.
    entered: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.transitions[-1][1] if self.transitions else "unknown"


def observe_jobs(interactions: list[Interaction]) -> list[ObservedJob]:
    """Every fine-tuning job the cassette shows, in the order they were created."""
    seen: dict[str, ObservedJob] = {}
    for interaction in interactions:
        body = interaction.response_body
        if interaction.status >= 400 or "/fine_tuning/jobs" not in interaction.path or body.kind != "json":
            continue
        value = body.value if isinstance(body.value, dict) else {}
        items = value.get("data") if value.get("object") == "list" else [value]
        for obj in items or []:
            if not isinstance(obj, dict):
                continue
            if obj.get("object") == "fine_tuning.job":
                job = _note(seen, obj)
                job.polls += interaction.method == "GET" and obj is value
            elif obj.get("object") == "fine_tuning.job.event":
                owner = seen.get(interaction.path.rstrip("/").split("/")[-2])
                if owner is not None:
                    _event(owner, obj)
    return list(seen.values())


#: The event each status logs as it is entered (what the fake and the API write).
_ENTERED_BY = {message.split(":")[0]: status for status, message in ft.ENTERED.items()}


def _event(job: ObservedJob, event: dict[str, Any]) -> None:
    if event.get("type") == "metrics":
        job.steps = max(job.steps, int((event.get("data") or {}).get("step", 0)))
    status = _ENTERED_BY.get(str(event.get("message", "")).split(":")[0])
    if status is not None and job.created_at is not None:
        job.entered.setdefault(status, float(event["created_at"] - job.created_at))


def _note(seen: dict[str, ObservedJob], obj: dict[str, Any]) -> ObservedJob:
    job = seen.setdefault(obj["id"], ObservedJob(obj["id"]))
    job.model = str(obj.get("model") or job.model)
    job.created_at = obj.get("created_at", job.created_at)
    status = str(obj.get("status"))
    stamp = obj.get("finished_at") if status in ft.JOB_MODEL.final else None
    at = float(stamp - job.created_at) if stamp is not None and job.created_at is not None else None
    previous = job.transitions[-1][0] if job.transitions else 0.0
    if not job.transitions or job.transitions[-1][1] != status:
        job.transitions.append((max(at if at is not None else previous, previous), status))
    job.fine_tuned_model = obj.get("fine_tuned_model") or job.fine_tuned_model
    job.error = obj.get("error") or job.error
    return job


def job_timelines(jobs: list[ObservedJob]) -> tuple[lc.Timeline, ...]:
    return tuple(timeline(job) for job in jobs if job.transitions)


def timeline(job: ObservedJob) -> lc.Timeline:
    """The recorded statuses, each entered at its recorded moment (a status polled past gets a
    zero-second step); a job recorded before it ended holds its last status."""
    entered: dict[str, float] = dict(job.entered)
    for at, status in job.transitions:
        entered.setdefault(status, at)
    # A job recorded paused holds running: only a pause request enters paused (the client sends it again).
    last = ft.RUNNING if job.status == ft.PAUSED else job.status
    stages = [s for s in (ft.VALIDATING_FILES, ft.QUEUED, ft.RUNNING) if s in entered or last == ft.SUCCEEDED]
    if last in ft.JOB_MODEL.final or last not in stages:
        stages.append(last)
    steps: list[lc.Step] = []
    for position, status in enumerate(stages):
        following = stages[position + 1] if position + 1 < len(stages) else None
        start = entered.get(status, entered.get(following or "", 0.0))
        end = entered.get(following) if following else None
        duration = None if following is None else max(0.0, (end if end is not None else start) - start)
        payload: dict[str, Any] = {}
        if status == ft.RUNNING and job.steps:
            payload["training_steps"] = job.steps
        if status == ft.FAILED and job.error:
            payload["error"] = {k: job.error.get(k) for k in ("code", "message", "param")}
        steps.append(lc.Step(status, duration, payload))
    return lc.Timeline(steps, model=ft.JOB_MODEL)
