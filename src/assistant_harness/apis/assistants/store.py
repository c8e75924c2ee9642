"""The fake's state: every Assistants resource, created, changed and listed as the API does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.clock import VirtualClock
from ..common.errors import ApiError, invalid_value, missing, not_found
from ..common.ids import IdGenerator
from ..common.pagination import page
from . import objects, runs
from .runs import RunState
from .statuses import QUEUED, RUN_MODEL

Obj = dict[str, Any]

#: A run expires this long after it is created (the API's ten minutes).
RUN_TTL = 600.0

#: The timeline every run follows unless a scenario says otherwise.
DEFAULT_TIMELINE = lc.Timeline.of(("queued", 1.0), ("in_progress", 2.0), "completed", model=RUN_MODEL)

FILE_PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]


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


@dataclass(eq=False, slots=True)
class StoredFile:
    obj: Obj
    content: bytes


@dataclass(eq=False, slots=True)
class VectorStoreState:
    obj: Obj
    files: dict[str, Obj] = field(default_factory=dict)
    batches: dict[str, Obj] = field(default_factory=dict)


def _default_timelines(_: RunRequest) -> lc.Timeline:
    return DEFAULT_TIMELINE


class Store:
    """All resources of one fake. Handlers call it; it raises :class:`ApiError` as the API would."""

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        timelines: TimelineSource = _default_timelines,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.timelines = timelines
        self.assistants: dict[str, Obj] = {}
        self.threads: dict[str, ThreadState] = {}
        self.runs: dict[str, RunState] = {}
        self.files: dict[str, StoredFile] = {}
        self.vector_stores: dict[str, VectorStoreState] = {}
        self._runs_created = 0

    # -- time -------------------------------------------------------------------------------
    def timestamp(self, elapsed: float) -> int:
        """The API timestamp (whole Unix seconds) of virtual time ``elapsed``."""
        return int(self.clock.epoch + elapsed)

    def now(self) -> int:
        return int(self.clock.time())

    # -- assistants -------------------------------------------------------------------------
    def create_assistant(self, body: Obj, object_id: str | None = None) -> Obj:
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
            obj["tools"] = list(body["tools"])
        if "tools" in body or "tool_resources" in body:
            given = body.get("tool_resources") or obj["tool_resources"]
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
        return obj

    def _check_attachments(self, body: Mapping[str, Any]) -> None:
        for index, attachment in enumerate(body.get("attachments") or ()):
            if "file_id" not in attachment:
                raise missing(f"attachments[{index}].file_id")
            if attachment["file_id"] not in self.files:
                raise ApiError(
                    400,
                    f"Invalid 'attachments[{index}].file_id': no file found with id "
                    f"'{attachment['file_id']}'.",
                    param=f"attachments[{index}].file_id",
                    code="invalid_value",
                )

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
        timeline = self.timelines(
            RunRequest(assistant["id"], thread_id, assistant["name"], self._runs_created, body)
        )
        self._runs_created += 1
        progress = lc.Progress(timeline, now, model=RUN_MODEL, expires_at=now + RUN_TTL)
        run = RunState(obj, state, progress, moment=now)
        if thread_created is not None:
            runs.emit(run, "thread.created", thread_created)
        runs.emit(run, "thread.run.created", obj)
        runs.emit(run, "thread.run.queued", obj)
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

    # -- files ------------------------------------------------------------------------------
    def create_file(self, filename: str | None, content: bytes | None, purpose: str | None) -> Obj:
        if content is None:
            raise missing("file")
        if purpose is None:
            raise missing("purpose")
        if purpose not in FILE_PURPOSES:
            raise invalid_value("purpose", purpose, FILE_PURPOSES)
        obj = objects.file(
            self.ids.new("file"),
            self.now(),
            filename=filename or "upload",
            purpose=purpose,
            size=len(content),
        )
        self.files[obj["id"]] = StoredFile(obj, content)
        return obj

    def file(self, file_id: str) -> StoredFile:
        try:
            return self.files[file_id]
        except KeyError:
            raise not_found("file", file_id) from None

    def delete_file(self, file_id: str) -> Obj:
        self.file(file_id)
        del self.files[file_id]
        return {"id": file_id, "object": "file", "deleted": True}

    def list_files(self, query: Mapping[str, str]) -> Obj:
        files = [f.obj for f in self.files.values()]
        if "purpose" in query:
            files = [f for f in files if f["purpose"] == query["purpose"]]
        return page(files, query, default_limit=10_000, max_limit=10_000)  # the spec's limits for files

    # -- vector stores ----------------------------------------------------------------------
    def create_vector_store(self, body: Obj) -> Obj:
        state = VectorStoreState(objects.vector_store(self.ids.new("vector_store"), self.now(), body))
        self.vector_stores[state.obj["id"]] = state
        for file_id in body.get("file_ids") or ():
            self.add_vector_store_file(state.obj["id"], {"file_id": file_id})
        return state.obj

    def vector_store(self, store_id: str) -> VectorStoreState:
        try:
            return self.vector_stores[store_id]
        except KeyError:
            raise not_found("vector store", store_id) from None

    def update_vector_store(self, store_id: str, body: Obj) -> Obj:
        obj = self.vector_store(store_id).obj
        for key in ("name", "expires_after", "metadata"):
            if body.get(key) is not None:
                obj[key] = body[key]
        return obj

    def delete_vector_store(self, store_id: str) -> Obj:
        self.vector_store(store_id)
        del self.vector_stores[store_id]
        return objects.deleted(store_id, "vector_store")

    def list_vector_stores(self, query: Mapping[str, str]) -> Obj:
        return page([s.obj for s in self.vector_stores.values()], query)

    def add_vector_store_file(self, store_id: str, body: Obj) -> Obj:
        state = self.vector_store(store_id)
        stored = self.file(body["file_id"])
        obj = objects.vector_store_file(stored.obj, self.now(), store_id, body)
        state.files[obj["id"]] = obj
        self._count_files(state)
        return obj

    def vector_store_file(self, store_id: str, file_id: str) -> Obj:
        try:
            return self.vector_store(store_id).files[file_id]
        except KeyError:
            raise not_found("vector store file", file_id) from None

    def update_vector_store_file(self, store_id: str, file_id: str, body: Obj) -> Obj:
        obj = self.vector_store_file(store_id, file_id)
        obj["attributes"] = dict(body.get("attributes") or {})
        return obj

    def delete_vector_store_file(self, store_id: str, file_id: str) -> Obj:
        self.vector_store_file(store_id, file_id)
        state = self.vector_stores[store_id]
        del state.files[file_id]
        self._count_files(state)
        return objects.deleted(file_id, "vector_store.file")

    def list_vector_store_files(self, store_id: str, query: Mapping[str, str]) -> Obj:
        files = list(self.vector_store(store_id).files.values())
        if "filter" in query:
            files = [f for f in files if f["status"] == query["filter"]]
        return page(files, query)

    def vector_store_file_content(self, store_id: str, file_id: str) -> Obj:
        self.vector_store_file(store_id, file_id)
        text = self.file(file_id).content.decode("utf-8", errors="replace")
        return {
            "object": "vector_store.file_content.page",
            "data": [{"type": "text", "text": text}],
            "has_more": False,
            "next_page": None,
        }

    def create_file_batch(self, store_id: str, body: Obj) -> Obj:
        state = self.vector_store(store_id)
        file_ids = list(body.get("file_ids") or [f["file_id"] for f in body.get("files") or ()])
        for file_id in file_ids:
            self.add_vector_store_file(
                store_id,
                {
                    "file_id": file_id,
                    **{k: v for k, v in body.items() if k in ("attributes", "chunking_strategy")},
                },
            )
        batch: Obj = {
            "id": self.ids.new("vector_store_file_batch"),
            "object": "vector_store.files_batch",
            "created_at": self.now(),
            "vector_store_id": store_id,
            "status": "completed",
            "file_counts": {
                "in_progress": 0,
                "completed": len(file_ids),
                "failed": 0,
                "cancelled": 0,
                "total": len(file_ids),
            },
        }
        state.batches[batch["id"]] = {**batch, "_file_ids": file_ids}
        return batch

    def file_batch(self, store_id: str, batch_id: str) -> Obj:
        try:
            stored = self.vector_store(store_id).batches[batch_id]
        except KeyError:
            raise not_found("vector store file batch", batch_id) from None
        return {k: v for k, v in stored.items() if not k.startswith("_")}

    def cancel_file_batch(self, store_id: str, batch_id: str) -> Obj:
        batch = self.file_batch(store_id, batch_id)
        if batch["status"] != "in_progress":
            raise ApiError(400, f"Cannot cancel a vector store file batch with status '{batch['status']}'.")
        return batch

    def list_file_batch_files(self, store_id: str, batch_id: str, query: Mapping[str, str]) -> Obj:
        self.file_batch(store_id, batch_id)
        state = self.vector_stores[store_id]
        ids = state.batches[batch_id]["_file_ids"]
        return page([state.files[i] for i in ids if i in state.files], query)

    def search_vector_store(self, store_id: str, body: Obj) -> Obj:
        """A plain word-overlap search over the stored files' text: deterministic, not semantic."""
        state = self.vector_store(store_id)
        query = body["query"] if isinstance(body["query"], str) else " ".join(body["query"])
        words = {w.lower() for w in query.split()}
        results = []
        for file_id, vs_file in state.files.items():
            text = self.file(file_id).content.decode("utf-8", errors="replace")
            hits = sum(1 for w in text.lower().split() if w in words)
            if hits:
                results.append((hits, file_id, text, vs_file))
        results.sort(key=lambda r: (-r[0], r[1]))
        limit = int(body.get("max_num_results") or 10)
        data = [
            {
                "file_id": file_id,
                "filename": self.files[file_id].obj["filename"],
                "score": round(min(1.0, hits / max(len(words), 1)), 4),
                "attributes": vs_file["attributes"],
                "content": [{"type": "text", "text": text}],
            }
            for hits, file_id, text, vs_file in results[:limit]
        ]
        return {
            "object": "vector_store.search_results.page",
            "search_query": [query],
            "data": data,
            "has_more": False,
            "next_page": None,
        }

    def _count_files(self, state: VectorStoreState) -> None:
        total = len(state.files)
        state.obj["file_counts"] = {
            "in_progress": 0,
            "completed": total,
            "failed": 0,
            "cancelled": 0,
            "total": total,
        }
        state.obj["usage_bytes"] = sum(f["usage_bytes"] for f in state.files.values())
