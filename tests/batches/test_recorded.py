"""A recorded batch: ``show`` tells its story, ``to-scenario`` turns it into a ``batches:`` scenario
that plays the same statuses at the same moments and the same failures, and the cassette replays."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from assistant_harness import FakeOpenAI
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.observe import to_scenario
from assistant_harness.cassettes.observe_batches import observe_batches
from assistant_harness.cassettes.recorder import use_cassette
from assistant_harness.cli.main import main

from .flows import chat_lines, run


def _record(tmp_path: Path, scenario: str, every: float) -> Path:
    cassette = tmp_path / f"{scenario}.json"
    with FakeOpenAI(scenario), use_cassette(cassette, record_mode="once"):
        run(openai.OpenAI(api_key="sk-test"), chat_lines(6), every=every)  # intercepted, so recorded
    return cassette


@pytest.mark.parametrize(("scenario", "every"), [("batch_partial_failures", 10), ("batch_expired", 7200)])
def test_to_scenario_replays_the_recorded_story(tmp_path: Path, scenario: str, every: float) -> None:
    cassette = _record(tmp_path, scenario, every)
    (recorded,) = observe_batches(Cassette.load(cassette).interactions)
    replayed_scenario = to_scenario(Cassette.load(cassette).interactions)
    with FakeOpenAI(replayed_scenario) as fake:
        again = run(fake.client(), chat_lines(6), every=every)
    with FakeOpenAI(scenario) as fake:
        original = run(fake.client(), chat_lines(6), every=every)
    assert again.batch.status == original.batch.status == recorded.status
    assert again.batch.request_counts == original.batch.request_counts
    assert sorted(e["custom_id"] for e in again.errors) == sorted(e["custom_id"] for e in original.errors)
    assert replayed_scenario.outcome == recorded.status


def test_show_prints_the_batch_timeline_counts_and_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = _record(tmp_path, "batch_partial_failures", 10)
    assert main(["show", str(cassette)]) == 0
    out = capsys.readouterr().out
    assert "Batch batch_" in out and "/v1/chat/completions  model gpt-4o-mini" in out
    assert [line.split()[1] for line in out.splitlines() if line.strip().startswith("+")] == [
        "validating",
        "in_progress",
        "completed",
    ]
    assert "requests: 6 total, 3 completed, 3 failed" in out
    assert "request-2: 500" in out and "request-4: 400 invalid_value" in out


def test_a_recorded_batch_replays_offline(tmp_path: Path) -> None:
    cassette = _record(tmp_path, "batch_completed", 60)
    with use_cassette(cassette, record_mode="none"):
        outcome = run(openai.OpenAI(api_key="sk-test"), chat_lines(6), every=60)
    assert outcome.batch.status == "completed" and len(outcome.output) == 6


def _response_lines(count: int) -> bytes:
    body = {"model": "gpt-4o-mini", "input": "Hi"}
    return "\n".join(
        json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/responses", "body": body})
        for i in range(count)
    ).encode()


def test_show_reads_a_recorded_responses_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Each output line's body is a response object, which carries "error": null.
    cassette = tmp_path / "responses.json"
    with FakeOpenAI(), use_cassette(cassette, record_mode="once"):
        run(openai.OpenAI(api_key="sk-test"), _response_lines(3), "/v1/responses", every=60)
    (recorded,) = observe_batches(Cassette.load(cassette).interactions)
    assert recorded.status == "completed" and set(recorded.requests.values()) == {(200, None)}
    assert main(["show", str(cassette)]) == 0
    assert "/v1/responses" in capsys.readouterr().out
