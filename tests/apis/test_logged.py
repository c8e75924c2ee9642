"""apis/common/logged: an object kept as its JSON text at the moment it was logged."""

from __future__ import annotations

import json

from assistant_harness.apis.common.logged import Logged, json_text


def test_a_logged_object_is_the_object_as_it_was_then() -> None:
    obj = {
        "id": "run_1",
        "status": "queued",
        "usage": None,
        "tools": [{"type": "code_interpreter"}],
        "t": 1.0,
    }
    logged = Logged(obj)
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


def test_a_stream_sends_the_logged_text_as_json_dumps_would_write_it() -> None:
    obj = {"text": 'café \u2028 "q"', "n": [1, 2.5, None, True]}
    expected = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    assert Logged(obj).text == expected
    assert json_text(Logged(obj)) == expected and json_text(obj) == expected
