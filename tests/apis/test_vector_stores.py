"""Vector stores as the API manages them: files processed on the clock (slow, failing), counts,
batches, and the stores the API makes for threads from attachments and helpers."""

from __future__ import annotations

import io

import openai
import pytest

from assistant_harness import FakeAssistants, Scenario, Step, Timeline
from assistant_harness.apis.vector_stores.statuses import FILE_MODEL
from assistant_harness.errors import ScenarioError
from assistant_harness.scenario.tools import FileScript

from .. import spec

SLOW_PDFS = Scenario(
    file_processing=(
        FileScript(
            Timeline([Step("in_progress", 30), Step("completed")], model=FILE_MODEL), filename="*.pdf"
        ),
    )
)


def _valid(schema: str, obj: object) -> None:
    assert spec.vendored_errors(schema, obj) == [], schema


def test_a_file_is_processed_for_a_second_then_create_and_poll_sees_it_completed() -> None:
    with FakeAssistants() as fake:
        client = fake.client()
        upload = client.files.create(file=("notes.txt", b"llamas eat grass"), purpose="assistants")
        store = client.vector_stores.create(name="kb")
        added = client.vector_stores.files.create(vector_store_id=store.id, file_id=upload.id)
        assert added.status == "in_progress" and added.last_error is None
        retrieved = client.vector_stores.retrieve(store.id)
        assert retrieved.status == "in_progress" and retrieved.file_counts.in_progress == 1
        assert retrieved.usage_bytes == 0
        done = client.vector_stores.files.poll(upload.id, vector_store_id=store.id)
        assert done.status == "completed" and fake.clock.elapsed() == pytest.approx(1.0)
        retrieved = client.vector_stores.retrieve(store.id)
        assert (retrieved.status, retrieved.file_counts.completed, retrieved.usage_bytes) == (
            "completed",
            1,
            16,
        )
        _valid("VectorStoreObject", retrieved.model_dump(exclude_unset=True))
        _valid("VectorStoreFileObject", done.model_dump(exclude_unset=True))


def test_the_shipped_failing_file_fails_after_five_seconds_with_its_error() -> None:
    with FakeAssistants("vector_store_file_fails") as fake:
        client = fake.client()
        store = client.vector_stores.create(name="kb")
        failed = client.vector_stores.files.upload_and_poll(
            vector_store_id=store.id, file=("scan.pdf", io.BytesIO(b"%PDF-1.4"))
        )
        assert failed.status == "failed" and fake.clock.elapsed() == pytest.approx(5.0)
        assert failed.last_error is not None and failed.last_error.code == "unsupported_file"
        assert failed.last_error.message == "The file type is not supported."
        counts = client.vector_stores.retrieve(store.id).file_counts
        assert (counts.failed, counts.completed, counts.total) == (1, 0, 1)
        assert [f.id for f in client.vector_stores.files.list(store.id, filter="failed")] == [failed.id]
        _valid("VectorStoreFileObject", failed.model_dump(exclude_unset=True))


async def test_upload_and_poll_a_batch_async_with_one_slow_pdf() -> None:
    with FakeAssistants(SLOW_PDFS) as fake:
        client = fake.async_client()
        store = await client.vector_stores.create(name="kb")
        batch = await client.vector_stores.file_batches.upload_and_poll(
            store.id, files=[("a.txt", io.BytesIO(b"alpha")), ("b.pdf", io.BytesIO(b"beta"))]
        )
        assert batch.status == "completed" and batch.file_counts.completed == 2
        assert fake.clock.elapsed() >= 30  # the pdf took 30 s, the text a second
        _valid("VectorStoreFileBatchObject", batch.model_dump(exclude_unset=True))


def test_cancelling_a_batch_cancels_its_files_still_processing() -> None:
    with FakeAssistants(SLOW_PDFS) as fake:
        client = fake.client()
        files = [client.files.create(file=(n, b"x"), purpose="assistants").id for n in ("a.txt", "b.pdf")]
        store = client.vector_stores.create()
        batch = client.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=files)
        fake.advance(2)  # the text file is done, the pdf is not
        cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
        assert cancelled.status == "cancelled"
        assert (cancelled.file_counts.completed, cancelled.file_counts.cancelled) == (1, 1)
        with pytest.raises(openai.BadRequestError, match="status 'cancelled'"):
            client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)


def test_a_file_search_attachment_creates_the_threads_vector_store(client: openai.OpenAI) -> None:
    first = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    second = client.files.create(file=("b.txt", b"beta"), purpose="assistants")
    data = client.files.create(file=("c.csv", b"x,y"), purpose="assistants")
    thread = client.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": "read",
                "attachments": [{"file_id": first.id, "tools": [{"type": "file_search"}]}],
            }
        ]
    )
    assert thread.tool_resources is not None and thread.tool_resources.file_search is not None
    (store_id,) = thread.tool_resources.file_search.vector_store_ids or []
    store = client.vector_stores.retrieve(store_id)
    assert store.expires_after is not None and store.expires_after.days == 7
    assert store.expires_after.anchor == "last_active_at"
    client.beta.threads.messages.create(
        thread.id,
        role="user",
        content="and these",
        attachments=[
            {"file_id": second.id, "tools": [{"type": "file_search"}]},
            {"file_id": data.id, "tools": [{"type": "code_interpreter"}]},
        ],
    )
    thread = client.beta.threads.retrieve(thread.id)
    assert thread.tool_resources.file_search.vector_store_ids == [store_id]  # type: ignore[union-attr]
    assert thread.tool_resources.code_interpreter.file_ids == [data.id]  # type: ignore[union-attr]
    assert {f.id for f in client.vector_stores.files.list(store_id)} == {first.id, second.id}
    assert [s.id for s in client.vector_stores.list()] == [store_id]


def test_the_vector_stores_helper_makes_a_store_for_a_thread_and_an_assistant(client: openai.OpenAI) -> None:
    doc = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    helper = {"file_search": {"vector_stores": [{"file_ids": [doc.id], "metadata": {"k": "v"}}]}}
    thread = client.beta.threads.create(tool_resources=helper)  # type: ignore[arg-type]
    assistant = client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}], tool_resources=helper
    )  # type: ignore[arg-type]
    thread_store = thread.tool_resources.file_search.vector_store_ids[0]  # type: ignore[union-attr, index]
    assistant_store = assistant.tool_resources.file_search.vector_store_ids[0]  # type: ignore[union-attr, index]
    assert thread_store != assistant_store
    assert client.vector_stores.retrieve(thread_store).expires_after is not None
    assert client.vector_stores.retrieve(assistant_store).expires_after is None
    assert client.vector_stores.retrieve(assistant_store).metadata == {"k": "v"}


def test_a_helper_naming_a_missing_file_is_refused_and_makes_nothing(client: openai.OpenAI) -> None:
    helper = {"file_search": {"vector_stores": [{"file_ids": ["file-missing"]}]}}
    with pytest.raises(openai.BadRequestError, match="file-missing"):
        client.beta.threads.create(tool_resources=helper)  # type: ignore[arg-type]
    assert list(client.vector_stores.list()) == []


def test_file_processing_scripts_are_checked_naming_the_key() -> None:
    with pytest.raises(ScenarioError, match=r"x.yaml: file_processing\[0\].steps\[1\].status: 'done' is not"):
        Scenario.from_yaml(
            "file_processing:\n  - steps: [{status: in_progress, duration: 1}, {status: done}]", "x.yaml"
        )
    with pytest.raises(ScenarioError, match=r"steps\[0\].error.code: 'oops' is not one of"):
        Scenario.from_yaml("file_processing:\n  - steps: [{status: failed, error: {code: oops}}]", "x.yaml")
    with pytest.raises(ScenarioError, match=r"file_processing\[0\].steps\[0\]: completed is final"):
        Scenario.from_yaml("file_processing:\n  - steps: [{status: completed}, {status: failed}]", "x.yaml")
    text = (
        "file_processing:\n- filename: '*.pdf'\n  steps:\n  - status: in_progress\n    duration: 2\n"
        "  - status: failed\n    error:\n      code: invalid_file\n"
    )
    loaded = Scenario.from_yaml(text)
    assert Scenario.from_yaml(loaded.to_yaml()).file_processing == loaded.file_processing
