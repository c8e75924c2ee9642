"""A fine-tuning job through ``serve``, then a chat completion with the model it made."""

from __future__ import annotations

import openai

from ..served import serving
from .test_jobs import FINAL, examples


def test_a_job_runs_through_serve() -> None:
    with (
        serving("--scenario", "fine_tune_succeeded", "--speed", "100000") as url,
        openai.OpenAI(api_key="sk-test", base_url=url) as client,  # closed: no socket outlives the test
    ):
        training = client.files.create(file=("marv.jsonl", examples()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=training.id, model="gpt-4o-mini")
        for _ in range(100_000):  # no sleep: the served clock runs 100,000 times real time
            job = client.fine_tuning.jobs.retrieve(job.id)
            if job.status in FINAL:
                break
        reply = client.chat.completions.create(
            model=job.fine_tuned_model, messages=[{"role": "user", "content": "hi"}]
        )
    assert job.status == "succeeded" and reply.choices[0].message.content
