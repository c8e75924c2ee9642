"""Bad batch input gets the API's answer and changes nothing: a refused create leaves no batch, a
bad file makes the batch ``failed`` with ``errors.data`` naming each line and its code."""

from __future__ import annotations

import json

import openai
import pytest

from assistant_harness import FakeOpenAI
from assistant_harness.apis.batches import input as batch_input

from .flows import chat_lines, run


def _line(
    custom_id: str, url: str = "/v1/chat/completions", model: str = "gpt-4o-mini", **extra: object
) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": url, "body": body, **extra})


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        (b"{not json}\n" + chat_lines(1), "invalid_json_line", 1),
        ((_line("a") + "\n" + _line("a")).encode(), "duplicate_custom_id", 2),
        ((_line("a") + "\n" + _line("b", url="/v1/embeddings")).encode(), "url_mismatch", 2),
        ((_line("a") + "\n" + _line("b", model="gpt-4o")).encode(), "model_mismatch", 2),
        (
            json.dumps(
                {"custom_id": "a", "method": "GET", "url": "/v1/chat/completions", "body": {}}
            ).encode(),
            "invalid_method",
            1,
        ),
        (
            json.dumps({"custom_id": "a", "url": "/v1/chat/completions", "body": {}}).encode(),
            "missing_required_parameter",
            1,
        ),
        (b"\n\n", "empty_file", None),
    ],
)
def test_a_bad_input_file_fails_the_batch_naming_the_line(
    content: bytes, code: str, line: int | None
) -> None:
    with FakeOpenAI() as fake:
        outcome = run(fake.client(), content, every=1)
    batch = outcome.batch
    assert batch.status == "failed" and batch.failed_at is not None
    assert batch.errors is not None and [(e.code, e.line) for e in batch.errors.data][:1] == [(code, line)]
    assert batch.output_file_id is None and batch.error_file_id is None and batch.request_counts.total == 0


def test_50001_requests_are_too_many() -> None:
    requests, errors = batch_input.read(chat_lines(50_001), "/v1/chat/completions")
    assert requests == [] and [e["code"] for e in errors] == ["too_many_tasks"]
    assert "50001 requests" in errors[0]["message"]


def test_a_file_over_200_mb_is_refused_before_it_is_read() -> None:
    requests, errors = batch_input.read(b" " * (200 * 1024 * 1024 + 1), "/v1/chat/completions")
    assert requests == [] and [e["code"] for e in errors] == ["file_too_large"]


def _create(client: openai.OpenAI, **overrides: object) -> object:
    uploaded = client.files.create(file=("in.jsonl", chat_lines(2)), purpose="batch")
    args: dict[str, object] = {
        "input_file_id": uploaded.id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
    }
    args.update(overrides)
    return client.batches.create(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "error", "words"),
    [
        ({"completion_window": "1h"}, openai.BadRequestError, "Supported values are: '24h'"),
        (
            {"endpoint": "/v1/images/generations"},
            openai.BadRequestError,
            "does not run batches for '/v1/images/generations'",
        ),
        ({"input_file_id": "file-nope"}, openai.NotFoundError, "file-nope"),
    ],
)
def test_a_refused_create_leaves_no_batch(
    overrides: dict[str, object], error: type[Exception], words: str
) -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        with pytest.raises(error, match=words):
            _create(client, **overrides)
        assert client.batches.list().data == []


def test_an_input_file_uploaded_for_another_purpose_is_refused() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        uploaded = client.files.create(file=("in.jsonl", chat_lines(2)), purpose="assistants")
        with pytest.raises(openai.BadRequestError, match="purpose 'batch'"):
            client.batches.create(
                input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
        assert client.batches.list().data == []


def test_cancelling_a_finished_batch_is_refused_and_changes_nothing() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        batch = _create(client)
        fake.advance(100)
        before = client.batches.retrieve(batch.id)  # type: ignore[attr-defined]
        with pytest.raises(openai.ConflictError, match="Cannot cancel a batch with status 'completed'"):
            client.batches.cancel(before.id)
        assert client.batches.retrieve(before.id) == before


def test_a_request_whose_body_the_endpoint_refuses_fails_alone() -> None:
    bad = json.dumps(
        {
            "custom_id": "bad",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini"},
        }
    )
    with FakeOpenAI() as fake:
        outcome = run(fake.client(), (_line("good") + "\n" + bad).encode(), every=10)
    assert outcome.batch.status == "completed"
    assert [line["custom_id"] for line in outcome.output] == ["good"]
    (error,) = outcome.errors
    assert error["custom_id"] == "bad" and error["response"]["status_code"] == 400
    assert "messages" in error["response"]["body"]["error"]["message"]


def test_a_json_string_may_hold_unicode_line_separators() -> None:
    # JSONL lines end at "\n" only: U+2028, U+2029 and U+0085 are legal raw inside a JSON string
    # (json.dumps(..., ensure_ascii=False) writes them so), and do not split the line.
    text = "one\u2028two\u2029three\x85four"
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]},
    }
    with FakeOpenAI() as fake:
        client = fake.client()
        uploaded = client.files.create(
            file=("u.jsonl", json.dumps(line, ensure_ascii=False).encode()), purpose="batch"
        )
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        fake.advance(100)
        batch = client.batches.retrieve(batch.id)
        assert batch.status == "completed" and batch.errors is None and batch.output_file_id is not None
        (row,) = [
            json.loads(raw) for raw in client.files.content(batch.output_file_id).text.split("\n") if raw
        ]
    assert row["response"]["body"]["choices"][0]["message"]["content"].endswith(text)


def test_errors_data_lists_at_most_100_lines() -> None:
    # docs/fidelity.md: errors.data names each bad line, up to 100.
    requests, errors = batch_input.read(b"not json\n" * 500, "/v1/chat/completions")
    assert requests == [] and len(errors) == batch_input.MAX_ERRORS == 100
    assert [e["line"] for e in errors] == list(range(1, 101))
