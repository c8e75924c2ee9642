"""The job strategies draw only playable lifecycles, each prints as a scenario that loads back the
same, and they find the bug of a poller that waits only for success."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings

from assistant_harness import FakeOpenAI, HangDetected, HangLimits, Scenario
from assistant_harness.testing.job_strategies import batch_scenarios, job_scenarios

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
EXAMPLES = "\n".join(
    json.dumps(
        {"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": f"A{i}"}]}
    )
    for i in range(10)
).encode()
LINES = "\n".join(
    json.dumps(
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "?"}]},
        }
    )
    for i in range(4)
).encode()


@SETTINGS
@given(scenario=job_scenarios())
def test_drawn_jobs_end_as_drawn_and_round_trip(scenario: Scenario) -> None:
    assert dataclasses.replace(Scenario.from_yaml(scenario.to_yaml()), name=scenario.name) == scenario
    with FakeOpenAI(scenario) as fake:
        client = fake.client()
        training = client.files.create(file=("t.jsonl", EXAMPLES), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        while job.status not in ("succeeded", "failed", "cancelled"):
            time.sleep(300)
            job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == scenario.outcome
    assert (job.fine_tuned_model is not None) == (job.status == "succeeded")


@SETTINGS
@given(scenario=batch_scenarios())
def test_drawn_batches_end_as_drawn_and_round_trip(scenario: Scenario) -> None:
    assert dataclasses.replace(Scenario.from_yaml(scenario.to_yaml()), name=scenario.name) == scenario
    with FakeOpenAI(scenario) as fake:
        client = fake.client()
        uploaded = client.files.create(file=("in.jsonl", LINES), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        while batch.status not in ("completed", "failed", "expired", "cancelled"):
            time.sleep(3600)
            batch = client.batches.retrieve(batch.id)
    assert batch.status == scenario.outcome


def test_a_poller_waiting_only_for_success_is_found() -> None:
    found: list[Scenario] = []

    @SETTINGS
    @given(scenario=job_scenarios())
    def prop(scenario: Scenario) -> None:
        found.append(scenario)
        with FakeOpenAI(scenario, hang_limits=HangLimits(polls=5)) as fake:
            client = fake.client()
            training = client.files.create(file=("t.jsonl", EXAMPLES), purpose="fine-tune")
            job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
            try:
                while client.fine_tuning.jobs.retrieve(job.id).status != "succeeded":  # the bug
                    time.sleep(60)
            except HangDetected as hang:
                raise AssertionError(str(hang)) from None
        found.pop()

    with pytest.raises(AssertionError, match="does not stop on 'failed'"):
        prop()
    assert found[-1].outcome == "failed"  # shrunk to the first outcome after success
    assert all(step.duration in (None, 0) for step in found[-1].fine_tuning_jobs[0].steps)
