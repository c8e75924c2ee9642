"""Cassettes from Azure OpenAI: the api-key and Entra tokens are redacted, the traffic replays
offline, and `show` / `to-scenario` read it (``api-version`` and deployment paths included)."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from assistant_harness import FakeOpenAI, Step, Timeline, use_cassette
from assistant_harness.cli.main import main

#: Shaped like the real thing: an Azure key (32 hex) and an Entra ID token (a JWT).
AZURE_KEY = "0123456789abcdef0123456789abcdef"
ENTRA_TOKEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0.c2lnbmF0dXJl"
)
SLOW = Timeline([Step("queued", 1), Step("in_progress", 5), Step("completed", payload={"reply": "4"})])
TOOL = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 2),
        Step("requires_action", payload={"tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}]}),
    ]
)


def flow(client: openai.AzureOpenAI) -> tuple[str, str, str]:
    response = client.responses.create(model="my-gpt-4o", input="2 + 2?", background=True)
    while response.status in ("queued", "in_progress"):
        response = client.responses.retrieve(response.id)
    chat = client.chat.completions.create(model="my-gpt-4o", messages=[{"role": "user", "content": "hi"}])
    run = client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="m").id)
    return response.output_text, str(chat.choices[0].message.content), run.status


def clients() -> list[openai.AzureOpenAI]:
    endpoint = "https://myres.openai.azure.com"
    return [
        openai.AzureOpenAI(azure_endpoint=endpoint, api_version="2025-04-01-preview", api_key=AZURE_KEY),
        openai.AzureOpenAI(
            azure_endpoint=endpoint,
            api_version="2025-04-01-preview",
            azure_ad_token_provider=lambda: ENTRA_TOKEN,
        ),
    ]


@pytest.mark.parametrize("which", [0, 1], ids=["api-key", "entra"])
def test_recording_from_azure_redacts_the_key_and_replays_offline(tmp_path: Path, which: int) -> None:
    path = tmp_path / "azure.json"
    with FakeOpenAI(response_timeline=SLOW, timeline=TOOL), use_cassette(path, record_mode="once"):
        recorded = flow(clients()[which])
    text = path.read_text(encoding="utf-8")
    assert AZURE_KEY not in text and ENTRA_TOKEN not in text and ENTRA_TOKEN[:20] not in text
    assert "api-version=2025-04-01-preview" in text and "/openai/deployments/my-gpt-4o/" in text
    with use_cassette(path):  # no fake: only the cassette answers, the network is blocked
        assert flow(clients()[which]) == recorded
    assert recorded == ("4", recorded[1], "requires_action")


def test_show_and_to_scenario_read_azure_cassettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "azure.json"
    with FakeOpenAI(response_timeline=SLOW, timeline=TOOL), use_cassette(path, record_mode="once"):
        flow(clients()[0])
    assert main(["show", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "requires_action" in shown and "completed" in shown
    out = tmp_path / "azure.yaml"
    assert main(["to-scenario", str(path), "-o", str(out)]) == 0
    assert "(1 run(s)" in capsys.readouterr().out
    with FakeOpenAI(out) as fake:
        client = fake.azure_client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        assert run.status == "requires_action"
