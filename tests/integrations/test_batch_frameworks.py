"""instructor's batch processor (``instructor.batch.BatchProcessor``) runs unchanged against the fake:
it writes the JSONL (structured output as a ``json_schema`` response format), submits it with its own
``OpenAI()`` client (intercepted), and parses the output file into the response model. instructor
1.17 pins ``jiter<0.15``, which holds openai at 3.3 or older, so it is not in any extra (it would
downgrade the suite's openai): ``pip install instructor`` in a venv of its own to run these; without it
they are skipped. Last run: instructor 1.17.0 with openai 3.3.0, both passing."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel

from assistant_harness import FakeOpenAI

NEEDS = "pip install instructor (not in an extra: it holds openai at 3.3 or older)"


class User(BaseModel):
    name: str
    age: int


MESSAGES = [[{"role": "user", "content": f"Extract: user number {i} is {20 + i}"}] for i in range(4)]


def _processor() -> object:
    batch = pytest.importorskip("instructor.batch", reason=NEEDS)
    return batch.BatchProcessor("openai/gpt-4o-mini", User)


def _run(processor: object) -> str:
    buffer = processor.create_batch_from_messages(MESSAGES)  # type: ignore[attr-defined]
    batch_id: str = processor.submit_batch(buffer)  # type: ignore[attr-defined]
    while processor.get_batch_status(batch_id)["status"] not in (
        "completed",
        "failed",
        "expired",
        "cancelled",
    ):  # type: ignore[attr-defined]
        time.sleep(30)
    return batch_id


@pytest.mark.usefixtures("no_real_sleep")
def test_instructor_parses_every_result_into_the_model() -> None:
    processor = _processor()
    with FakeOpenAI("batch_completed") as fake:
        batch_id = _run(processor)
        results = processor.get_results(batch_id)  # type: ignore[attr-defined]
        status = processor.get_batch_status(batch_id)  # type: ignore[attr-defined]
        assert fake.clock.elapsed() == 330  # 2 + 300 + 10 virtual seconds, seen by 30-second polls
    assert status["request_counts"] == {"total": 4, "completed": 4, "failed": 0}
    assert sorted(r.custom_id for r in results) == [f"request-{i}" for i in range(4)]
    assert all(isinstance(r.result, User) for r in results)


@pytest.mark.usefixtures("no_real_sleep")
def test_instructor_reports_a_batch_whose_every_request_failed() -> None:
    processor = _processor()
    with FakeOpenAI("batch_all_lines_failed"):
        batch_id = _run(processor)
        with pytest.raises(Exception, match="All 4 batch requests failed"):
            processor.get_results(batch_id)  # type: ignore[attr-defined]
