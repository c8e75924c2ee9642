"""The API details that real clients (frameworks, in-house pollers) depend on, one test each."""

from __future__ import annotations

import io

import openai
import pytest

from assistant_harness import FakeAssistants

TOOL = "tool_call"


def _tool_run(client: openai.OpenAI) -> openai.types.beta.threads.Run:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "revenue?"}]}
    )
    assert run.status == "requires_action"
    return run


def _submit(client: openai.OpenAI, run: openai.types.beta.threads.Run) -> openai.types.beta.threads.Run:
    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    return client.beta.threads.runs.submit_tool_outputs(
        run.id,
        thread_id=run.thread_id,
        tool_outputs=[{"tool_call_id": c.id, "output": "136.25"} for c in calls],
    )


def test_submitting_tool_outputs_leaves_requires_action_at_once() -> None:
    with FakeAssistants(TOOL) as fake:
        client = fake.client()
        after = _submit(client, _tool_run(client))
        assert after.status == "queued" and after.required_action is None


def test_every_retrieve_in_requires_action_carries_the_tool_calls() -> None:
    with FakeAssistants(TOOL) as fake:
        client = fake.client()
        run = _tool_run(client)
        ids = [c.id for c in run.required_action.submit_tool_outputs.tool_calls]  # type: ignore[union-attr]
        for _ in range(5):
            fake.advance(30)
            again = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
            assert again.status == "requires_action"
            assert [c.id for c in again.required_action.submit_tool_outputs.tool_calls] == ids  # type: ignore[union-attr]


def test_the_reply_names_its_run_and_assistant_and_is_newest() -> None:
    with FakeAssistants(TOOL) as fake:
        client = fake.client()
        run = _tool_run(client)
        _submit(client, run)
        fake.advance(10)
        newest = client.beta.threads.messages.list(run.thread_id, limit=1).data[0]
        assert (
            newest.role == "assistant" and newest.run_id == run.id and newest.assistant_id == run.assistant_id
        )


def test_run_steps_match_required_action_and_show_outputs() -> None:
    with FakeAssistants(TOOL) as fake:
        client = fake.client()
        run = _tool_run(client)
        call_ids = [c.id for c in run.required_action.submit_tool_outputs.tool_calls]  # type: ignore[union-attr]
        (pending,) = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data
        assert pending.type == "tool_calls" and pending.status == "in_progress"
        assert [c.id for c in pending.step_details.tool_calls] == call_ids  # type: ignore[union-attr]
        assert pending.step_details.tool_calls[0].function.output is None  # type: ignore[union-attr]
        _submit(client, run)
        fake.advance(10)
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
        assert [s.type for s in steps] == ["tool_calls", "message_creation"]
        assert steps[0].step_details.tool_calls[0].function.output == "136.25"  # type: ignore[union-attr]
        creation = steps[1]
        assert creation.completed_at is not None
        message_id = creation.step_details.message_creation.message_id  # type: ignore[union-attr]
        assert client.beta.threads.messages.retrieve(message_id, thread_id=run.thread_id).run_id == run.id


def test_annotations_and_attachments_are_always_lists(client: openai.OpenAI) -> None:
    run = client.beta.threads.create_and_run_poll(
        assistant_id=client.beta.assistants.create(model="m").id,
        thread={"messages": [{"role": "user", "content": "hi"}]},
    )
    for message in client.beta.threads.messages.list(run.thread_id).data:
        assert message.attachments == []
        assert all(part.text.annotations == [] for part in message.content)  # type: ignore[union-attr]


def test_has_more_is_false_on_last_and_empty_pages(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create()
    empty = client.beta.threads.messages.list(thread.id)
    assert empty.data == [] and empty.has_more is False
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content="one")
    assert client.beta.threads.messages.list(thread.id).has_more is False


def test_explicit_nulls_are_accepted(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(
        model="m", metadata=None, temperature=None, top_p=None, instructions=None
    )
    run = client.beta.threads.create_and_run(
        assistant_id=assistant.id,
        thread={"metadata": None},
        instructions=None,
        metadata=None,
        temperature=None,
        top_p=None,
    )
    assert run.metadata == {} and run.temperature == 1.0


def test_content_as_text_parts(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create()
    message = client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
    )
    assert [p.text.value for p in message.content] == ["a", "b"]  # type: ignore[union-attr]


@pytest.mark.parametrize("upload", [("report.pdf", b"%PDF"), io.BytesIO(b"%PDF")])
def test_uploads_from_a_tuple_or_a_file_object(client: openai.OpenAI, upload: object) -> None:
    assert client.files.create(file=upload, purpose="assistants").bytes == 4  # type: ignore[arg-type]


def test_deleted_objects_answer_404(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="m")
    client.beta.assistants.delete(assistant.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.assistants.retrieve(assistant.id)


def test_run_tools_may_name_functions_the_assistant_lacks(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="m", tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        tools=[{"type": "function", "function": {"name": "only_here", "parameters": {"type": "object"}}}],
    )
    assert [t.function.name for t in run.tools] == ["only_here"]  # type: ignore[union-attr]
