"""The Batch API against the real SDK: each shipped scenario's story, request counts moving on the
clock, the output and error files, cancel, webhooks and hang detection."""

from __future__ import annotations

import asyncio
import json
import time

import openai
import pytest

from assistant_harness import FakeOpenAI, HangDetected, Scenario
from tests.spec import vendored_errors

from .flows import FINAL, chat_lines, run

pytestmark = pytest.mark.usefixtures("no_real_sleep")

#: Batch fields the real API sends as null until set, where the spec says never null (docs/fidelity.md).
NULL_UNTIL_SET = (
    "errors",
    "output_file_id",
    "error_file_id",
    "in_progress_at",
    "finalizing_at",
    "completed_at",
    "failed_at",
    "expired_at",
    "cancelling_at",
    "cancelled_at",
    "model",
    "metadata",
)


def batch_errors(batch: object) -> list[str]:
    data = batch.model_dump(mode="json") if hasattr(batch, "model_dump") else batch
    assert isinstance(data, dict)
    shown = {k: v for k, v in data.items() if not (k in NULL_UNTIL_SET and v is None)}
    return vendored_errors("Batch", shown)


# name -> (final status, output lines, error lines, counts.completed, counts.failed, error codes)
SHIPPED = {
    "batch_completed": ("completed", 10, 0, 10, 0, set()),
    "batch_partial_failures": ("completed", 5, 5, 5, 5, set()),
    "batch_all_lines_failed": ("completed", 0, 10, 0, 10, set()),
    "batch_expired": ("expired", 5, 5, 5, 0, {"batch_expired"}),
    "batch_cancelled": ("cancelled", 5, 5, 5, 0, {"batch_cancelled"}),
    "batch_failed_validation": ("failed", 0, 0, 0, 0, set()),
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_shipped_scenario_tells_its_story(name: str) -> None:
    status, outputs, errors, completed, failed, codes = SHIPPED[name]
    with FakeOpenAI(name) as fake:
        outcome = run(fake.client(), chat_lines(10), every=3600 if name == "batch_expired" else 5)
    batch = outcome.batch
    assert (batch.status, len(outcome.output), len(outcome.errors)) == (status, outputs, errors)
    assert (batch.request_counts.completed, batch.request_counts.failed) == (completed, failed)
    assert {e["error"]["code"] for e in outcome.errors if e["error"]} == codes
    # Every request is in exactly one file, by custom_id; no line is lost.
    ids = [line["custom_id"] for line in outcome.output + outcome.errors]
    assert len(ids) == len(set(ids)) and len(ids) == (0 if status == "failed" else 10)
    assert batch.output_file_id is None if not outputs else batch.output_file_id
    assert batch.error_file_id is None if not errors else batch.error_file_id
    for polled in outcome.polls:
        assert batch_errors(polled) == []
    for line in outcome.output:
        assert line["response"]["status_code"] == 200 and line["error"] is None
        assert line["id"].startswith("batch_req_")
        assert vendored_errors("CreateChatCompletionResponse", line["response"]["body"]) == []


def test_an_expired_batch_expires_at_24_hours_keeping_its_finished_half() -> None:
    with FakeOpenAI("batch_expired") as fake:
        outcome = run(fake.client(), chat_lines(10), every=3600)
        assert fake.clock.elapsed() == 86_400  # the 24th hourly poll sees it
    batch = outcome.batch
    assert batch.expired_at == batch.expires_at == batch.created_at + 86_400
    finished = [line["custom_id"] for line in outcome.output]
    assert finished == [f"request-{i}" for i in range(5)]  # the first half, in order


def test_a_batch_scripted_to_fail_while_in_progress_keeps_what_finished() -> None:
    # Its counts said 2 completed while it had no output file: the answers were lost.
    scenario = Scenario.from_yaml(
        "batches:\n  - steps: [{status: validating, duration: 1},"
        " {status: in_progress, duration: 100, done: 0.5},"
        " {status: failed, error: {code: server_error, message: The batch failed.}}]\n"
    )
    with FakeOpenAI(scenario) as fake:
        outcome = run(fake.client(), chat_lines(4), every=60)
    assert outcome.batch.status == "failed" and outcome.batch.request_counts.completed == 2
    assert [row["custom_id"] for row in outcome.output] == ["request-0", "request-1"]
    assert [row["custom_id"] for row in outcome.errors] == ["request-2", "request-3"]


def test_request_counts_move_as_requests_finish_on_the_clock() -> None:
    with FakeOpenAI("batch_completed") as fake:
        outcome = run(fake.client(), chat_lines(10), every=30)
    counts = [p.request_counts.completed for p in outcome.polls if p.status == "in_progress"]
    assert counts == sorted(counts) and len(set(counts)) > 3  # climbing, not all at once
    assert outcome.polls[0].status == "validating" and outcome.polls[0].request_counts.total == 0
    statuses = [p.status for p in outcome.polls]
    assert statuses == ["validating"] + ["in_progress"] * 10 + ["completed"]  # polled at 0, 30... 330 s


def test_with_no_scenario_every_request_is_answered_within_a_few_virtual_minutes() -> None:
    with FakeOpenAI() as fake:
        outcome = run(fake.client(), chat_lines(25), every=10)
        assert fake.clock.elapsed() <= 180
    assert outcome.batch.status == "completed" and len(outcome.output) == 25 and not outcome.errors
    usage = outcome.batch.usage
    assert usage is not None and usage.total_tokens == usage.input_tokens + usage.output_tokens > 0


def test_the_client_cancels_a_running_batch() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        uploaded = client.files.create(file=("in.jsonl", chat_lines(10)), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        fake.advance(31)  # half of the minute's requests are done
        cancelling = client.batches.cancel(batch.id)
        assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
        fake.advance(1)
        cancelled = client.batches.retrieve(batch.id)
        assert cancelled.status == "cancelled"
        errors = client.files.content(cancelled.error_file_id).text.splitlines()
        done = client.files.content(cancelled.output_file_id).text.splitlines()
    assert len(done) + len(errors) == 10 and 0 < len(done) < 10
    assert all(json.loads(e)["error"]["code"] == "batch_cancelled" for e in errors)


@pytest.mark.parametrize(
    ("endpoint", "url", "key"),
    [("/v1/responses", "/v1/responses", "output"), ("/v1/embeddings", "/v1/embeddings", "data")],
)
def test_requests_to_other_endpoints_get_what_the_endpoint_answers(endpoint: str, url: str, key: str) -> None:
    body = {"model": "gpt-4o-mini", "input": "hello"}
    if endpoint == "/v1/embeddings":
        body["model"] = "text-embedding-3-small"
    content = "\n".join(
        json.dumps({"custom_id": f"r{i}", "method": "POST", "url": url, "body": body}) for i in range(3)
    ).encode()
    with FakeOpenAI() as fake:
        outcome = run(fake.client(), content, endpoint=endpoint, every=10)
        assert fake.clock.elapsed() <= 80  # the batch's own timeline, not the answers', takes the time
    assert outcome.batch.status == "completed" and len(outcome.output) == 3
    assert all(line["response"]["body"][key] for line in outcome.output)


def test_a_loop_that_does_not_stop_on_expired_ends_in_hang_detected() -> None:
    with FakeOpenAI("batch_expired") as fake:
        client = fake.client()
        uploaded = client.files.create(file=("in.jsonl", chat_lines(4)), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )

        def wait() -> None:  # the bug: only completed ends the loop
            while client.batches.retrieve(batch.id).status != "completed":
                time.sleep(3600)

        with pytest.raises(
            HangDetected, match=r"Batch batch_\w+ has been 'expired'.*does not stop on 'expired'"
        ):
            wait()


def test_batch_webhooks_arrive_at_the_moment_the_batch_ends() -> None:
    received: list[tuple[str, float]] = []
    with FakeOpenAI("batch_completed", webhook_secret="whsec_" + "A" * 32) as fake:
        client = fake.client(webhook_secret="whsec_" + "A" * 32)

        def receiver(delivery: object) -> None:
            event = client.webhooks.unwrap(delivery.body.decode(), delivery.headers)  # type: ignore[attr-defined]
            received.append((event.type, fake.clock.elapsed()))

        fake.webhooks.add(receiver, events=["batch.completed", "batch.expired"])
        uploaded = client.files.create(file=("in.jsonl", chat_lines(3)), purpose="batch")
        client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        fake.advance(1000)  # nobody polls: the event still comes at 2 + 300 + 10 virtual seconds
    assert received == [("batch.completed", 312.0)]
    assert vendored_errors("WebhookBatchCompleted", json.loads(fake.webhooks.deliveries[0].body)) == []


def test_batches_list_newest_first_and_paginate() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        uploaded = client.files.create(file=("in.jsonl", chat_lines(2)), purpose="batch")
        made = [
            client.batches.create(
                input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
            ).id
            for _ in range(3)
        ]
        first = client.batches.list(limit=2)
        assert [b.id for b in first.data] == made[:0:-1] and first.has_more
        assert [b.id for b in client.batches.list()] == made[::-1]


async def test_the_async_client_runs_the_same_flow() -> None:
    with FakeOpenAI("batch_partial_failures") as fake:
        client = fake.async_client()
        uploaded = await client.files.create(file=("in.jsonl", chat_lines(6)), purpose="batch")
        batch = await client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        while batch.status not in FINAL:
            await asyncio.sleep(20)
            batch = await client.batches.retrieve(batch.id)
        errors = (await client.files.content(batch.error_file_id)).text.splitlines()
    assert batch.status == "completed" and [json.loads(e)["custom_id"] for e in errors] == [
        "request-2",
        "request-4",
        "request-5",
    ]


def test_the_same_batch_twice_gives_the_same_bytes() -> None:
    def once() -> tuple[bytes, bytes]:
        with FakeOpenAI("batch_partial_failures") as fake:
            client = fake.client()
            outcome = run(client, chat_lines(6), every=10)
            out = client.files.content(outcome.batch.output_file_id).content
            err = client.files.content(outcome.batch.error_file_id).content
            return out, err

    assert once() == once()


def test_the_sdk_client_works_through_global_interception() -> None:
    with FakeOpenAI("batch_completed"):
        outcome = run(openai.OpenAI(), chat_lines(3), every=60)
    assert outcome.batch.status == "completed" and len(outcome.output) == 3


def test_lists_validate_against_the_spec_as_sent() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        empty = json.loads(client.batches.with_raw_response.list().http_response.read())
        uploaded = client.files.create(file=("in.jsonl", chat_lines(2)), purpose="batch")
        client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        listed = json.loads(client.batches.with_raw_response.list().http_response.read())
    # An empty page's first_id and last_id are null, as the API sends them (docs/fidelity.md).
    assert empty["data"] == [] and empty["first_id"] is None and empty["has_more"] is False
    shown = {**listed, "data": [{k: v for k, v in b.items() if v is not None} for b in listed["data"]]}
    assert vendored_errors("ListBatchesResponse", shown) == []


def test_a_request_with_its_own_reply_does_not_use_up_a_scripted_chat_reply() -> None:
    scenario = Scenario.from_yaml(
        """
batches:
  - steps:
      - {status: validating, duration: 1}
      - {status: in_progress, duration: 10}
      - {status: finalizing, duration: 1}
      - {status: completed}
    lines: [{custom_id: request-0, reply: fixed}]
chat: [{reply: first}, {reply: second}]
"""
    )
    with FakeOpenAI(scenario) as fake:
        outcome = run(fake.client(), chat_lines(3), every=5)
    replies = [line["response"]["body"]["choices"][0]["message"]["content"] for line in outcome.output]
    assert replies == ["fixed", "first", "second"]


def test_output_lines_split_whole_even_when_a_reply_holds_a_line_separator() -> None:
    scenario = Scenario.from_yaml('chat: [{reply: "one\\u2028two\\u0085three"}]')
    with FakeOpenAI(scenario) as fake:
        outcome = run(fake.client(), chat_lines(2), every=10)  # run() reads the file with splitlines()
    assert [line["response"]["body"]["choices"][0]["message"]["content"] for line in outcome.output] == [
        "one\u2028two\u0085three"
    ] * 2
