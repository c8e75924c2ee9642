"""A batch pipeline's reader, as teams write it, with the three published bugs of hand-written
readers (each a function a property test finds in a second):

1. ``answers_dropping_partial_output``: an expired (or cancelled) batch is treated as a total loss,
   and the requests it finished are thrown away.
2. ``answers_losing_failed_requests``: only the output file is read; failed requests vanish instead
   of being kept for a retry.
3. ``answers_assuming_an_output_file``: the output file is opened unconditionally; a batch whose every
   request failed ends ``completed`` with no output file, and the reader crashes.

``answers`` is the fixed reader: every request is either answered or kept for a retry.
"""

from __future__ import annotations

import json
import time
from typing import Any

import openai

FINAL = ("completed", "failed", "expired", "cancelled")


def submit(client: openai.OpenAI, count: int) -> str:
    lines = [
        json.dumps(
            {
                "custom_id": f"q{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Question {i}"}]},
            }
        )
        for i in range(count)
    ]
    uploaded = client.files.create(file=("q.jsonl", "\n".join(lines).encode()), purpose="batch")
    return client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    ).id


def wait(client: openai.OpenAI, batch_id: str, every: float = 3600.0) -> Any:
    batch = client.batches.retrieve(batch_id)
    while batch.status not in FINAL:
        time.sleep(every)
        batch = client.batches.retrieve(batch_id)
    return batch


def _lines(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()] if file_id else []


def answers(client: openai.OpenAI, batch: Any) -> tuple[set[str], set[str]]:
    """(answered custom_ids, custom_ids to retry): every request is in exactly one of them."""
    done = {row["custom_id"] for row in _lines(client, batch.output_file_id)}
    retry = {row["custom_id"] for row in _lines(client, batch.error_file_id)}
    return done, retry


def answers_dropping_partial_output(client: openai.OpenAI, batch: Any) -> tuple[set[str], set[str]]:
    if batch.status != "completed":  # BUG: an expired batch's finished requests are thrown away
        return set(), set()
    return answers(client, batch)


def answers_losing_failed_requests(client: openai.OpenAI, batch: Any) -> tuple[set[str], set[str]]:
    # BUG: the error file is never read
    return {row["custom_id"] for row in _lines(client, batch.output_file_id)}, set()


def answers_assuming_an_output_file(client: openai.OpenAI, batch: Any) -> tuple[set[str], set[str]]:
    if batch.status not in ("completed", "expired", "cancelled"):
        return set(), set()
    # BUG: output_file_id is None when every request failed
    done = {
        json.loads(line)["custom_id"] for line in client.files.content(batch.output_file_id).text.splitlines()
    }
    return done, {row["custom_id"] for row in _lines(client, batch.error_file_id)}
