"""A recorded fine-tuning job: ``show`` tells its story; ``to-scenario`` plays the same statuses at
the same moments; the cassette replays offline."""

from __future__ import annotations

import time
from pathlib import Path

import openai
import pytest

from assistant_harness import FakeOpenAI
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.observe import to_scenario
from assistant_harness.cassettes.recorder import use_cassette
from assistant_harness.cli.main import main
from assistant_harness.scenario.model import Scenario

from .test_jobs import FINAL, examples


def flow(client: openai.OpenAI) -> tuple[str, list[tuple[str, int]]]:
    training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
    while job.status not in FINAL:
        time.sleep(300)
        job = client.fine_tuning.jobs.retrieve(job.id)
    events = [
        (e.message, e.created_at - job.created_at)
        for e in client.fine_tuning.jobs.list_events(job.id, limit=3)
    ]
    return job.status, events


def _record(tmp_path: Path, scenario: str) -> Path:
    cassette = tmp_path / f"{scenario}.json"
    with FakeOpenAI(scenario), use_cassette(cassette, record_mode="once"):
        flow(openai.OpenAI(api_key="sk-test"))  # intercepted, so recorded
    return cassette


@pytest.mark.parametrize("scenario", ["fine_tune_succeeded", "fine_tune_failed", "fine_tune_cancelled"])
def test_to_scenario_plays_the_recorded_job_again(tmp_path: Path, scenario: str) -> None:
    cassette = _record(tmp_path, scenario)
    replayed = to_scenario(Cassette.load(cassette).interactions)
    assert replayed.outcome == scenario.split("_")[-1]
    with FakeOpenAI(scenario) as fake:
        original = flow(fake.client())
        took = fake.clock.elapsed()
    with FakeOpenAI(replayed) as fake:
        again = flow(fake.client())
        assert fake.clock.elapsed() == took  # ends at the same poll
    assert again[0] == original[0]


def test_show_prints_the_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cassette = _record(tmp_path, "fine_tune_failed")
    assert main(["show", str(cassette)]) == 0
    out = capsys.readouterr().out
    assert "Fine-tuning job ftjob-" in out and "model gpt-4o-mini-2024-07-18" in out
    assert "server_error: The job failed due to an internal error." in out


def test_a_recorded_job_replays_offline(tmp_path: Path) -> None:
    cassette = _record(tmp_path, "fine_tune_succeeded")
    with use_cassette(cassette, record_mode="none"):
        status, _ = flow(openai.OpenAI(api_key="sk-test"))
    assert status == "succeeded"


@pytest.mark.parametrize("pause", [False, True])
def test_a_job_recorded_before_it_ended_makes_a_scenario_that_loads(tmp_path: Path, pause: bool) -> None:
    cassette = tmp_path / "unfinished.json"
    with FakeOpenAI("fine_tune_succeeded"), use_cassette(cassette, record_mode="once"):
        client = openai.OpenAI(api_key="sk-test")
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        while job.status != "running":
            time.sleep(60)
            job = client.fine_tuning.jobs.retrieve(job.id)
        if pause:
            client.fine_tuning.jobs.pause(job.id)
            job = client.fine_tuning.jobs.retrieve(job.id)
    recorded = to_scenario(Cassette.load(cassette).interactions)
    again = Scenario.from_yaml(recorded.to_yaml())  # the file to-scenario writes loads back
    assert again.outcome == job.status == ("paused" if pause else "running")
    with FakeOpenAI(again) as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(3600)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "running"  # held where it was recorded
