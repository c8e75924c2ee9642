"""A batch job as users write it: an input file of requests, create, a hand-written poll loop
(the SDK has none), then both files read back."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import openai

FINAL = ("completed", "failed", "expired", "cancelled")


def chat_lines(count: int, model: str = "gpt-4o-mini", url: str = "/v1/chat/completions") -> bytes:
    return "\n".join(
        json.dumps(
            {
                "custom_id": f"request-{i}",
                "method": "POST",
                "url": url,
                "body": {"model": model, "messages": [{"role": "user", "content": f"Question {i}"}]},
            }
        )
        for i in range(count)
    ).encode()


@dataclass
class Outcome:
    batch: Any
    polls: list[Any] = field(default_factory=list)
    output: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def run(
    client: openai.OpenAI, content: bytes, endpoint: str = "/v1/chat/completions", every: float = 30
) -> Outcome:
    """Upload, create, poll every ``every`` virtual seconds until a final status, download both files."""
    uploaded = client.files.create(file=("requests.jsonl", content), purpose="batch")
    batch = client.batches.create(input_file_id=uploaded.id, endpoint=endpoint, completion_window="24h")  # type: ignore[arg-type]
    outcome = Outcome(batch, [batch])
    while batch.status not in FINAL:
        time.sleep(every)
        batch = client.batches.retrieve(batch.id)
        outcome.polls.append(batch)
    outcome.batch = batch
    if batch.output_file_id:
        outcome.output = [
            json.loads(line) for line in client.files.content(batch.output_file_id).text.splitlines()
        ]
    if batch.error_file_id:
        outcome.errors = [
            json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()
        ]
    return outcome
