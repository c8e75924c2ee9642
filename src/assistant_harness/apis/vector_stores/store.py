"""The fake's vector stores: files processed on the virtual clock, batches, and a plain search.

Adding a file to a vector store starts its processing: the file follows a timeline of statuses
(``in_progress`` for a second, then ``completed``, unless a scenario scripts it slower or failing),
so ``create_and_poll`` / ``upload_and_poll`` meet the slow and failing cases too. Every read brings
the store's files to where their timelines say they are now; ``file_counts`` and the store's and
batches' statuses are derived from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.clock import VirtualClock
from ...engine.hangs import Pollable, PollRecord
from ..common.errors import ApiError, not_found
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..files.store import Files, StoredFile
from . import objects
from .statuses import CANCELLED, COMPLETED, FAILED, FILE_MODEL, IN_PROGRESS

Obj = dict[str, Any]

#: How a file is processed unless a scenario says otherwise: one virtual second, then ready.
DEFAULT_FILE_TIMELINE = lc.Timeline([lc.Step(IN_PROGRESS, 1.0), lc.Step(COMPLETED)], model=FILE_MODEL)

#: The progress of a batch with no files: done at once.
_EMPTY_BATCH = lc.Progress(lc.Timeline([lc.Step(COMPLETED)]), 0.0, model=FILE_MODEL)

#: The expiry policy of a vector store the API makes for a thread (from attachments or helpers).
THREAD_STORE_EXPIRY = {"anchor": "last_active_at", "days": 7}


@dataclass(frozen=True, slots=True)
class FileRequest:
    """What a file-timeline source sees when a file is added to a vector store."""

    file_id: str
    filename: str
    vector_store_id: str
    #: 0 for the first file the fake processes, 1 for the next...
    index: int


FileTimelineSource = Callable[[FileRequest], lc.Timeline]


def default_file_timelines(_: FileRequest) -> lc.Timeline:
    return DEFAULT_FILE_TIMELINE


@dataclass(eq=False, slots=True)
class FileState(Pollable):
    obj: Obj
    progress: lc.Progress
    #: How the file was fetched (hang detection keeps it).
    polling: PollRecord = field(default_factory=PollRecord)


@dataclass(eq=False, slots=True)
class BatchState(Pollable):
    obj: Obj
    file_ids: list[str]
    #: The store's files (the batch's own are among them): its progress is theirs.
    files: Mapping[str, FileState]
    cancelled: bool = False
    #: How the batch was fetched (hang detection keeps it).
    polling: PollRecord = field(default_factory=PollRecord)

    @property
    def progress(self) -> lc.Progress:
        """Where the batch stands, for hang detection: the first of its files still being processed
        (its last file once all are done)."""
        mine = [self.files[i] for i in self.file_ids if i in self.files]
        unfinished = [f for f in mine if not f.progress.is_final]
        if unfinished:
            return unfinished[0].progress
        return mine[-1].progress if mine else _EMPTY_BATCH


@dataclass(eq=False, slots=True)
class VectorStoreState:
    obj: Obj
    files: dict[str, FileState] = field(default_factory=dict)
    batches: dict[str, BatchState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One file a search found: its score in [0, 1] and the text it matched."""

    file: StoredFile
    score: float
    attributes: Mapping[str, Any]


class VectorStores:
    """All vector stores of one fake; raises :class:`ApiError` as the API would."""

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        files: Files,
        timelines: FileTimelineSource = default_file_timelines,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._files = files
        self.timelines = timelines
        self.stores: dict[str, VectorStoreState] = {}
        self._files_added = 0

    def __contains__(self, store_id: object) -> bool:
        return store_id in self.stores

    def _now(self) -> int:
        return int(self._clock.time())

    # -- stores -----------------------------------------------------------------------------
    def create(self, body: Mapping[str, Any]) -> Obj:
        for file_id in body.get("file_ids") or ():
            self._files.retrieve(file_id)  # a 404 must leave no store behind
        state = VectorStoreState(objects.vector_store(self._ids.new("vector_store"), self._now(), body))
        self.stores[state.obj["id"]] = state
        for file_id in body.get("file_ids") or ():
            self._add(state, file_id, {"chunking_strategy": body.get("chunking_strategy")})
        self._refresh(state)
        return state.obj

    def retrieve(self, store_id: str) -> VectorStoreState:
        try:
            state = self.stores[store_id]
        except KeyError:
            raise not_found("vector store", store_id) from None
        self.sync(state)
        return state

    def update(self, store_id: str, body: Mapping[str, Any]) -> Obj:
        obj = self.retrieve(store_id).obj
        for key in ("name", "expires_after", "metadata"):
            if body.get(key) is not None:
                obj[key] = body[key]
        return obj

    def delete(self, store_id: str) -> Obj:
        self.retrieve(store_id)
        del self.stores[store_id]
        return {"id": store_id, "object": "vector_store.deleted", "deleted": True}

    def list_page(self, query: Mapping[str, str]) -> Obj:
        return page([self.retrieve(store_id).obj for store_id in self.stores], query)

    # -- files ------------------------------------------------------------------------------
    def add_file(self, store_id: str, body: Mapping[str, Any]) -> Obj:
        state = self.retrieve(store_id)
        self._files.retrieve(body["file_id"])
        obj = self._add(state, body["file_id"], body)
        self._refresh(state)
        return obj

    def _add(self, state: VectorStoreState, file_id: str, body: Mapping[str, Any]) -> Obj:
        stored = self._files.retrieve(file_id)
        now = self._clock.elapsed()
        obj = objects.vector_store_file(stored.obj, self._now(), state.obj["id"], body)
        timeline = self.timelines(
            FileRequest(file_id, stored.obj["filename"], state.obj["id"], self._files_added)
        )
        self._files_added += 1
        file_state = FileState(obj, lc.Progress(timeline, now, model=FILE_MODEL))
        state.files[file_id] = file_state
        self._apply(file_state, file_state.progress.status, file_state.progress.step.payload)
        self._advance(file_state)
        return obj

    def file(self, store_id: str, file_id: str) -> Obj:
        try:
            return self.retrieve(store_id).files[file_id].obj
        except KeyError:
            raise not_found("vector store file", file_id) from None

    def update_file(self, store_id: str, file_id: str, body: Mapping[str, Any]) -> Obj:
        obj = self.file(store_id, file_id)
        obj["attributes"] = dict(body.get("attributes") or {})
        return obj

    def delete_file(self, store_id: str, file_id: str) -> Obj:
        self.file(store_id, file_id)
        state = self.stores[store_id]
        del state.files[file_id]
        self._refresh(state)
        return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}

    def list_files(self, store_id: str, query: Mapping[str, str]) -> Obj:
        files = [f.obj for f in self.retrieve(store_id).files.values()]
        if "filter" in query:
            files = [f for f in files if f["status"] == query["filter"]]
        return page(files, query)

    def file_content(self, store_id: str, file_id: str) -> Obj:
        self.file(store_id, file_id)
        return {
            "object": "vector_store.file_content.page",
            "data": [{"type": "text", "text": self._files.retrieve(file_id).text}],
            "has_more": False,
            "next_page": None,
        }

    # -- batches ----------------------------------------------------------------------------
    def create_batch(self, store_id: str, body: Mapping[str, Any]) -> Obj:
        state = self.retrieve(store_id)
        specs: list[Mapping[str, Any]] = list(body.get("files") or ())
        shared = {k: v for k, v in body.items() if k in ("attributes", "chunking_strategy")}
        specs += [{"file_id": file_id, **shared} for file_id in body.get("file_ids") or ()]
        for spec in specs:
            self._files.retrieve(spec["file_id"])  # all checked before any is added
        batch = BatchState(
            objects.file_batch(self._ids.new("vector_store_file_batch"), self._now(), store_id),
            [spec["file_id"] for spec in specs],
            state.files,
        )
        for spec in specs:
            self._add(state, spec["file_id"], spec)
        state.batches[batch.obj["id"]] = batch
        self._refresh(state)
        return batch.obj

    def batch(self, store_id: str, batch_id: str) -> Obj:
        try:
            return self.retrieve(store_id).batches[batch_id].obj
        except KeyError:
            raise not_found("vector store file batch", batch_id) from None

    def cancel_batch(self, store_id: str, batch_id: str) -> Obj:
        obj = self.batch(store_id, batch_id)
        if obj["status"] != "in_progress":
            raise ApiError(400, f"Cannot cancel a vector store file batch with status '{obj['status']}'.")
        state = self.stores[store_id]
        batch = state.batches[batch_id]
        batch.cancelled = True
        for file_id in batch.file_ids:
            file_state = state.files.get(file_id)
            if file_state is not None and not file_state.progress.is_terminal:
                file_state.progress.cancel(self._clock.elapsed())
                self._apply(file_state, CANCELLED, {})
        self._refresh(state)
        return obj

    def list_batch_files(self, store_id: str, batch_id: str, query: Mapping[str, str]) -> Obj:
        self.batch(store_id, batch_id)
        state = self.stores[store_id]
        files = [state.files[i].obj for i in state.batches[batch_id].file_ids if i in state.files]
        if "filter" in query:
            files = [f for f in files if f["status"] == query["filter"]]
        return page(files, query)

    # -- search -----------------------------------------------------------------------------
    def search(self, store_id: str, body: Mapping[str, Any]) -> Obj:
        """The search endpoint: a plain word-overlap search (deterministic, not semantic)."""
        query = body["query"] if isinstance(body["query"], str) else " ".join(body["query"])
        hits = [h for h in self.hits([store_id], query) if h.score > 0]
        limit = int(body.get("max_num_results") or 10)
        data = [
            {
                "file_id": hit.file.obj["id"],
                "filename": hit.file.obj["filename"],
                "score": hit.score,
                "attributes": dict(hit.attributes),
                "content": [{"type": "text", "text": hit.file.text}],
            }
            for hit in hits[:limit]
        ]
        return {
            "object": "vector_store.search_results.page",
            "search_query": [query],
            "data": data,
            "has_more": False,
            "next_page": None,
        }

    def hits(self, store_ids: Iterable[str], query: str) -> list[SearchHit]:
        """Every processed file of these stores, best match first (ties in the order added).

        The score is the share of the query's words the file contains: 0 for none of them.
        """
        words = {w.lower().strip(".,;:!?()[]\"'`") for w in query.split()} - {""}
        found: list[SearchHit] = []
        seen: set[str] = set()
        for store_id in store_ids:
            state = self.stores.get(store_id)
            if state is None:
                continue
            self.sync(state)
            for file_id, file_state in state.files.items():
                if file_id in seen or file_state.obj["status"] != "completed" or file_id not in self._files:
                    continue
                seen.add(file_id)
                stored = self._files[file_id]
                text_words = {w.strip(".,;:!?()[]\"'`") for w in stored.text.lower().split()}
                score = round(len(words & text_words) / len(words), 4) if words else 0.0
                found.append(SearchHit(stored, score, file_state.obj["attributes"]))
        found.sort(key=lambda hit: -hit.score)  # stable: ties keep the order the files were added
        return found

    # -- time -------------------------------------------------------------------------------
    def sync(self, state: VectorStoreState) -> None:
        """Bring the store's files (and counts, statuses) to the current virtual time."""
        moved = False
        for file_state in state.files.values():
            if not file_state.progress.is_terminal:
                moved = self._advance(file_state) or moved
        if moved:
            self._refresh(state)

    def _advance(self, file_state: FileState) -> bool:
        transitions = file_state.progress.advance(self._clock.elapsed())
        for transition in transitions:
            step = file_state.progress.steps[transition.index]
            self._apply(file_state, transition.status, step.payload)
        return bool(transitions)

    @staticmethod
    def _apply(file_state: FileState, status: str, payload: Mapping[str, Any]) -> None:
        file_state.obj["status"] = status
        if status == FAILED:
            file_state.obj["last_error"] = objects.file_error(payload)

    def _refresh(self, state: VectorStoreState) -> None:
        statuses = [f.obj["status"] for f in state.files.values()]
        state.obj["file_counts"] = objects.file_counts(statuses)
        state.obj["status"] = "in_progress" if "in_progress" in statuses else "completed"
        state.obj["usage_bytes"] = sum(
            f.obj["usage_bytes"] for f in state.files.values() if f.obj["status"] == "completed"
        )
        for batch in state.batches.values():
            batch_statuses = [state.files[i].obj["status"] for i in batch.file_ids if i in state.files]
            batch.obj["file_counts"] = objects.file_counts(batch_statuses)
            if batch.cancelled:
                batch.obj["status"] = "cancelled"
            else:
                batch.obj["status"] = "in_progress" if "in_progress" in batch_statuses else "completed"
