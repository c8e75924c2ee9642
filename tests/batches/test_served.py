"""Batches through ``serve``: a client in another process (here: the SDK over a real socket, with
no fake in its process) runs the same flow; ``--speed`` makes the five-minute batch take milliseconds."""

from __future__ import annotations

import openai

from ..served import serving
from .flows import FINAL, chat_lines

#: Polls a client may spend before the served batch must have ended (bounds the loop, not the time).
MAX_POLLS = 100_000


def test_a_batch_runs_through_serve() -> None:
    with (
        serving("--scenario", "batch_partial_failures", "--speed", "100000") as url,
        openai.OpenAI(api_key="sk-test", base_url=url) as client,  # closed: no socket outlives the test
    ):
        uploaded = client.files.create(file=("in.jsonl", chat_lines(6)), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        for _ in range(MAX_POLLS):  # no sleep: the served clock runs 100,000 times real time
            batch = client.batches.retrieve(batch.id)
            if batch.status in FINAL:
                break
        errors = client.files.content(batch.error_file_id).text.splitlines()
    assert batch.status == "completed" and batch.request_counts.failed == 3 and len(errors) == 3
