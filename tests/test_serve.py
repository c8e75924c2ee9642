"""`assistant-harness serve`: a real HTTP server; record against it over sockets, replay offline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistant_harness import use_cassette

from .realtime import forbid_real_sleep
from .served import serving

FAST = """
poll_after_ms: 20
runs:
  - steps:
      - {status: queued, duration: 0.05}
      - {status: in_progress, duration: 0.05}
      - status: requires_action
        tool_calls: [{name: lookup, arguments: {q: llamas}}]
      - {status: in_progress, duration: 0.05}
      - {status: completed, reply: "Found: {tool_output}"}
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    scenario = tmp_path / "fast.yaml"
    scenario.write_text(FAST, encoding="utf-8")
    with serving("--scenario", str(scenario)) as url:
        yield url


def flow(client: openai.OpenAI) -> dict[str, Any]:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "find llamas"}]}
    )
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "3 llamas"}]
    )
    messages = client.beta.threads.messages.list(run.thread_id)
    return {
        "run": run.model_dump(),
        "call": call.model_dump(),
        "messages": [m.model_dump() for m in messages.data],
    }


async def aflow(client: openai.AsyncOpenAI) -> dict[str, Any]:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    run = await client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "find llamas"}]}
    )
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "3 llamas"}]
    )
    messages = await client.beta.threads.messages.list(run.thread_id)
    return {
        "run": run.model_dump(),
        "call": call.model_dump(),
        "messages": [m.model_dump() for m in messages.data],
    }


def test_any_http_client_can_use_it(server: str) -> None:
    headers = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
    created = httpx.post(f"{server}/assistants", json={"model": "gpt-4o"}, headers=headers)
    assert created.status_code == 200 and created.json()["id"].startswith("asst_")
    assert httpx.get(f"{server}/assistants", headers=headers).json()["data"][0]["id"] == created.json()["id"]
    missing = httpx.get(f"{server}/chat/completions", headers=headers)
    assert (
        missing.status_code == 404
        and missing.json()["error"]["message"] == "Invalid URL (GET /v1/chat/completions)"
    )


def test_record_against_serve_then_replay_offline(server: str, tmp_path: Path) -> None:
    path = tmp_path / "served.json"
    with use_cassette(path, record_mode="once"), openai.OpenAI(api_key="sk-test", base_url=server) as client:
        recorded = flow(client)
    assert recorded["run"]["status"] == "completed"
    assert recorded["messages"][0]["content"][0]["text"]["value"] == "Found: 3 llamas"
    with (
        forbid_real_sleep(),
        use_cassette(path),  # the server could be gone: nothing reaches the network
        openai.OpenAI(api_key="sk-test", base_url=server) as client,
    ):
        replayed = flow(client)
    assert replayed == recorded


def test_async_record_against_serve_then_replay(server: str, tmp_path: Path) -> None:
    path = tmp_path / "served-async.json"

    async def both() -> tuple[dict[str, Any], dict[str, Any]]:
        with use_cassette(path, record_mode="once"):
            async with openai.AsyncOpenAI(api_key="sk-test", base_url=server) as client:
                recorded = await aflow(client)
        with use_cassette(path):
            async with openai.AsyncOpenAI(api_key="sk-test", base_url=server) as client:
                replayed = await aflow(client)
        return recorded, replayed

    recorded, replayed = asyncio.run(both())
    assert recorded == replayed and recorded["run"]["status"] == "completed"
