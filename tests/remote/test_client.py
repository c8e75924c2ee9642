"""remote/client (HarnessServer) against a real `serve` process: namespaces, control verbs, virtual clock."""

from __future__ import annotations

import httpx
import openai
import pytest

from assistant_harness.cli.main import main
from assistant_harness.remote import ControlRequestError, HarnessServer

from ..served import serving

#: 60 virtual seconds, polled every 2: the SDK's poll helper waits a few real milliseconds per poll.
MINUTE = {
    "poll_after_ms": 2000,
    "runs": [
        {
            "steps": [
                {"status": "queued", "duration": 10},
                {"status": "in_progress", "duration": 50},
                {"status": "completed", "reply": "a minute later"},
            ]
        }
    ],
}


def test_a_scenario_loaded_over_the_control_api_is_polled_on_the_virtual_clock() -> None:
    with (
        serving() as url,
        HarnessServer(url) as server,
        openai.OpenAI(api_key="sk-minute", base_url=url) as sdk,  # closed: no socket outlives the test
        openai.OpenAI(api_key="sk-other", base_url=url) as other,
    ):
        assert server.health()["status"] == "ok"
        server.load_scenario("sk-minute", MINUTE)
        assistant = sdk.beta.assistants.create(model="gpt-4o")
        run = sdk.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        assert run.status == "completed"
        [history] = server.objects("sk-minute")["runs"]
        times = [step["at"] for step in history["history"]]
        assert [s["status"] for s in history["history"]] == ["queued", "in_progress", "completed"]
        assert times[-1] - times[0] == pytest.approx(60.0)
        # Another key sees none of it.
        with pytest.raises(openai.NotFoundError):
            other.beta.assistants.retrieve(assistant.id)
        assert [r["path"] for r in server.requests("sk-minute")][:2] == ["/assistants", "/threads/runs"]
        server.advance("sk-minute", 10)
        assert server.reset("sk-minute") is True
        with pytest.raises(ControlRequestError, match=r"400.*clock body"):
            server.advance("sk-minute", -1)


def test_one_date_header_per_answer() -> None:
    with serving() as url:
        answer = httpx.get(
            f"{url}/assistants", headers={"Authorization": "Bearer sk-a", "OpenAI-Beta": "assistants=v2"}
        )
        assert answer.status_code == 200
        assert len(answer.headers.get_list("date")) == 1
        assert "server" not in answer.headers


def test_the_control_token_is_required_when_set() -> None:
    with serving("--control-token", "tok-123") as url:
        with HarnessServer(url) as anyone, pytest.raises(ControlRequestError, match="401"):
            anyone.health()
        with HarnessServer(url, token="tok-123") as owner:
            assert owner.health()["status"] == "ok"
            assert "tok-123" not in repr(owner)


def test_serve_refuses_a_public_host_without_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "--control-token" in capsys.readouterr().err


def test_speed_belongs_to_the_real_clock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--clock", "virtual", "--speed", "10", "--port", "1"]) == 2
    assert "--clock real" in capsys.readouterr().err


def test_the_token_comes_from_the_environment_as_serve_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_HARNESS_CONTROL_TOKEN", "tok-env")
    with serving() as url, HarnessServer(url) as server:  # the server inherits it, the client reads it
        assert server.health()["status"] == "ok"
    monkeypatch.delenv("ASSISTANT_HARNESS_CONTROL_TOKEN")
