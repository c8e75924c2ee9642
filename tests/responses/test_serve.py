"""`assistant-harness serve` answers the Responses API over real sockets (real time, short timelines)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from ..served import serving

FAST = """
responses:
  - steps:
      - {status: queued, duration: 0.05}
      - {status: in_progress, duration: 0.05}
      - status: completed
        tool_calls: [{name: lookup, arguments: {q: llamas}}]
  - steps:
      - {status: queued, duration: 0.05}
      - {status: in_progress, duration: 0.05}
      - {status: completed, reply: "Found: {tool_output}"}
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    scenario = tmp_path / "fast.yaml"
    scenario.write_text(FAST, encoding="utf-8")
    with serving("--scenario", str(scenario)) as url:
        yield url


def test_a_background_tool_round_and_a_resumed_stream_over_http(server: str) -> None:
    with openai.OpenAI(api_key="sk-test", base_url=server) as client:
        response = client.responses.create(model="gpt-4o", input="find llamas", background=True)
        assert response.status == "queued"
        while response.status in ("queued", "in_progress"):
            time.sleep(0.05)
            response = client.responses.retrieve(response.id)
        call = response.output[0]
        assert response.status == "completed" and call.type == "function_call"
        follow = client.responses.create(
            model="gpt-4o",
            previous_response_id=response.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "3 llamas"}],  # type: ignore[union-attr]
            background=True,
            stream=True,
        )
        events = list(follow)
        assert events[-1].type == "response.completed"
        assert events[-1].response.output_text == "Found: 3 llamas"  # type: ignore[union-attr]
        resumed = list(client.responses.retrieve(events[0].response.id, stream=True, starting_after=2))  # type: ignore[union-attr]
        assert [e.sequence_number for e in resumed] == [e.sequence_number for e in events[3:]]
        assert client.responses.cancel(response.id).status == "completed"
