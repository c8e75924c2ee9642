"""remote/control: the control API in-process (an ASGI call with the caller's address)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant_harness.http.asgi import ServeApp
from assistant_harness.remote.control import Control
from assistant_harness.remote.worlds import Namespaces, WorldSpec

from ..asgi_client import exchange

LOCAL = "127.0.0.1"
TOOL_CALL_YAML = """
runs:
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 1}
      - {status: completed, reply: scripted}
"""


def app(token: str | None = None) -> tuple[ServeApp, Namespaces]:
    namespaces = Namespaces(WorldSpec())
    return ServeApp(namespaces, control=Control(namespaces, token)), namespaces


def call(
    served: ServeApp,
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    client: str = LOCAL,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    content = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    status, _, answer = exchange(served, method, "/__harness" + path, headers or {}, content, client=client)
    return status, json.loads(answer)


def api(served: ServeApp, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    headers = {
        "authorization": f"Bearer {key}",
        "openai-beta": "assistants=v2",
        "content-type": "application/json",
    }
    content = json.dumps(body).encode() if body is not None else b""
    status, _, answer = exchange(served, method, "/v1" + path, headers, content, client=LOCAL)
    return status, json.loads(answer)


def test_health() -> None:
    served, _ = app()
    status, body = call(served, "GET", "/health")
    assert status == 200 and body["status"] == "ok" and body["namespaces"] == 0


def test_a_scenario_in_yaml_scripts_that_namespace_only() -> None:
    served, namespaces = app()
    status, body = call(
        served,
        "PUT",
        "/namespaces/sk-a/scenario",
        raw=TOOL_CALL_YAML.encode(),
        headers={"content-type": "application/yaml"},
    )
    assert status == 200, body
    _, assistant = api(served, "POST", "/assistants", "sk-a", {"model": "gpt-4o"})
    _, run = api(served, "POST", "/threads/runs", "sk-a", {"assistant_id": assistant["id"]})
    call(served, "POST", "/namespaces/sk-a/clock", {"advance": 5})
    _, polled = api(served, "GET", f"/threads/{run['thread_id']}/runs/{run['id']}", "sk-a")
    assert polled["status"] == "completed"
    _, objects = call(served, "GET", "/namespaces/sk-a/objects")
    assert [h["status"] for h in objects["runs"][0]["history"]] == ["queued", "in_progress", "completed"]
    assert namespaces.names() == ["sk-a"]


@pytest.mark.parametrize(
    "body",
    [{"name": "tool_call"}, {"scenario": {"runs": [{"steps": [{"status": "completed", "reply": "x"}]}]}}],
)
def test_a_scenario_by_name_or_as_json(body: dict[str, Any]) -> None:
    served, _ = app()
    status, answer = call(served, "PUT", "/namespaces/n/scenario", body)
    assert status == 200, answer


@pytest.mark.parametrize(
    ("body", "raw", "says"),
    [
        (None, b"runs: [{steps: [{status: flying}]}]", "runs[0].steps[0]"),
        ({"name": "no_such_scenario"}, None, "no_such_scenario"),
        ({"name": "../etc/passwd.yaml"}, None, "not a path"),
        ({"nonsense": 1}, None, "scenario body"),
        (None, b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_refused_scenario_says_why_and_changes_nothing(body: Any, raw: bytes | None, says: str) -> None:
    served, namespaces = app()
    _, assistant = api(served, "POST", "/assistants", "sk-a", {"model": "gpt-4o"})
    before = namespaces.world("sk-a")
    headers = {"content-type": "application/yaml"} if raw is not None else {}
    status, answer = call(served, "PUT", "/namespaces/sk-a/scenario", body, raw=raw, headers=headers)
    assert status == 400 and says in answer["error"]["message"], answer
    assert namespaces.world("sk-a") is before
    assert api(served, "GET", f"/assistants/{assistant['id']}", "sk-a")[0] == 200


def test_the_clock_moves_by_or_to_and_refuses_the_past() -> None:
    served, namespaces = app()
    start = namespaces.world("n").clock.time()
    assert call(served, "POST", "/namespaces/n/clock", {"advance": 30})[1]["elapsed"] == 30
    assert call(served, "POST", "/namespaces/n/clock", {"to": start + 100})[1]["elapsed"] == 100
    for bad in ({"to": start}, {"advance": -1}, {"advance": "1"}, {"advance": 1, "to": 2}, [1]):
        status, answer = call(served, "POST", "/namespaces/n/clock", bad)
        assert status == 400, answer
        assert "clock body" in answer["error"]["message"] or "JSON object" in answer["error"]["message"]
    assert namespaces.world("n").clock.elapsed() == 100


def test_the_journal_redacts_secrets() -> None:
    served, _ = app()
    api(served, "POST", "/assistants", "sk-proj-" + "a" * 40, {"model": "gpt-4o", "instructions": "x"})
    _, journal = call(served, "GET", "/namespaces/" + "sk-proj-" + "a" * 40 + "/requests")
    text = json.dumps(journal["requests"])
    assert journal["requests"][0]["path"] == "/assistants"
    assert "a" * 40 not in text and "REDACTED" in text


def test_delete_resets_a_namespace() -> None:
    served, _ = app()
    _, assistant = api(served, "POST", "/assistants", "sk-a", {"model": "gpt-4o"})
    assert call(served, "DELETE", "/namespaces/sk-a")[1]["reset"] is True
    assert api(served, "GET", f"/assistants/{assistant['id']}", "sk-a")[0] == 404
    assert call(served, "DELETE", "/namespaces/never-used")[1]["reset"] is False


def test_unknown_control_paths_say_what_exists() -> None:
    served, _ = app()
    status, answer = call(served, "GET", "/namespaces/n/nothing")
    assert status == 404 and "PUT .../scenario" in answer["error"]["message"]


def test_without_a_token_only_loopback_callers_are_answered() -> None:
    served, namespaces = app()
    namespaces.world("sk-a")
    status, answer = call(
        served, "DELETE", "/namespaces/sk-a", client="10.1.2.3", headers={"x-forwarded-for": LOCAL}
    )
    assert status == 401 and "loopback" in answer["error"]["message"]
    assert namespaces.names() == ["sk-a"]
    assert call(served, "GET", "/health", client="::1")[0] == 200


def test_with_a_token_every_caller_must_send_it() -> None:
    served, namespaces = app(token="s3cret-token")
    api(served, "POST", "/assistants", "sk-a", {"model": "gpt-4o"})
    assert call(served, "DELETE", "/namespaces/sk-a")[0] == 401  # loopback is not enough
    assert call(served, "DELETE", "/namespaces/sk-a", headers={"x-harness-token": "wrong"})[0] == 401
    assert namespaces.names() == ["sk-a"]
    ok = call(
        served,
        "DELETE",
        "/namespaces/sk-a",
        client="10.1.2.3",
        headers={"authorization": "Bearer s3cret-token"},
    )
    assert ok[0] == 200 and namespaces.names() == []
    assert "s3cret" not in repr(served.control)


def test_objects_lists_every_kind_that_changes_over_time() -> None:
    served, _ = app()
    _, objects = call(served, "GET", "/namespaces/n/objects")
    assert objects == {"namespace": "n", "runs": [], "responses": [], "batches": [], "fine_tuning_jobs": []}
