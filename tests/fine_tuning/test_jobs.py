"""Fine-tuning jobs against the real SDK: the guide's flow on each shipped scenario, events and
checkpoints on the clock, pause and resume, bad input, webhooks, hang detection, serve."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI, HangDetected
from tests.spec import vendored_errors

pytestmark = pytest.mark.usefixtures("no_real_sleep")
FINAL = ("succeeded", "failed", "cancelled")


def examples(count: int = 12) -> bytes:
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": f"Answer {i}, obviously."},
                ]
            }
        )
        for i in range(count)
    ).encode()


def guide_flow(client: openai.OpenAI, every: float = 60) -> tuple[Any, list[dict[str, Any]]]:
    """The fine-tuning guide: upload, create, poll until final; what each poll got on the wire."""
    training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
    raw = client.fine_tuning.jobs.with_raw_response.create(
        training_file=training.id, model="gpt-4o-mini", suffix="marv"
    )
    job, seen = raw.parse(), [json.loads(raw.http_response.read())]
    while job.status not in FINAL:
        time.sleep(every)
        raw = client.fine_tuning.jobs.with_raw_response.retrieve(job.id)
        job = raw.parse()
        seen.append(json.loads(raw.http_response.read()))
    return job, seen


def job_errors(job: dict[str, Any]) -> list[str]:
    return vendored_errors("FineTuningJob", job)


@pytest.mark.parametrize(
    ("name", "status", "seconds"),
    [
        ("fine_tune_succeeded", "succeeded", 3780),
        ("fine_tune_failed", "failed", 7380),
        ("fine_tune_cancelled", "cancelled", 1920),
    ],
)
def test_the_guide_flow_on_each_shipped_scenario(name: str, status: str, seconds: float) -> None:
    with FakeOpenAI(name) as fake:
        client = fake.client()
        job, seen = guide_flow(client)
        assert fake.clock.elapsed() == seconds  # polled every 60 virtual seconds
        events = list(client.fine_tuning.jobs.list_events(job.id))
        checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
        events_page = client.fine_tuning.jobs.with_raw_response.list_events(job.id, limit=100)
        raw_events = json.loads(events_page.http_response.read())
        raw_checkpoints = json.loads(
            client.fine_tuning.jobs.checkpoints.with_raw_response.list(job.id).http_response.read()
        )
        if status == "succeeded":
            reply = client.chat.completions.create(
                model=job.fine_tuned_model, messages=[{"role": "user", "content": "hi"}]
            )
            assert reply.model == job.fine_tuned_model
    assert job.status == status and [j["status"] for j in seen][:2] == ["validating_files", "queued"]
    assert all(job_errors(j) == [] for j in seen)
    for page, schema in ((raw_events, "FineTuningJobEvent"), (raw_checkpoints, "FineTuningJobCheckpoint")):
        assert all(vendored_errors(schema, item) == [] for item in page["data"])  # what went over the wire
    assert [e.created_at for e in events] == sorted(
        (e.created_at for e in events), reverse=True
    )  # newest first
    if status == "succeeded":
        assert job.fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:harness:marv:")
        assert job.trained_tokens and job.result_files and job.finished_at and job.error is None
        assert [c.step_number for c in checkpoints] == [20, 13, 7]
        assert (
            events[0].message.startswith("The job has successfully completed")
            or "fine-tuned model" in events[0].message
        )
        assert sum(e.type == "metrics" for e in events) == 20
    else:
        assert job.fine_tuned_model is None and job.finished_at is not None
    if status == "failed":
        assert job.error.code == "server_error" and any(e.level == "error" for e in events)


def test_metrics_events_come_on_the_clock() -> None:
    with FakeOpenAI("fine_tune_succeeded") as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        counts = []
        for _ in range(4):
            fake.advance(900)
            counts.append(sum(e.type == "metrics" for e in client.fine_tuning.jobs.list_events(job.id)))
    assert counts == sorted(counts) and counts[0] > 0 and len(set(counts)) == 4  # one by one, not at once


def test_a_succeeded_job_logs_its_model_then_its_end() -> None:
    # As docs/fidelity.md lists them and the API sends them: the newest event says the job completed.
    with FakeOpenAI() as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(100)
        newest = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=2).data]
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert newest == [
        "The job has successfully completed",
        f"New fine-tuned model created: {job.fine_tuned_model}",
    ]


def test_pause_holds_the_job_and_resume_finishes_it_later() -> None:
    with FakeOpenAI("fine_tune_succeeded") as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(150 + 1800)  # half way through training
        assert client.fine_tuning.jobs.pause(job.id).status == "paused"
        fake.advance(10_000)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
        with pytest.raises(openai.BadRequestError, match="only a running job pauses"):
            client.fine_tuning.jobs.pause(job.id)
        assert client.fine_tuning.jobs.resume(job.id).status == "running"
        fake.advance(1799)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
        fake.advance(1)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"not json\n" * 12, "Line 1 is not valid JSON."),
        (examples(5), "has 5 example(s), but must have at least 10"),
    ],
)
def test_a_bad_training_file_fails_the_job(content: bytes, detail: str) -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        training = client.files.create(file=("bad.jsonl", content), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(10)
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert (
        job.status == "failed" and job.error.code == "invalid_training_file" and detail in job.error.message
    )
    assert job.error.param == "training_file" and job.fine_tuned_model is None


def test_a_training_example_may_hold_unicode_line_separators() -> None:
    # Lines end at "\n" only: U+2028 and U+0085 are legal raw inside a JSON string.
    text = "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Q{i}\u2028?"},
                    {"role": "assistant", "content": "A\x85"},
                ]
            },
            ensure_ascii=False,
        )
        for i in range(10)
    ).encode()
    with FakeOpenAI() as fake:
        client = fake.client()
        training = client.files.create(file=("train.jsonl", text), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(100)
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == "succeeded" and job.error is None


def test_refused_requests_change_nothing() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        with pytest.raises(openai.BadRequestError, match="gpt-9 is not available for fine-tuning"):
            client.fine_tuning.jobs.create(training_file=training.id, model="gpt-9")
        wrong = client.files.create(file=("marv.jsonl", examples()), purpose="assistants")
        with pytest.raises(openai.BadRequestError, match="purpose 'fine-tune'"):
            client.fine_tuning.jobs.create(training_file=wrong.id, model="gpt-4o-mini")
        assert client.fine_tuning.jobs.list().data == []
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        with pytest.raises(openai.BadRequestError, match="only a paused job resumes"):
            client.fine_tuning.jobs.resume(job.id)
        fake.advance(100)
        done = client.fine_tuning.jobs.retrieve(job.id)
        with pytest.raises(openai.BadRequestError, match="status 'succeeded'"):
            client.fine_tuning.jobs.pause(job.id)
        with pytest.raises(openai.BadRequestError, match="Cannot cancel a job with status 'succeeded'"):
            client.fine_tuning.jobs.cancel(job.id)
        assert client.fine_tuning.jobs.retrieve(job.id) == done
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            client.chat.completions.create(
                model="ft:gpt-4o-mini-2024-07-18:harness::nope", messages=[{"role": "user", "content": "x"}]
            )


def test_a_loop_waiting_only_for_succeeded_ends_in_hang_detected() -> None:
    with FakeOpenAI("fine_tune_failed") as fake:
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")

        def wait() -> None:  # the bug: OpenAI's published example only stopped on succeeded
            while client.fine_tuning.jobs.retrieve(job.id).status != "succeeded":
                time.sleep(60)

        with pytest.raises(HangDetected, match=r"Fine-tuning job ftjob-\w+ has been 'failed'"):
            wait()


def test_webhooks_arrive_when_the_job_ends() -> None:
    received: list[tuple[str, float]] = []
    with FakeOpenAI("fine_tune_cancelled") as fake:
        fake.webhooks.add(lambda delivery: received.append((delivery.event["type"], fake.clock.elapsed())))
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        fake.advance(5000)
    assert received == [("fine_tuning.job.cancelled", 1890.0)]
    assert (
        vendored_errors("WebhookFineTuningJobCancelled", json.loads(fake.webhooks.deliveries[0].body)) == []
    )


def test_the_async_client_and_determinism() -> None:
    async def flow() -> list[str]:
        with FakeOpenAI("fine_tune_succeeded") as fake:
            client = fake.async_client()
            training = await client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
            job = await client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
            while job.status not in FINAL:
                await asyncio.sleep(600)
                job = await client.fine_tuning.jobs.retrieve(job.id)
            return [e.id for e in (await client.fine_tuning.jobs.list_events(job.id, limit=100)).data]

    assert asyncio.run(flow()) == asyncio.run(flow())


def test_estimated_finish_is_the_scripts_end_while_queued_or_running() -> None:
    # docs/fidelity.md: the script's end while queued or running, else null.
    with FakeOpenAI() as fake:  # validating 5 s, queued 10 s, running 60 s
        client = fake.client()
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        seen = [(job.status, job.estimated_finish)]
        for seconds in (6, 20, 60):
            fake.advance(seconds)
            job = client.fine_tuning.jobs.retrieve(job.id)
            seen.append((job.status, job.estimated_finish))
    end = job.created_at + 75
    assert seen == [("validating_files", None), ("queued", end), ("running", end), ("succeeded", None)]
