"""The fine-tuning jobs endpoints: create, retrieve, list, cancel, pause, resume, events and
checkpoints; fault rules name them ``fine_tuning.jobs.create``, ``.retrieve``, ``.list``, ``.cancel``,
``.pause``, ``.resume``, ``.list_events`` and ``fine_tuning.jobs.checkpoints.list``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine.hangs import Polled
from ...http.messages import ApiRequest
from ...http.routing import Endpoint
from ..chat.store import ChatCompletions
from ..files.store import Files
from ..registry import Api, Context
from .store import FineTuningJobs, _default_scripts

Obj = dict[str, Any]


def create(jobs: FineTuningJobs, request: ApiRequest, *, body: Obj) -> Obj:
    return jobs.create(body).obj


def retrieve(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.get(fine_tuning_job_id).obj


def list_jobs(jobs: FineTuningJobs, request: ApiRequest) -> Obj:
    return jobs.list_page(request.query)


def cancel(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.cancel(fine_tuning_job_id).obj


def pause(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.pause(fine_tuning_job_id).obj


def resume(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.resume(fine_tuning_job_id).obj


def list_events(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.events_page(fine_tuning_job_id, request.query)


def list_checkpoints(jobs: FineTuningJobs, request: ApiRequest, *, fine_tuning_job_id: str) -> Obj:
    return jobs.checkpoints_page(fine_tuning_job_id, request.query)


_JOB = "/fine_tuning/jobs/{fine_tuning_job_id}"


def _endpoint(name: str, method: str, path: str, handler: Any, **kwargs: Any) -> Endpoint:
    return Endpoint(f"fine_tuning.jobs.{name}", method, path, handler, beta=False, **kwargs)


ENDPOINTS: tuple[Endpoint, ...] = (
    _endpoint(
        "create",
        "POST",
        "/fine_tuning/jobs",
        create,
        returns="fine_tuning.job",
        schema="CreateFineTuningJobRequest",
    ),
    _endpoint("list", "GET", "/fine_tuning/jobs", list_jobs, lists=True),
    _endpoint("retrieve", "GET", _JOB, retrieve, returns="fine_tuning.job"),
    _endpoint("cancel", "POST", f"{_JOB}/cancel", cancel, returns="fine_tuning.job"),
    _endpoint("pause", "POST", f"{_JOB}/pause", pause, returns="fine_tuning.job"),
    _endpoint("resume", "POST", f"{_JOB}/resume", resume, returns="fine_tuning.job"),
    _endpoint("list_events", "GET", f"{_JOB}/events", list_events, lists=True),
    _endpoint("checkpoints.list", "GET", f"{_JOB}/checkpoints", list_checkpoints, lists=True),
)


def _build(context: Context) -> FineTuningJobs:
    chat = context.states.of(ChatCompletions)
    return FineTuningJobs(
        context.clock,
        context.ids,
        context.states.of(Files),
        context.option("job_scripts", _default_scripts),
        on_model=chat.fine_tuned.add,
    )


def _job(jobs: FineTuningJobs, params: Mapping[str, str]) -> Polled | None:
    return jobs.jobs.get(params["fine_tuning_job_id"])


API = Api("fine_tuning", ENDPOINTS, _build, polled={"fine_tuning.job": _job})
