"""http/repeats: a polled object's body is reused exactly while it is unchanged, and never after."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from assistant_harness import FakeAssistants, Timeline
from assistant_harness.http import repeats
from assistant_harness.http.messages import encode_json
from assistant_harness.http.repeats import RepeatedBodies

PATH = "/threads/thread_1/runs/run_1"


def _run() -> dict[str, Any]:
    return {"id": "run_1", "status": "in_progress", "temperature": 1.0, "usage": {"total_tokens": 5}}


def test_an_unchanged_object_gets_the_same_body_back() -> None:
    bodies = RepeatedBodies()
    obj = _run()
    first = bodies.body(PATH, obj)
    assert first == encode_json(obj).encode()
    assert bodies.body(PATH, obj) is first
    assert bodies.body(PATH, _run()) is first  # an equal object, built again


@pytest.mark.parametrize(
    "change",
    [
        lambda o: o.__setitem__("status", "completed"),
        lambda o: o["usage"].__setitem__("total_tokens", 6),  # nested
        lambda o: o.__setitem__("temperature", 1),  # equal, but encoded "1", not "1.0"
        lambda o: o["usage"].__setitem__("total_tokens", 5.0),
        lambda o: o.__setitem__("temperature", True),  # True == 1.0 too
        lambda o: o.__setitem__("id", o.pop("id")),  # the same keys, in another order
        lambda o: o.__setitem__("extra", None),
    ],
    ids=["status", "nested", "float-to-int", "int-to-float", "to-bool", "key-order", "new-key"],
)
def test_any_change_is_encoded_again(change: Any) -> None:
    bodies = RepeatedBodies()
    obj = _run()
    before = bodies.body(PATH, obj)
    change(obj)
    after = bodies.body(PATH, obj)
    assert after == encode_json(obj).encode()
    assert after != before


class Phase(str, enum.Enum):
    QUEUED = "queued"
    DONE = "completed"


def test_a_str_enum_is_cached_and_its_change_seen() -> None:
    bodies = RepeatedBodies()
    obj: dict[str, Any] = {"id": "run_1", "status": Phase.QUEUED}
    first = bodies.body(PATH, obj)
    assert first == b'{"id":"run_1","status":"queued"}' and bodies.body(PATH, obj) is first
    obj["status"] = Phase.DONE
    assert bodies.body(PATH, obj) == b'{"id":"run_1","status":"completed"}'


def test_what_cannot_be_pickled_is_encoded_every_time() -> None:
    class Status(str):
        pass

    bodies = RepeatedBodies()
    obj = {"id": "run_1", "status": Status("queued")}
    assert bodies.body(PATH, obj) == b'{"id":"run_1","status":"queued"}'
    assert len(bodies) == 0
    assert bodies.body(PATH, obj) == b'{"id":"run_1","status":"queued"}'


def test_each_path_keeps_its_own_body_and_their_number_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repeats, "KEPT", 3)
    bodies = RepeatedBodies()
    a, b = {"id": "a"}, {"id": "b"}
    body_a = bodies.body("/a", a)
    assert bodies.body("/b", b) == b'{"id":"b"}'
    assert bodies.body("/a", a) is body_a
    bodies.body("/c", {"id": "c"})
    assert len(bodies) == 3
    bodies.body("/d", {"id": "d"})  # past the bound: everything before is forgotten
    assert len(bodies) == 1
    assert bodies.body("/a", a) == body_a


def test_a_poll_sees_the_tests_own_change_of_the_stored_run() -> None:
    with FakeAssistants(timeline=Timeline.of(("in_progress", 60.0), "completed")) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create()
        run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
        polls = [client.beta.threads.runs.retrieve(run.id, thread_id=thread.id) for _ in range(3)]
        assert {p.status for p in polls} == {"in_progress"}
        fake.run(run.id).obj["metadata"]["step"] = "2"
        fake.run(run.id).obj["temperature"] = 1  # equal to 1.0: the body still changes
        raw = client.beta.threads.runs.with_raw_response.retrieve(run.id, thread_id=thread.id)
        assert raw.parse().metadata == {"step": "2"}
        assert b'"temperature":1,' in raw.content
        fake.advance(60)
        assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "completed"
