"""Every fine-tuning job of one fake: its training file checked, its statuses on the clock, metrics
events and checkpoints while it runs, pause and resume, and on success a fine-tuned model that chat
completions then answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.announcer import Announcer, EndListener
from ...engine.clock import VirtualClock
from ...engine.hangs import Pollable, PollRecord
from ..common.errors import ApiError
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..files.store import Files
from . import objects, training
from .statuses import (
    CANCELLED,
    ENTERED,
    FAILED,
    JOB_MODEL,
    PAUSED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    VALIDATING_FILES,
    WEBHOOK_EVENT_OF,
)

Obj = dict[str, Any]

#: The models a job may start from (an alias names its current snapshot), as the API lists them.
SNAPSHOTS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "o4-mini": "o4-mini-2025-04-16",
}
BASE_MODELS = frozenset(SNAPSHOTS.values()) | {"gpt-3.5-turbo-1106", "davinci-002", "babbage-002"}
#: With no script: 5 s validating the files, 10 s queued, a minute of training, succeeded.
DEFAULT_TIMELINE = lc.Timeline.of(
    (VALIDATING_FILES, 5.0), (QUEUED, 10.0), (RUNNING, 60.0), SUCCEEDED, model=JOB_MODEL
)
DEFAULT_TRAINING_STEPS = 10
DEFAULT_CHECKPOINTS = 3
#: Epochs of an ``auto`` job (trained tokens = file tokens x epochs).
AUTO_EPOCHS = 3


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What a script source sees: 0 for the first job the fake creates, 1 for the next..."""

    index: int
    body: Mapping[str, Any]


JobScriptSource = Callable[[JobRequest], lc.Timeline]


def _default_scripts(_: JobRequest) -> lc.Timeline:
    return DEFAULT_TIMELINE


@dataclass(eq=False, slots=True)
class JobState(Pollable):
    """A job, its events and checkpoints (oldest first), and its training plan."""

    obj: Obj
    progress: lc.Progress
    tokens: int
    file_error: Obj | None
    events: list[Obj] = field(default_factory=list)
    checkpoints: list[Obj] = field(default_factory=list)
    #: (virtual time, training step, total steps, whether it makes a checkpoint) of each step still to log.
    plan: list[tuple[float, int, int, bool]] = field(default_factory=list)
    steps_done: int = 0
    #: What follows a pause: the rest of the running step, then the rest of the script.
    after_pause: list[lc.Step] = field(default_factory=list)
    history: list[tuple[str, float]] = field(default_factory=list)
    polling: PollRecord = field(default_factory=PollRecord)


class FineTuningJobs(Announcer):
    """All fine-tuning jobs of one fake; raises :class:`ApiError` as the API would."""

    webhook_events = frozenset(WEBHOOK_EVENT_OF.values())

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        files: Files,
        scripts: JobScriptSource = _default_scripts,
        on_model: Callable[[str], None] = lambda model: None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.files = files
        self.scripts = scripts
        #: Told the name of every fine-tuned model (and checkpoint) a job makes.
        self.on_model = on_model
        self.jobs: dict[str, JobState] = {}
        self.created = 0
        self.end_listeners: list[EndListener] = []

    # -- create and read -------------------------------------------------------------------
    def create(self, body: Mapping[str, Any]) -> JobState:
        model = self._base(str(body["model"]))
        stored = self.files.retrieve(str(body["training_file"]))
        if stored.obj["purpose"] != "fine-tune":
            raise ApiError(
                400,
                f"File {stored.obj['id']} has purpose '{stored.obj['purpose']}'; upload it with purpose "
                "'fine-tune'.",
                param="training_file",
                code="invalid_file_purpose",
            )
        if body.get("validation_file"):
            self.files.retrieve(str(body["validation_file"]))
        tokens, error = training.check(stored.content)
        timeline = self.scripts(JobRequest(self.created, body))
        if error is not None:  # a bad file fails the job after validating, whatever the script says
            timeline = lc.Timeline([timeline.steps[0], lc.Step(FAILED)], model=JOB_MODEL)
        now = self.clock.elapsed()
        obj = objects.job(self.ids.new("fine_tuning_job"), self._stamp(now), body, model, self.created + 42)
        state = JobState(obj, lc.Progress(timeline, now, model=JOB_MODEL), tokens, error)
        self.created += 1
        self.jobs[obj["id"]] = state
        self._log(state, now, f"Created fine-tuning job: {obj['id']}")
        self._enter(state, VALIDATING_FILES, now, timeline.steps[0])
        self.sync(state)
        self._arm(state)
        return state

    def _base(self, model: str) -> str:
        if model.startswith("ft:") and any(j.obj["fine_tuned_model"] == model for j in self.jobs.values()):
            return model
        if model in SNAPSHOTS or model in BASE_MODELS:
            return SNAPSHOTS.get(model, model)
        raise ApiError(
            400,
            f"Model {model} is not available for fine-tuning or does not exist.",
            param="model",
            code="model_not_available",
        )

    def get(self, job_id: str) -> JobState:
        state = self.jobs.get(job_id)
        if state is None:
            raise ApiError(
                404, f"No fine-tuning job found with id '{job_id}'.", code="fine_tuning_job_not_found"
            )
        self.sync(state)
        return state

    def list_page(self, query: Mapping[str, str]) -> Obj:
        return page([self.get(job_id).obj for job_id in self.jobs], query)

    def events_page(self, job_id: str, query: Mapping[str, str]) -> Obj:
        return page(self.get(job_id).events, query)

    def checkpoints_page(self, job_id: str, query: Mapping[str, str]) -> Obj:
        return page(self.get(job_id).checkpoints, query)

    # -- change ----------------------------------------------------------------------------
    def cancel(self, job_id: str) -> JobState:
        state = self.get(job_id)
        if not state.progress.can_cancel:
            raise ApiError(
                400, f"Cannot cancel a job with status '{state.obj['status']}'.", code="invalid_state"
            )
        now = self.clock.elapsed()
        state.progress.cancel(now)
        self._enter(state, CANCELLED, now, lc.Step(CANCELLED))
        return state

    def pause(self, job_id: str) -> JobState:
        state = self.get(job_id)
        if state.obj["status"] != RUNNING:
            raise ApiError(
                400,
                f"Cannot pause a job with status '{state.obj['status']}': only a running job pauses.",
                code="invalid_state",
            )
        now = self.clock.elapsed()
        progress = state.progress
        step = progress.step
        left = None if step.duration is None else max(0.0, progress.entered_at + step.duration - now)
        rest = progress.steps[progress.index + 1 :]
        state.after_pause = [lc.Step(RUNNING, left, step.payload), *rest]
        state.plan = []
        state.progress = lc.Progress(lc.Timeline([lc.Step(PAUSED)], model=JOB_MODEL), now, model=JOB_MODEL)
        self._enter(state, PAUSED, now, lc.Step(PAUSED))
        return state

    def resume(self, job_id: str) -> JobState:
        state = self.get(job_id)
        if state.obj["status"] != PAUSED:
            raise ApiError(
                400,
                f"Cannot resume a job with status '{state.obj['status']}': only a paused job resumes.",
                code="invalid_state",
            )
        now = self.clock.elapsed()
        state.progress = lc.Progress(lc.Timeline(state.after_pause, model=JOB_MODEL), now, model=JOB_MODEL)
        self._log(state, now, "Fine-tuning job resumed")
        self._enter(state, RUNNING, now, state.after_pause[0], resumed=True)
        self.sync(state)
        self._arm(state)
        return state

    # -- time ------------------------------------------------------------------------------
    def sync(self, state: JobState) -> None:
        for transition in state.progress.advance(self.clock.elapsed()):
            self._train(state, transition.at)
            self._enter(state, transition.status, transition.at, state.progress.steps[transition.index])
        self._train(state, self.clock.elapsed())

    def _train(self, state: JobState, until: float) -> None:
        while state.plan and state.plan[0][0] <= until:
            at, step, total, checkpoint_here = state.plan.pop(0)
            state.steps_done = step
            values = objects.metrics(step, total)
            self._log(
                state, at, f"Step {step}/{total}: training loss={values['train_loss']:.4f}", data=values
            )
            if checkpoint_here:
                model = self._model_name(state)
                checkpoint = objects.checkpoint(
                    self.ids.new("fine_tuning_checkpoint"), self._stamp(at), state.id, model, step, values
                )
                state.checkpoints.append(checkpoint)
                self.on_model(checkpoint["fine_tuned_model_checkpoint"])
                self._log(state, at, f"Checkpoint created at step {step}")

    def _enter(self, state: JobState, status: str, at: float, step: lc.Step, resumed: bool = False) -> None:
        obj = state.obj
        obj["status"] = status
        state.history.append((status, at))
        payload = step.payload
        if status == SUCCEEDED:  # the model is made (and logged) before "The job has successfully completed"
            self._succeed(state, at)
        if status in ENTERED and not resumed:
            self._log(state, at, ENTERED[status].format(file=obj["training_file"]))
        for extra in payload.get("events", ()):
            self._log(state, at, str(extra["message"]), level=str(extra.get("level", "info")))
        if status == RUNNING:
            self._plan(state, at, step)
        if status in (QUEUED, RUNNING) and step.duration is not None:
            obj["estimated_finish"] = self._stamp(
                at + sum(s.duration or 0 for s in state.progress.steps[state.progress.index :])
            )
        if status in JOB_MODEL.final or status == PAUSED:
            obj["estimated_finish"] = None
        if status == FAILED:
            error = state.file_error or dict(payload.get("error") or {})
            obj["error"] = {
                "code": error.get("code", "server_error"),
                "message": error.get("message", "The job failed."),
                "param": error.get("param"),
            }
            self._log(state, at, f"Job failed: {obj['error']['message']}", level="error")
        if status in JOB_MODEL.final:
            obj["finished_at"] = self._stamp(at)
            state.plan = []
            for listener in self.end_listeners:
                listener(WEBHOOK_EVENT_OF[status], state.id, at)

    def _plan(self, state: JobState, start: float, step: lc.Step) -> None:
        total = int(step.payload.get("training_steps", DEFAULT_TRAINING_STEPS))
        checkpoints = int(step.payload.get("checkpoints", DEFAULT_CHECKPOINTS))
        todo = range(state.steps_done + 1, total + 1)
        span = step.duration if step.duration is not None else 60.0
        # Worked out once, not per step (each step once built a set of every checkpoint's step).
        count = min(checkpoints, total)
        marks = {round(total * k / count) for k in range(1, count + 1)}
        state.plan = [
            (start + span * (i + 1) / (len(todo) + 1), n, total, n in marks) for i, n in enumerate(todo)
        ]

    def _succeed(self, state: JobState, at: float) -> None:
        self._train(state, float("inf"))  # any step left is logged as the job ends
        obj = state.obj
        epochs = obj["hyperparameters"]["n_epochs"]
        obj["trained_tokens"] = state.tokens * (epochs if isinstance(epochs, int) else AUTO_EPOCHS)
        obj["fine_tuned_model"] = self._model_name(state)
        steps = "\n".join(
            f"{int(e['data']['step'])},{e['data']['train_loss']},{e['data']['train_mean_token_accuracy']}"
            for e in state.events
            if e["type"] == "metrics"
        )
        result = self.files.add(
            "step_metrics.csv", f"step,train_loss,train_accuracy\n{steps}\n".encode(), "fine-tune-results"
        )
        obj["result_files"] = [result["id"]]
        self.on_model(obj["fine_tuned_model"])
        self._log(state, at, f"New fine-tuned model created: {obj['fine_tuned_model']}")

    def _model_name(self, state: JobState) -> str:
        obj = state.obj
        suffix = obj.get("user_provided_suffix") or ""
        return f"ft:{obj['model']}:{objects.ORGANIZATION}:{suffix}:{obj['id'][-8:]}"

    def _log(
        self, state: JobState, at: float, message: str, level: str = "info", data: Obj | None = None
    ) -> None:
        state.events.append(
            objects.event(self.ids.new("fine_tuning_event"), self._stamp(at), message, level, data)
        )

    def _stamp(self, elapsed: float) -> int:
        return int(self.clock.epoch + elapsed)

    # -- webhooks (Announcer) ----------------------------------------------------------------
    def tracked(self) -> list[Any]:
        return list(self.jobs.values())
