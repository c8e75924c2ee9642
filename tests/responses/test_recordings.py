"""The three real pydantic-ai background recordings, replayed as checks: the fake answers the same
requests with the same status sequences, the same key sets (recursively, nulls where they are null)
and the same event order."""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml

from assistant_harness import FakeOpenAI

from .. import spec as spec_helpers
from . import recordings as rec

#: Values a shape may differ in: the recordings' org turned ``store`` off (zero data retention).
LOOSE = {"store"}


def _same_shape(recorded: Any, ours: Any, where: str) -> None:
    assert rec.shape({k: v for k, v in ours.items() if k not in LOOSE}) == rec.shape(
        {k: v for k, v in recorded.items() if k not in LOOSE}
    ), where


def _poll_like(client: Any, response: Any, statuses: list[str]) -> list[Any]:
    """Poll as the recording did: one retrieve per recorded poll, 1.5 s apart (our default timeline
    moves at 1 s and 3 s, so the same statuses come back)."""
    seen = []
    for _ in statuses:
        time.sleep(1.5)
        seen.append(client.with_raw_response.responses.retrieve(response.id).parse())
    return seen


def test_the_plain_background_recording() -> None:
    recorded = rec.load(rec.PLAIN)
    with FakeOpenAI() as fake:
        client = fake.client()
        raw = client.responses.with_raw_response.create(**recorded[0].request)
        created = raw.parse()
        _same_shape(recorded[0].body, raw.http_response.json(), "create")
        statuses = [x.body["status"] for x in recorded[1:]]
        for exchange in recorded[1:]:
            time.sleep(1.5)
            body = client.responses.with_raw_response.retrieve(created.id).http_response.json()
            assert body["status"] == exchange.body["status"]
            _same_shape(exchange.body, body, f"poll {exchange.body['status']}")
        assert statuses == ["in_progress", "completed"]


def test_the_tool_recording_with_the_whole_input_replayed() -> None:
    recorded = rec.load(rec.TOOL)
    with FakeOpenAI("background_tool_call") as fake:
        client = fake.client()
        answers: list[Any] = []
        current = None
        for exchange in recorded:
            if exchange.method == "POST":
                raw = client.responses.with_raw_response.create(**exchange.request)
                current = raw.parse()
                answers.append(raw.http_response.json())
            else:
                assert current is not None
                # Wait until our response reaches the recorded status (the recording's timing differs).
                for _ in range(10):
                    body = client.responses.with_raw_response.retrieve(current.id).http_response.json()
                    if body["status"] == exchange.body["status"]:
                        break
                    time.sleep(1)
                answers.append(body)
        for exchange, ours in zip(recorded, answers, strict=True):
            assert ours["status"] == exchange.body["status"]
            _same_shape(exchange.body, ours, f"{exchange.method} {exchange.body['status']}")
        assert answers[1]["output"][0]["type"] == "function_call"
        assert (
            answers[-1]["output"][0]["content"][0]["text"] == "The weather in Paris: Sunny and 72F in Paris."
        )


def test_the_streaming_recording_and_its_resumption() -> None:
    recorded = rec.load(rec.STREAMING)
    with FakeOpenAI() as fake:
        client = fake.client()
        first = client.responses.with_raw_response.create(**recorded[0].request)
        ours = rec.events(first.http_response.read().decode())
        resumed_raw = client.responses.with_raw_response.retrieve(
            ours[0]["response"]["id"], stream=True, starting_after=0
        )
        resumed = rec.events(resumed_raw.http_response.read().decode())
    for mine, theirs in ((ours, recorded[0].body), (resumed, recorded[1].body)):
        assert _collapsed(mine) == _collapsed(theirs)
        assert [e["sequence_number"] for e in mine] == list(range(mine[0]["sequence_number"], len(ours)))
        by_type = {e["type"]: e for e in theirs}
        for event in mine:
            _same_shape(by_type[event["type"]], event, event["type"])
    assert resumed[0]["sequence_number"] == 1 and resumed[0]["type"] == "response.queued"


def _collapsed(events: list[dict[str, Any]]) -> list[str]:
    types = [e["type"] for e in events]
    return [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]]


@pytest.mark.parametrize("name", [rec.PLAIN, rec.TOOL, rec.STREAMING])
def test_the_vendored_copies_match_shared(name: str) -> None:
    original = spec_helpers.SHARED / "real-cassettes" / "responses" / name
    if not original.exists():
        pytest.skip(f"{original} is not here (only this comparison needs ../shared)")
    data = yaml.safe_load(original.read_text(encoding="utf-8"))
    recorded = [
        i["response"].get("parsed_body") or rec.events(i["response"]["body"]["string"])
        for i in data["interactions"]
    ]
    assert [x.body for x in rec.load(name)] == recorded  # bodies unchanged; only headers scrubbed
