"""A tour of every endpoint the fake serves (and its commonest errors), through the real SDK."""

from __future__ import annotations

import contextlib

import openai

from assistant_harness import Step, Timeline

TOOL_TIMELINE = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 1),
        Step(
            "requires_action",
            payload={
                "tool_calls": [
                    {"name": "lookup", "arguments": {"q": "x"}},
                    {"name": "lookup", "arguments": {"q": "y"}},
                ]
            },
        ),
        Step("queued", 1),
        Step("in_progress", 1),
        Step("completed"),
    ]
)

FUNCTION_TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


def tour(client: openai.OpenAI) -> None:
    """Call every served endpoint at least once, in states that show every field filled."""
    beta = client.beta
    upload = client.files.create(file=("notes.txt", b"some notes about llamas"), purpose="assistants")
    assistant = beta.assistants.create(
        model="gpt-4o",
        name="Tour",
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}, FUNCTION_TOOL],
    )
    beta.assistants.retrieve(assistant.id)
    beta.assistants.update(assistant.id, description="touring")
    beta.assistants.list()
    thread = beta.threads.create(messages=[{"role": "user", "content": "hello"}], metadata={"a": "b"})
    beta.threads.retrieve(thread.id)
    beta.threads.update(thread.id, metadata={"a": "c"})
    message = beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content="see file",
        attachments=[{"file_id": upload.id, "tools": [{"type": "file_search"}]}],
    )
    beta.threads.messages.retrieve(message.id, thread_id=thread.id)
    beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"seen": "yes"})
    run = beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action", run.status
    beta.threads.runs.steps.list(run.id, thread_id=thread.id)
    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    run = beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": c.id, "output": "42"} for c in calls],
    )
    beta.threads.runs.update(run.id, thread_id=thread.id, metadata={"k": "v"})
    steps = beta.threads.runs.steps.list(run.id, thread_id=thread.id)
    beta.threads.runs.steps.retrieve(steps.data[0].id, thread_id=thread.id, run_id=run.id)
    beta.threads.runs.list(thread.id)
    beta.threads.messages.list(thread.id, order="asc", limit=2)
    beta.threads.messages.list(thread.id, order="asc", after=message.id)
    beta.threads.messages.list(thread.id, run_id="run_none")  # an empty page
    second = beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "again"}]}
    )
    beta.threads.runs.cancel(second.id, thread_id=second.thread_id)
    beta.threads.messages.delete(message.id, thread_id=thread.id)
    client.files.retrieve(upload.id)
    client.files.list()
    client.files.content(upload.id).read()
    store = client.vector_stores.create(name="docs", file_ids=[upload.id])
    client.vector_stores.retrieve(store.id)
    client.vector_stores.update(store.id, name="docs2")
    client.vector_stores.list()
    other = client.files.create(file=("b.txt", b"more text"), purpose="assistants")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=other.id)
    client.vector_stores.files.retrieve(other.id, vector_store_id=store.id)
    client.vector_stores.files.update(other.id, vector_store_id=store.id, attributes={"kind": "doc"})
    client.vector_stores.files.list(store.id)
    client.vector_stores.files.content(other.id, vector_store_id=store.id)
    client.vector_stores.search(store.id, query="llamas")
    batch = client.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[upload.id])
    client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    with contextlib.suppress(openai.BadRequestError):
        client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    client.vector_stores.files.delete(other.id, vector_store_id=store.id)
    client.vector_stores.delete(store.id)
    with contextlib.suppress(openai.NotFoundError):
        beta.threads.retrieve("thread_missing")
    with contextlib.suppress(openai.BadRequestError):
        beta.assistants.create(model="gpt-4o", tools=[{"name": "no_type"}])  # type: ignore[list-item]
    beta.threads.delete(thread.id)
    beta.assistants.delete(assistant.id)
    client.files.delete(upload.id)
