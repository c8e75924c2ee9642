"""apis/common/logged: an object kept as it was at the moment it was logged (pickled bytes, or text)."""

from __future__ import annotations

import json

import pytest

from assistant_harness.apis.common.logged import Logged, json_text


@pytest.mark.parametrize("as_text", [False, True], ids=["packed", "text"])
def test_a_logged_object_is_the_object_as_it_was_then(as_text: bool) -> None:
    obj = {
        "id": "run_1",
        "status": "queued",
        "usage": None,
        "tools": [{"type": "code_interpreter"}],
        "t": 1.0,
    }
    logged = Logged(obj, as_text=as_text)
    obj["status"] = "completed"
    obj["tools"].append({"type": "file_search"})
    assert logged == {
        "id": "run_1",
        "status": "queued",
        "usage": None,
        "tools": [{"type": "code_interpreter"}],
        "t": 1.0,
    }
    assert logged["status"] == "queued" and len(logged) == 5 and next(iter(logged)) == "id"
    assert {**logged}["tools"] == [{"type": "code_interpreter"}]


@pytest.mark.parametrize("as_text", [False, True], ids=["packed", "text"])
def test_a_stream_sends_the_logged_text_as_json_dumps_would_write_it(as_text: bool) -> None:
    obj = {"text": 'café \u2028 "q"', "n": [1, 2.5, None, True, 1.0, -0.0, 2**70], "t": (1, 2)}
    expected = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    assert Logged(obj, as_text=as_text).text == expected
    assert json_text(Logged(obj, as_text=as_text)) == expected and json_text(obj) == expected
    logged = Logged(obj, as_text=as_text)
    assert dict(logged)["n"] == [1, 2.5, None, True, 1.0, -0.0, 2**70] and logged.text == expected
    assert dict(logged)["t"] == [1, 2]  # read as the JSON it was: a list, kept or not


class Score(float):
    """A float subclass, as a numpy scalar is one: encoded as the float it is."""


def test_a_float_subclass_reads_back_as_the_float_it_encodes_to() -> None:
    obj = {"temperature": Score(0.5)}
    logged = Logged(obj)
    obj["temperature"] = 1.0
    assert logged.text == '{"temperature":0.5}' and logged["temperature"] == 0.5


def test_a_numpy_scalar_reads_back_as_a_float() -> None:
    numpy = pytest.importorskip("numpy")
    logged = Logged({"temperature": numpy.float64(0.5), "tools": ({"type": "code_interpreter"},)})
    assert logged == {"temperature": 0.5, "tools": [{"type": "code_interpreter"}]}
    assert repr(logged) == 'Logged({"temperature":0.5,"tools":[{"type":"code_interpreter"}]})'


def test_what_cannot_be_pickled_is_kept_as_text() -> None:
    class Status(str):
        pass

    obj = {"id": "run_1", "status": Status("queued")}
    logged = Logged(obj)
    obj["status"] = "completed"
    assert logged.text == '{"id":"run_1","status":"queued"}' and logged["status"] == "queued"
    assert repr(logged) == 'Logged({"id":"run_1","status":"queued"})'


@pytest.mark.parametrize("as_text", [False, True], ids=["packed", "text"])
def test_the_same_moment_logged_again_reads_the_same_and_is_its_own(as_text: bool) -> None:
    obj = {"id": "step_1", "status": "in_progress", "step_details": {"type": "message_creation"}}
    first = Logged(obj, as_text=as_text)
    again = first.again()
    obj["status"] = "completed"
    assert (
        again
        == first
        == {"id": "step_1", "status": "in_progress", "step_details": {"type": "message_creation"}}
    )
    assert again.text == first.text
    first["step_details"]["type"] = "changed by a reader"  # what one reader does to its mapping
    assert again["step_details"] == {"type": "message_creation"}


def test_events_sent_back_to_back_of_one_unchanged_object_read_apart() -> None:
    from assistant_harness import FakeAssistants

    fake = FakeAssistants()
    client = fake.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
    created, queued = list(fake.run(run.id).log)[:2]
    assert (created.name, queued.name) == ("thread.run.created", "thread.run.queued")
    assert created.data == queued.data and created.data is not queued.data
    created.data["metadata"]["k"] = "v"
    assert queued.data["metadata"] == {}
