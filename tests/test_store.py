"""apis/assistants/store.py directly: state changes, the thread lock, failures that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from assistant_harness import Step, Timeline, TimelineError
from assistant_harness.apis.assistants.store import RUN_TTL, RunRequest, Store
from assistant_harness.apis.common.errors import ApiError
from assistant_harness.apis.common.ids import IdGenerator
from assistant_harness.engine.clock import VirtualClock


def _store(timeline: Timeline | None = None, seen: list[RunRequest] | None = None) -> Store:
    def timelines(request: RunRequest) -> Timeline:
        if seen is not None:
            seen.append(request)
        return timeline or Timeline.of(("queued", 1), ("in_progress", 2), "completed")

    return Store(VirtualClock(), IdGenerator(0), timelines)


def _thread_and_assistant(store: Store) -> tuple[str, str]:
    assistant = store.create_assistant({"model": "gpt-4o", "name": "Grader"})
    thread = store.create_thread({"messages": [{"role": "user", "content": "hi"}]})
    return thread["id"], assistant["id"]


def test_a_run_follows_its_timeline_as_the_clock_moves() -> None:
    store = _store()
    thread_id, assistant_id = _thread_and_assistant(store)
    run = store.create_run(thread_id, {"assistant_id": assistant_id})
    assert run.obj["status"] == "queued" and run.obj["expires_at"] == store.now() + RUN_TTL
    store.clock.advance(1)
    assert store.run(thread_id, run.id).obj["status"] == "in_progress"
    store.clock.advance(2)
    assert store.run(thread_id, run.id).obj["status"] == "completed"
    assert [m["role"] for m in store.thread(thread_id).messages.values()] == ["user", "assistant"]
    assert [e.name for e in run.log][:2] == ["thread.run.created", "thread.run.queued"]


def test_the_timeline_source_sees_each_run_request() -> None:
    seen: list[RunRequest] = []
    store = _store(seen=seen)
    thread_id, assistant_id = _thread_and_assistant(store)
    store.create_run(thread_id, {"assistant_id": assistant_id})
    store.clock.advance(10)
    store.create_thread_and_run({"assistant_id": assistant_id})
    assert [(r.index, r.assistant_name, r.assistant_id) for r in seen] == [
        (0, "Grader", assistant_id),
        (1, "Grader", assistant_id),
    ]


def test_an_active_run_locks_its_thread() -> None:
    store = _store()
    thread_id, assistant_id = _thread_and_assistant(store)
    run = store.create_run(thread_id, {"assistant_id": assistant_id})
    with pytest.raises(ApiError, match=f"while a run {run.id} is active"):
        store.create_message(thread_id, {"role": "user", "content": "more"})
    with pytest.raises(ApiError, match=f"already has an active run {run.id}"):
        store.create_run(thread_id, {"assistant_id": assistant_id})
    store.clock.advance(3)
    store.create_message(thread_id, {"role": "user", "content": "more"})  # finished: unlocked


def test_a_refused_run_changes_nothing() -> None:
    store = _store()
    thread_id, assistant_id = _thread_and_assistant(store)
    before = dict(store.thread(thread_id).messages)
    bad = {"role": "user", "content": "x", "attachments": [{"file_id": "file_missing"}]}
    with pytest.raises(ApiError, match="no file found with id 'file_missing'"):
        store.create_run(thread_id, {"assistant_id": assistant_id, "additional_messages": [bad]})
    with pytest.raises(ApiError, match="No assistant found"):
        store.create_thread_and_run({"assistant_id": "asst_missing"})
    assert store.thread(thread_id).messages == before and store.runs == {} and len(store.threads) == 1


def test_deleting_a_thread_forgets_its_runs() -> None:
    store = _store()
    thread_id, assistant_id = _thread_and_assistant(store)
    run = store.create_run(thread_id, {"assistant_id": assistant_id})
    store.delete_thread(thread_id)
    assert run.id not in store.runs
    with pytest.raises(ApiError, match="No thread found"):
        store.run(thread_id, run.id)


def test_an_impossible_timeline_from_the_source_names_the_step() -> None:
    store = _store(Timeline([Step("queued", 1), Step("requires_action")]))
    thread_id, assistant_id = _thread_and_assistant(store)
    with pytest.raises(TimelineError, match=r"steps\[1\]: a run cannot go from queued to requires_action"):
        store.create_run(thread_id, {"assistant_id": assistant_id})
    assert store.runs == {} and store.threads[thread_id].active is None


def test_a_stuck_run_expires_at_its_deadline_unless_scripted_not_to() -> None:
    for expires, status in ((True, "expired"), (False, "in_progress")):
        store = _store(Timeline([Step("queued", 1), Step("in_progress")], expires=expires))
        thread_id, assistant_id = _thread_and_assistant(store)
        run = store.create_run(thread_id, {"assistant_id": assistant_id})
        store.clock.advance(RUN_TTL + 1)
        assert store.run(thread_id, run.id).obj["status"] == status
        assert (store.threads[thread_id].active is None) == expires


def test_runs_list_newest_first_and_page() -> None:
    store = _store(Timeline([Step("completed")]))
    thread_id, assistant_id = _thread_and_assistant(store)
    ids = [store.create_run(thread_id, {"assistant_id": assistant_id}).id for _ in range(3)]
    first: dict[str, Any] = store.list_runs(thread_id, {"limit": "2"})
    assert [r["id"] for r in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    rest = store.list_runs(thread_id, {"limit": "2", "after": first["last_id"]})
    assert [r["id"] for r in rest["data"]] == ids[:1] and rest["has_more"] is False
