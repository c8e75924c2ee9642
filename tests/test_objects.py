"""The fake's objects carry the keys real ones carried (../shared/real-cassettes), plus documented extras."""

from __future__ import annotations

import contextlib
import gzip
import json
from typing import Any

import pytest
import yaml

from assistant_harness import FakeAssistants, Step, Timeline

from . import spec as spec_helpers

#: Keys the fake sends that a real recording lacked, each decided in docs/fidelity.md.
DOCUMENTED_EXTRAS = {
    # The spec requires them; the real *streamed* messages carry them, the polled ones did not.
    "polled message": {"status", "incomplete_details", "incomplete_at", "completed_at"},
    "streamed message": set(),
    # The spec requires expired_at and metadata; real steps had only expires_at.
    "run step": {"expired_at", "metadata"},
    "assistant": set(),
    "thread": set(),
    "run": set(),
}


def _body(response: dict[str, Any]) -> str:
    raw = response["body"]["string"]
    if isinstance(raw, bytes):
        with contextlib.suppress(OSError):
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    return str(raw)


def _real_objects() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(spec_helpers.REAL_CASSETTES.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            text = _body(interaction["response"])
            if text.startswith("event:"):
                for block in text.split("\n\n"):
                    lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if lines.get("event") == "thread.run.step.created":
                        found.setdefault("run step", json.loads(lines["data"]))
                    if lines.get("event") == "thread.message.completed":
                        found.setdefault("streamed message", json.loads(lines["data"]))
                continue
            payload = json.loads(text)
            kind = {
                "assistant": "assistant",
                "thread": "thread",
                "thread.message": "polled message",
                "thread.run": "run",
            }.get(payload.get("object"))
            if kind:
                found.setdefault(kind, payload)
    return found


def _wire(found: dict[str, dict[str, Any]]) -> Any:
    """A listener that keeps the first object of each kind the fake sends over the wire: JSON answers
    by their ``object``, and from streams the events the real recordings' objects came from."""

    def keep(_: Any, answer: Any) -> None:
        if answer.chunks is not None:
            for block in answer.content.decode().split("\n\n"):
                lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                kind = STREAMED.get(lines.get("event", ""))
                if kind:
                    found.setdefault(kind, json.loads(lines["data"]))
        elif answer.content:
            payload = json.loads(answer.content)
            kind = POLLED.get(payload.get("object")) if isinstance(payload, dict) else None
            if kind:
                found.setdefault(kind, payload)

    return keep


POLLED = {
    "assistant": "assistant",
    "thread": "thread",
    "thread.message": "polled message",
    "thread.run": "run",
}
STREAMED = {"thread.run.step.created": "run step", "thread.message.completed": "streamed message"}


def _fake_objects() -> dict[str, dict[str, Any]]:
    tools = Timeline(
        [
            Step("queued", 1),
            Step("in_progress", 1),
            Step("requires_action", payload={"tool_calls": [{"name": "f"}]}),
        ]
    )
    found: dict[str, dict[str, Any]] = {}
    with FakeAssistants(timeline=tools) as fake:
        fake.backend.listeners.append(_wire(found))
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o-mini", tools=[{"type": "code_interpreter"}])
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(thread_id=thread.id, role="user", content="x")
        client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    with FakeAssistants() as fake:  # a streamed run to its reply
        fake.backend.listeners.append(_wire(found))
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o-mini")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "x"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            stream.until_done()
    assert set(found) == set(DOCUMENTED_EXTRAS), set(found)
    return found


@pytest.mark.parametrize("kind", sorted(DOCUMENTED_EXTRAS))
def test_keys_match_the_real_recordings(kind: str) -> None:
    real = _real_objects()[kind]
    fake = _fake_objects()[kind]
    assert set(real) - set(fake) == set(), f"the fake's {kind} lacks keys the real API sent"
    assert set(fake) - set(real) == DOCUMENTED_EXTRAS[kind]


def test_key_order_follows_the_real_run() -> None:
    real = [k for k in _real_objects()["run"]]
    fake = [k for k in _fake_objects()["run"] if k in real]
    assert fake == real
