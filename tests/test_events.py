"""The numbered event log: appended, never drained, read from any position by any number of readers."""

from __future__ import annotations

import openai

from assistant_harness import FakeAssistants
from assistant_harness.apis.assistants import streaming
from assistant_harness.apis.responses.store import ResponseStore
from assistant_harness.engine.events import EventLog, snapshot
from assistant_harness.remote.worlds import WorldSpec


def test_events_are_numbered_from_zero_and_read_after_a_position() -> None:
    log = EventLog()
    assert log.last is None and log.after(None) == []
    first = log.append("a", {"n": 1}, at=0.0)
    log.append("b", {"n": 2}, at=1.5)
    log.append("c", {"n": 3}, at=1.5)
    assert first.sequence_number == 0 and log.last == 2 and len(log) == 3
    assert [e.name for e in log.after(None)] == ["a", "b", "c"]
    assert [e.name for e in log.after(0)] == ["b", "c"]
    assert log.after(2) == [] and log.after(99) == []
    assert [(e.sequence_number, e.at) for e in log] == [(0, 0.0), (1, 1.5), (2, 1.5)]


def test_reading_does_not_drain() -> None:
    log = EventLog()
    log.append("a", {}, at=0)
    assert list(log.after(None)) == list(log.after(None)) == list(log)


def test_a_snapshot_does_not_follow_later_changes() -> None:
    obj = {"status": "queued", "tools": [{"type": "function"}], "metadata": {"k": "v"}}
    copy = snapshot(obj)
    obj["status"] = "completed"
    obj["tools"][0]["type"] = "code_interpreter"
    obj["metadata"]["k"] = "w"
    assert copy == {"status": "queued", "tools": [{"type": "function"}], "metadata": {"k": "v"}}


def test_a_polled_run_keeps_its_whole_history() -> None:
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        log = fake.run(run.id).log
    names = [e.name for e in log]
    assert names[:4] == [
        "thread.created",
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
    ]
    assert names[-1] == "thread.run.completed"
    assert [e.sequence_number for e in log] == list(range(len(names)))
    times = [e.at for e in log]
    assert times == sorted(times) and times[-1] == fake.clock.elapsed()
    statuses = [e.data["status"] for e in log if e.name.startswith("thread.run.") and "step" not in e.name]
    assert statuses == ["queued", "queued", "in_progress", "completed"]  # each as it was then


def test_a_second_stream_reader_sees_the_same_events(client: openai.OpenAI, fake: FakeAssistants) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    with client.beta.threads.create_and_run(assistant_id=assistant.id, stream=True) as stream:
        streamed = [event.event for event in stream]
    (run,) = fake.store.runs.values()
    assert [e.name for e in run.log] == streamed  # the stream did not drain the log
    again = streaming.render(streaming.play(fake.store, run), done=True)
    assert [chunk.split(b"\n")[0].decode()[len("event: ") :] for chunk in again] == [*streamed, "done"]


def test_a_compacted_log_reads_back_the_same_events() -> None:
    log = EventLog()
    for number in range(5):
        log.append(f"e{number}", {"n": number, "nested": {"list": [1, 2.5, None, "x"]}}, at=number / 2)
    before = list(log)
    log.compact()
    assert log.compacted and repr(log) == "EventLog(5 events, compacted)"
    assert list(log) == before and log.after(2) == before[3:]
    assert (len(log), log.last) == (5, 4)
    log.compact()  # again: nothing changes
    # Written to again (an object that changed after all): unpacked, numbered on.
    assert log.append("late", {}, at=9).sequence_number == 5
    assert not log.compacted and [e.name for e in log.after(3)] == ["e4", "late"]


def test_a_served_finished_responses_log_is_compacted_and_still_streams() -> None:
    fake = WorldSpec().build()  # how serve makes each namespace's fake
    client = fake.client()
    stream = client.responses.create(model="gpt-4o", input="x", background=True, stream=True)
    streamed = [e.type for e in stream]
    store = fake.backend.apis.of(ResponseStore)
    response_id = next(iter(store.responses))
    assert store.responses[response_id].events.compacted
    again = [e.type for e in client.responses.retrieve(response_id, stream=True)]
    assert again == streamed and streamed[-1] == "response.completed"


def test_a_tests_fake_keeps_finished_logs_as_they_are() -> None:
    """Compressing a history costs a JSON encoding and zlib per response: only serve, which runs for
    hours, pays it."""
    with FakeAssistants() as fake:
        fake.client().responses.create(model="gpt-4o", input="x", background=True, stream=True).close()
        store = fake.backend.apis.of(ResponseStore)
        fake.advance(60)
        state = store.get(next(iter(store.responses)))
        assert state.progress.is_final and not state.events.compacted
