"""apis/assistants/runs.py directly: the side effects of each status, on a host that is not a Store.

A run needs only the narrow RunHost (clock, ids, timestamps) and RunThread (messages, lock)
protocols, so these tests drive it with a few lines of stand-ins, no store and no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistant_harness import Step, Timeline
from assistant_harness.apis.assistants import objects, runs
from assistant_harness.apis.assistants.statuses import RUN_MODEL
from assistant_harness.apis.common.errors import ApiError
from assistant_harness.apis.common.ids import IdGenerator
from assistant_harness.engine import lifecycle as lc
from assistant_harness.engine.clock import VirtualClock

CALLS = {"tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}, {"name": "other", "id": "call_fixed"}]}


@dataclass
class Host:
    clock: VirtualClock = field(default_factory=VirtualClock)
    ids: IdGenerator = field(default_factory=lambda: IdGenerator(0))

    def timestamp(self, elapsed: float) -> int:
        return int(self.clock.epoch + elapsed)


@dataclass
class Thread:
    obj: dict[str, Any]
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    active: runs.RunState | None = None


def _run(host: Host, timeline: Timeline) -> runs.RunState:
    thread = Thread({"id": "thread_1"})
    thread.messages["msg_1"] = objects.message(
        "msg_1", 0, "thread_1", role="user", content=objects.message_content("What is the answer?")
    )
    assistant = objects.assistant("asst_1", 0, {"model": "gpt-4o"})
    created = host.timestamp(0)
    obj = objects.run(
        "run_1", created, "thread_1", assistant, {"assistant_id": "asst_1"}, expires_at=created + 600
    )
    run = runs.RunState(obj, thread, lc.Progress(timeline, 0, model=RUN_MODEL, expires_at=600))
    thread.active = run
    return run


def _advance(host: Host, run: runs.RunState, seconds: float) -> None:
    host.clock.advance(seconds)
    for transition in run.progress.advance(host.clock.elapsed()):
        runs.apply(host, run, transition)


def test_every_side_effect_is_keyed_by_a_status_of_the_model() -> None:
    assert set(runs.ON_ENTER) <= RUN_MODEL.statuses


def test_completing_writes_the_reply_stamps_and_releases_the_thread() -> None:
    host = Host()
    run = _run(host, Timeline.of(("queued", 1), ("in_progress", 2), "completed"))
    _advance(host, run, 1)
    assert run.obj["started_at"] == host.timestamp(1) and run.thread.active is run
    _advance(host, run, 2)
    assert run.obj["status"] == "completed" and run.obj["completed_at"] == host.timestamp(3)
    assert run.obj["expires_at"] is None and run.thread.active is None
    (reply,) = [m for m in run.thread.messages.values() if m["role"] == "assistant"]
    assert reply["content"][0]["text"]["value"] == "You said: What is the answer?"
    assert run.obj["usage"]["completion_tokens"] > 0
    assert run.history == [("in_progress", 1.0), ("completed", 3.0)]


def test_a_failed_step_gets_the_api_message_for_its_code() -> None:
    host = Host()
    failed = Step("failed", payload={"last_error": {"code": "rate_limit_exceeded"}})
    run = _run(host, Timeline([Step("in_progress", 1), failed]))
    _advance(host, run, 1)
    assert run.obj["failed_at"] == host.timestamp(1)
    assert run.obj["last_error"] == {
        "code": "rate_limit_exceeded",
        "message": runs.ERROR_MESSAGES["rate_limit_exceeded"],
    }


def test_requires_action_lists_the_calls_and_wrong_outputs_change_nothing() -> None:
    host = Host()
    run = _run(host, Timeline([Step("in_progress", 1), Step("requires_action", payload=CALLS)]))
    _advance(host, run, 1)
    calls = run.obj["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["lookup", "other"] and calls[1]["id"] == "call_fixed"
    assert calls[0]["function"]["arguments"] == '{"q": "x"}'
    with pytest.raises(ApiError, match=r"Expected tool outputs for call_ids"):
        runs.submit_tool_outputs(host, run, [{"tool_call_id": calls[0]["id"], "output": "1"}])
    assert run.obj["status"] == "requires_action" and run.tool_outputs == [] and len(run.pending_calls) == 2
    runs.submit_tool_outputs(host, run, [{"tool_call_id": c["id"], "output": "42"} for c in calls])
    assert run.obj["status"] == "completed" and run.obj["required_action"] is None  # the script ended waiting
    assert run.tool_outputs == [[{"tool_call_id": c["id"], "output": "42"} for c in calls]]


def test_outputs_to_a_run_that_does_not_wait_are_refused() -> None:
    host = Host()
    run = _run(host, Timeline.of(("queued", 1), ("in_progress", 2), "completed"))
    with pytest.raises(ApiError, match='Runs in status "queued" do not accept tool outputs'):
        runs.submit_tool_outputs(host, run, [])


def test_cancel_goes_through_cancelling_and_closes_open_steps() -> None:
    host = Host()
    run = _run(
        host, Timeline([Step("in_progress", 1), Step("requires_action", payload=CALLS)], cancel_delay=2)
    )
    _advance(host, run, 1)
    runs.cancel(host, run)
    assert run.obj["status"] == "cancelling"
    with pytest.raises(ApiError, match="Cannot cancel run with status 'cancelling'"):
        runs.cancel(host, run)
    _advance(host, run, 2)
    assert run.obj["status"] == "cancelled" and run.obj["cancelled_at"] == host.timestamp(3)
    assert [s["status"] for s in run.steps.values()] == ["cancelled"]
    with pytest.raises(ApiError, match="Cannot cancel run with status 'cancelled'"):
        runs.cancel(host, run)


def test_an_unfinished_run_expires_and_keeps_its_expires_at() -> None:
    host = Host()
    run = _run(host, Timeline([Step("queued", 1), Step("in_progress")]))
    _advance(host, run, 1000)
    assert run.obj["status"] == "expired" and run.obj["expires_at"] == host.timestamp(600)
    assert run.history[-1] == ("expired", 600.0)
    assert [e.name for e in run.log][-1] == "thread.run.expired" and run.log.after(None)[-1].at == 600


def test_text_splits_on_word_boundaries() -> None:
    assert runs.split_text("The quick brown fox jumps over the lazy dog") == [
        "The quick",
        " brown fox",
        " jumps over",
        " the lazy",
        " dog",
    ]
    assert "".join(runs.split_text("a b c " * 20)) == "a b c " * 20
    assert runs.split_text("") == [""]
