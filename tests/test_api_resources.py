"""Every Assistants v2 endpoint, through the real openai SDK, against the fake."""

from __future__ import annotations

import io
import re

import openai
import pytest

from assistant_harness import FakeAssistants

FUNCTION_TOOL = {
    "type": "function",
    "function": {
        "name": "ask_database",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


def test_assistant_crud_and_list(client: openai.OpenAI) -> None:
    created = client.beta.assistants.create(
        model="gpt-4o",
        name="Math Tutor",
        instructions="Be brief.",
        tools=[{"type": "code_interpreter"}],
        metadata={"team": "a"},
        temperature=0.4,
    )
    assert created.id.startswith("asst_")
    assert created.tool_resources is not None and created.tool_resources.code_interpreter is not None
    assert client.beta.assistants.retrieve(created.id) == created
    updated = client.beta.assistants.update(created.id, name="Renamed", tools=[FUNCTION_TOOL])
    assert updated.name == "Renamed"
    assert [t.type for t in updated.tools] == ["function"]
    assert updated.instructions == "Be brief."
    listed = client.beta.assistants.list()
    assert [a.id for a in listed.data] == [created.id]
    deleted = client.beta.assistants.delete(created.id)
    assert deleted.deleted and deleted.id == created.id and deleted.object == "assistant.deleted"
    with pytest.raises(openai.NotFoundError, match=f"No assistant found with id '{created.id}'"):
        client.beta.assistants.retrieve(created.id)


def test_thread_crud_with_initial_messages(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "first"}, {"role": "assistant", "content": "second"}],
        metadata={"user": "sunner"},
    )
    assert thread.id.startswith("thread_") and thread.metadata == {"user": "sunner"}
    texts = [m.content[0].text.value for m in client.beta.threads.messages.list(thread.id, order="asc")]  # type: ignore[union-attr]
    assert texts == ["first", "second"]
    assert client.beta.threads.retrieve(thread.id) == thread
    assert client.beta.threads.update(thread.id, metadata={"user": "x"}).metadata == {"user": "x"}
    assert client.beta.threads.delete(thread.id).deleted
    with pytest.raises(openai.NotFoundError, match=f"No thread found with id '{thread.id}'"):
        client.beta.threads.retrieve(thread.id)


def test_messages_crud_with_attachments_and_parts(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("notes.txt", b"llama 2 notes"), purpose="assistants")
    thread = client.beta.threads.create()
    message = client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content="read this",
        attachments=[{"file_id": uploaded.id, "tools": [{"type": "file_search"}]}],
    )
    assert message.attachments is not None and message.attachments[0].file_id == uploaded.id
    assert message.content[0].text.annotations == []  # type: ignore[union-attr]
    parts = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content=[{"type": "text", "text": "as parts"}]
    )
    assert parts.content[0].text.value == "as parts"  # type: ignore[union-attr]
    assert client.beta.threads.messages.retrieve(message.id, thread_id=thread.id) == message
    updated = client.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"k": "v"})
    assert updated.metadata == {"k": "v"}
    assert client.beta.threads.messages.delete(message.id, thread_id=thread.id).deleted
    remaining = client.beta.threads.messages.list(thread.id)
    assert [m.id for m in remaining.data] == [parts.id]
    with pytest.raises(openai.NotFoundError, match=f"No message found with id '{message.id}'"):
        client.beta.threads.messages.retrieve(message.id, thread_id=thread.id)


def test_messages_list_after_cursor_in_ascending_order(client: openai.OpenAI, fake: FakeAssistants) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    first = client.beta.threads.messages.create(thread_id=thread.id, role="user", content="one")
    client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    asked = client.beta.threads.messages.create(thread_id=thread.id, role="user", content="more?")
    client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    after = client.beta.threads.messages.list(thread_id=thread.id, order="asc", after=asked.id)
    assert [m.role for m in after.data] == ["assistant"]
    assert after.data[0].content[0].text.value == "You said: more?"  # type: ignore[union-attr]
    everything = client.beta.threads.messages.list(thread_id=thread.id, order="asc")
    assert everything.data[0].id == first.id and len(everything.data) == 4


def test_run_overrides_and_lifecycle(client: openai.OpenAI, fake: FakeAssistants) -> None:
    assistant = client.beta.assistants.create(
        model="gpt-4o", instructions="Base.", tools=[{"type": "code_interpreter"}]
    )
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        model="gpt-4o-mini",
        additional_instructions="Extra.",
        additional_messages=[{"role": "user", "content": "added by the run"}],
        tools=[FUNCTION_TOOL],
        metadata={"m": "1"},
        temperature=0.2,
    )
    assert run.status == "queued" and run.started_at is None
    assert run.instructions == "Base.\nExtra." and run.model == "gpt-4o-mini"
    assert [t.type for t in run.tools] == ["function"] and run.temperature == 0.2
    assert run.expires_at == run.created_at + 600
    fake.advance(1.5)
    run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert run.status == "in_progress" and run.started_at == run.created_at + 1
    fake.advance(5)
    run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert run.status == "completed" and run.completed_at == run.created_at + 3
    assert run.expires_at is None and run.usage is not None and run.usage.total_tokens > 0
    assert client.beta.threads.runs.update(run.id, thread_id=thread.id, metadata={"m": "2"}).metadata == {
        "m": "2"
    }
    assert [r.id for r in client.beta.threads.runs.list(thread.id)] == [run.id]
    messages = client.beta.threads.messages.list(thread.id)
    assert messages.data[0].role == "assistant" and messages.data[0].run_id == run.id
    assert messages.data[0].assistant_id == assistant.id
    assert messages.data[1].content[0].text.value == "added by the run"  # type: ignore[union-attr]


def test_run_steps_list_and_retrieve(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert run.status == "completed"
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)
    assert [s.type for s in steps.data] == ["message_creation"]
    step = steps.data[0]
    assert step.status == "completed" and step.completed_at is not None
    message_id = step.step_details.message_creation.message_id  # type: ignore[union-attr]
    assert client.beta.threads.messages.retrieve(message_id, thread_id=run.thread_id).run_id == run.id
    assert client.beta.threads.runs.steps.retrieve(step.id, thread_id=run.thread_id, run_id=run.id) == step
    with pytest.raises(openai.NotFoundError, match="No run step found with id 'step_nope'"):
        client.beta.threads.runs.steps.retrieve("step_nope", thread_id=run.thread_id, run_id=run.id)


def test_create_and_run_with_explicit_nulls(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(
        model="gpt-4o", metadata=None, temperature=None, top_p=None, instructions=None
    )
    run = client.beta.threads.create_and_run(
        assistant_id=assistant.id,
        thread={"metadata": None, "messages": [{"role": "user", "content": "x"}]},
        instructions=None,
        temperature=None,
    )
    assert run.thread_id.startswith("thread_") and run.status == "queued"
    assert assistant.temperature == 1.0 and assistant.metadata == {}


def test_cancel_moves_through_cancelling(client: openai.OpenAI, fake: FakeAssistants) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    cancelled = client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert cancelled.status == "cancelling"
    fake.advance(1)
    run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert run.status == "cancelled" and run.cancelled_at == run.created_at + 1
    with pytest.raises(openai.BadRequestError, match=re.escape("Cannot cancel run with status 'cancelled'.")):
        client.beta.threads.runs.cancel(run.id, thread_id=thread.id)


def test_files_upload_retrieve_list_content_delete(client: openai.OpenAI, tmp_path: object) -> None:
    from_tuple = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    from_object = client.files.create(file=io.BytesIO(b"beta bytes"), purpose="user_data")
    assert from_tuple.id.startswith("file-") and from_tuple.bytes == 5 and from_tuple.filename == "a.txt"
    assert from_object.purpose == "user_data" and from_object.bytes == 10
    assert client.files.retrieve(from_tuple.id) == from_tuple
    assert {f.id for f in client.files.list()} == {from_tuple.id, from_object.id}
    assert [f.id for f in client.files.list(purpose="assistants")] == [from_tuple.id]
    assert client.files.content(from_tuple.id).read() == b"alpha"
    assert client.files.delete(from_tuple.id).deleted
    with pytest.raises(openai.NotFoundError, match=f"No file found with id '{from_tuple.id}'"):
        client.files.retrieve(from_tuple.id)


def test_vector_stores_and_their_files(client: openai.OpenAI) -> None:
    doc = client.files.create(file=("llama.txt", b"llama two is an open model"), purpose="assistants")
    other = client.files.create(file=("b.txt", b"nothing relevant"), purpose="assistants")
    store = client.vector_stores.create(name="docs", file_ids=[doc.id])
    assert store.id.startswith("vs_") and store.file_counts.in_progress == 1  # processing takes 1 s
    assert store.status == "in_progress"
    added = client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=other.id)
    assert added.status == "completed" and added.vector_store_id == store.id
    assert client.vector_stores.retrieve(store.id).file_counts.completed == 2
    assert {f.id for f in client.vector_stores.files.list(store.id)} == {doc.id, other.id}
    assert client.vector_stores.files.retrieve(other.id, vector_store_id=store.id).id == other.id
    results = client.vector_stores.search(store.id, query="llama model")
    assert [r.file_id for r in results.data] == [doc.id]
    assert client.vector_stores.files.delete(other.id, vector_store_id=store.id).deleted
    assert client.vector_stores.retrieve(store.id).file_counts.total == 1
    batch = client.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[other.id])
    assert batch.status == "in_progress"
    batch = client.vector_stores.file_batches.poll(batch.id, vector_store_id=store.id)
    assert batch.status == "completed" and batch.file_counts.completed == 1
    assert client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).id == batch.id
    assert [
        f.id for f in client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    ] == [other.id]
    assert client.vector_stores.update(store.id, name="renamed").name == "renamed"
    assert [s.id for s in client.vector_stores.list()] == [store.id]
    assert client.vector_stores.delete(store.id).deleted


async def test_async_client_full_flow(async_client: openai.AsyncOpenAI) -> None:
    assistant = await async_client.beta.assistants.create(model="gpt-4o")
    thread = await async_client.beta.threads.create()
    await async_client.beta.threads.messages.create(thread_id=thread.id, role="user", content="async hi")
    run = await async_client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"
    messages = await async_client.beta.threads.messages.list(thread_id=thread.id)
    assert messages.data[0].content[0].text.value == "You said: async hi"  # type: ignore[union-attr]
