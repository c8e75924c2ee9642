"""The fake's state: every Assistants resource, created, changed and listed as the API does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.clock import VirtualClock
from ...errors import call_user
from ..common.errors import ApiError, not_found
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..files.store import Files
from ..vector_stores.store import VectorStores
from . import objects, resources, runs
from .runs import RunState
from .statuses import QUEUED, RUN_MODEL

Obj = dict[str, Any]

#: A run expires this long after it is created (the API's ten minutes).
RUN_TTL = 600.0

#: The timeline every run follows unless a scenario says otherwise.
DEFAULT_TIMELINE = lc.Timeline.of(("queued", 1.0), ("in_progress", 2.0), "completed", model=RUN_MODEL)


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What a timeline source can see when it picks the timeline of a new run."""

    assistant_id: str
    thread_id: str
    #: The assistant's name (scenarios pick timelines by it).
    assistant_name: str | None
    #: 0 for the first run the fake creates, 1 for the next...
    index: int
    body: Mapping[str, Any]


TimelineSource = Callable[[RunRequest], lc.Timeline]


@dataclass(eq=False, slots=True)
class ThreadState:
    obj: Obj
    messages: dict[str, Obj] = field(default_factory=dict)
    runs: dict[str, RunState] = field(default_factory=dict)
    active: RunState | None = None


def _default_timelines(_: RunRequest) -> lc.Timeline:
    return DEFAULT_TIMELINE


class Store:
    """All resources of one fake. Handlers call it; it raises :class:`ApiError` as the API would."""

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        timelines: TimelineSource = _default_timelines,
        *,
        files: Files | None = None,
        vector_stores: VectorStores | None = None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.timelines = timelines
        self.assistants: dict[str, Obj] = {}
        self.threads: dict[str, ThreadState] = {}
        self.runs: dict[str, RunState] = {}
        #: Files and vector stores are APIs of their own (the Responses API shares them); a store made
        #: alone (in a unit test) gets its own.
        self.files = files if files is not None else Files(clock, ids)
        self.vector_stores = (
            vector_stores if vector_stores is not None else VectorStores(clock, ids, self.files)
        )
        self._runs_created = 0

    # -- time -------------------------------------------------------------------------------
    def timestamp(self, elapsed: float) -> int:
        """The API timestamp (whole Unix seconds) of virtual time ``elapsed``."""
        return int(self.clock.epoch + elapsed)

    def now(self) -> int:
        return int(self.clock.time())

    # -- assistants -------------------------------------------------------------------------
    def create_assistant(self, body: Obj, object_id: str | None = None) -> Obj:
        body = {**body, "tool_resources": resources.create_helper_stores(self, body.get("tool_resources"))}
        obj = objects.assistant(object_id or self.ids.new("assistant"), self.now(), body)
        self.assistants[obj["id"]] = obj
        return obj

    def assistant(self, assistant_id: str) -> Obj:
        try:
            return self.assistants[assistant_id]
        except KeyError:
            raise not_found("assistant", assistant_id) from None

    def update_assistant(self, assistant_id: str, body: Obj) -> Obj:
        obj = self.assistant(assistant_id)
        for key, value in body.items():
            if key == "tool_resources" or key == "tools":
                continue
            if value is not None or key in ("name", "description", "instructions"):
                obj[key] = value
        if "tools" in body and body["tools"] is not None:
            obj["tools"] = objects.tools_for(body["tools"])
        if "tools" in body or "tool_resources" in body:
            given = resources.create_helper_stores(self, body.get("tool_resources")) or obj["tool_resources"]
            obj["tool_resources"] = objects.tool_resources_for(obj["tools"], given)
        return obj

    def delete_assistant(self, assistant_id: str) -> Obj:
        self.assistant(assistant_id)
        del self.assistants[assistant_id]
        return objects.deleted(assistant_id, "assistant")

    def list_assistants(self, query: Mapping[str, str]) -> Obj:
        return page(list(self.assistants.values()), query)

    # -- threads ----------------------------------------------------------------------------
    def create_thread(self, body: Obj, object_id: str | None = None) -> Obj:
        for message in body.get("messages") or ():
            self._check_attachments(message)
        given = resources.create_helper_stores(self, body.get("tool_resources"), for_thread=True)
        body = {**body, "tool_resources": given}
        state = ThreadState(objects.thread(object_id or self.ids.new("thread"), self.now(), body))
        self.threads[state.obj["id"]] = state
        for message in body.get("messages") or ():
            self._add_message(state, message)
        return state.obj

    def thread(self, thread_id: str) -> ThreadState:
        try:
            state = self.threads[thread_id]
        except KeyError:
            raise not_found("thread", thread_id) from None
        if state.active is not None:
            self.sync(state.active)
        return state

    def update_thread(self, thread_id: str, body: Obj) -> Obj:
        state = self.thread(thread_id)
        if body.get("metadata") is not None:
            state.obj["metadata"] = dict(body["metadata"])
        if body.get("tool_resources") is not None:
            state.obj["tool_resources"] = objects.tool_resources_for([], body["tool_resources"])
        return state.obj

    def delete_thread(self, thread_id: str) -> Obj:
        state = self.thread(thread_id)
        for run_id in state.runs:
            self.runs.pop(run_id, None)
        del self.threads[thread_id]
        return objects.deleted(thread_id, "thread")

    # -- messages ---------------------------------------------------------------------------
    def create_message(self, thread_id: str, body: Obj) -> Obj:
        state = self.thread(thread_id)
        if state.active is not None:
            raise ApiError(
                400, f"Can't add messages to {thread_id} while a run {state.active.obj['id']} is active."
            )
        return self._add_message(state, body)

    def _add_message(self, state: ThreadState, body: Mapping[str, Any]) -> Obj:
        self._check_attachments(body)
        obj = objects.message(
            self.ids.new("message"),
            self.now(),
            state.obj["id"],
            role=body["role"],
            content=objects.message_content(body["content"]),
            attachments=body.get("attachments"),
            metadata=body.get("metadata"),
        )
        state.messages[obj["id"]] = obj
        resources.attach(self, state.obj, body.get("attachments") or ())
        return obj

    def _check_attachments(self, body: Mapping[str, Any]) -> None:
        resources.check_attachments(self.files, body.get("attachments") or ())

    def message(self, thread_id: str, message_id: str) -> Obj:
        try:
            return self.thread(thread_id).messages[message_id]
        except KeyError:
            raise not_found("message", message_id) from None

    def update_message(self, thread_id: str, message_id: str, body: Obj) -> Obj:
        obj = self.message(thread_id, message_id)
        if body.get("metadata") is not None:
            obj["metadata"] = dict(body["metadata"])
        return obj

    def delete_message(self, thread_id: str, message_id: str) -> Obj:
        self.message(thread_id, message_id)
        del self.threads[thread_id].messages[message_id]
        return objects.deleted(message_id, "thread.message")

    def list_messages(self, thread_id: str, query: Mapping[str, str]) -> Obj:
        messages = list(self.thread(thread_id).messages.values())
        run_id = query.get("run_id")
        if run_id is not None:
            messages = [m for m in messages if m["run_id"] == run_id]
        return page(messages, query)

    # -- runs -------------------------------------------------------------------------------
    def create_run(self, thread_id: str, body: Obj, *, thread_created: Obj | None = None) -> RunState:
        """A new run on the thread. ``thread_created``: the thread was just made for it (its
        ``thread.created`` event opens the run's event log)."""
        state = self.thread(thread_id)
        if state.active is not None:
            raise ApiError(400, f"Thread {thread_id} already has an active run {state.active.obj['id']}.")
        assistant = self.assistant(body["assistant_id"])
        additional = list(body.get("additional_messages") or ())
        for message in additional:  # all checked before any is added: a 400 leaves the thread as it was
            self._check_attachments(message)
        for message in additional:
            self._add_message(state, message)
        now = self.clock.elapsed()
        created = self.timestamp(now)
        obj = objects.run(
            self.ids.new("run"), created, thread_id, assistant, body, expires_at=created + int(RUN_TTL)
        )
        timeline = call_user(
            "the timelines callable",
            self.timelines,
            RunRequest(assistant["id"], thread_id, assistant["name"], self._runs_created, body),
        )
        self._runs_created += 1
        progress = lc.Progress(timeline, now, model=RUN_MODEL, expires_at=now + RUN_TTL)
        # Asked to stream: its events are sent as they are logged.
        run = RunState(obj, state, progress, moment=now, streamed=body.get("stream") is True)
        if thread_created is not None:
            runs.emit(run, "thread.created", thread_created)
        runs.emit(run, "thread.run.created", obj, "thread.run.queued")
        state.runs[obj["id"]] = run
        state.active = run
        self.runs[obj["id"]] = run
        if progress.status == QUEUED:
            run.history.append((QUEUED, now))
        else:  # a timeline that starts past queued: its first status has side effects too
            runs.apply(self, run, lc.Transition(0, progress.status, now))
        self.sync(run)
        return run

    def create_thread_and_run(self, body: Obj) -> RunState:
        self.assistant(body["assistant_id"])  # a 404 must leave no thread behind
        thread_obj = self.create_thread(dict(body.get("thread") or {}))
        run_body = {k: v for k, v in body.items() if k not in ("thread", "tool_resources")}
        return self.create_run(thread_obj["id"], run_body, thread_created=thread_obj)

    def run(self, thread_id: str, run_id: str) -> RunState:
        state = self.thread(thread_id)
        try:
            run = state.runs[run_id]
        except KeyError:
            raise not_found("run", run_id) from None
        if run is not state.active:  # the active run was brought up to date by thread()
            self.sync(run)
        return run

    def sync(self, run: RunState) -> None:
        """Bring ``run`` (and its resources) to where its timeline says it is now."""
        for transition in run.progress.advance(self.clock.elapsed()):
            runs.apply(self, run, transition)

    def update_run(self, thread_id: str, run_id: str, body: Obj) -> Obj:
        run = self.run(thread_id, run_id)
        if body.get("metadata") is not None:
            run.obj["metadata"] = dict(body["metadata"])
        return run.obj

    def list_runs(self, thread_id: str, query: Mapping[str, str]) -> Obj:
        return page([run.obj for run in self.thread(thread_id).runs.values()], query)

    def list_run_steps(self, thread_id: str, run_id: str, query: Mapping[str, str]) -> Obj:
        return page(list(self.run(thread_id, run_id).steps.values()), query)

    def run_step(self, thread_id: str, run_id: str, step_id: str) -> Obj:
        try:
            return self.run(thread_id, run_id).steps[step_id]
        except KeyError:
            raise not_found("run step", step_id) from None
