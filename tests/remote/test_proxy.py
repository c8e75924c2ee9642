"""remote/proxy: `serve --cassette` records any client's traffic from an upstream (here a second
`serve`) and replays it byte for byte with the upstream stopped and the network blocked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openai

from assistant_harness.cli.main import main

from ..served import serving

KEY = "sk-proj-" + "Q" * 48  # key-shaped: it must not reach the cassette


def flow(url: str) -> dict[str, Any]:
    client = openai.OpenAI(api_key=KEY, base_url=url)
    try:
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        events = [e.type for e in client.responses.create(model="gpt-4o", input="hi", stream=True)]
        raw = httpx.get(
            f"{url}/threads/{run.thread_id}/runs/{run.id}",
            headers={"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"},
        )
        return {"run": run.model_dump(), "events": events, "raw": raw.content, "status": raw.status_code}
    finally:
        client.close()


def test_recorded_through_the_proxy_and_replayed_offline(tmp_path: Path) -> None:
    cassette = tmp_path / "proxied.json"
    with (
        serving("--scenario", "happy_path") as upstream,
        serving("--cassette", str(cassette), "--record-mode", "once", "--upstream", upstream) as proxy,
    ):
        recorded = flow(proxy)
    assert recorded["run"]["status"] == "completed" and recorded["status"] == 200
    text = cassette.read_text(encoding="utf-8")
    assert "Q" * 48 not in text and json.loads(text)  # written when the proxy stopped, redacted
    with serving("--cassette", str(cassette), "--record-mode", "none") as replaying:
        replayed = flow(replaying)
        unmatched = httpx.get(f"{replaying}/assistants/asst_nope", headers={"Authorization": "Bearer sk-x"})
        root = replaying.removesuffix("/v1")
        assert httpx.get(f"{root}/__harness/health").json()["status"] == "ok"
        no_worlds = httpx.delete(f"{root}/__harness/namespaces/sk-x")
    assert no_worlds.status_code == 404 and "proxy" in no_worlds.json()["error"]["message"]
    assert replayed == recorded
    assert unmatched.status_code == 422
    assert "Closest recorded requests" in unmatched.json()["error"]["message"]


def test_a_recording_proxy_needs_an_upstream(tmp_path: Path, capsys: Any) -> None:
    assert main(["serve", "--cassette", str(tmp_path / "c.json"), "--port", "1"]) == 2
    assert "--upstream" in capsys.readouterr().err
    assert (
        main(["serve", "--cassette", str(tmp_path / "c.json"), "--record-mode", "none", "--port", "1"]) == 2
    )
    assert "no such cassette" in capsys.readouterr().err
    assert main(["serve", "--upstream", "http://x/v1", "--port", "1"]) == 2
    assert "--cassette" in capsys.readouterr().err
