"""The tutorials our users learned from (copied unchanged into tests/tutorials) run against the fake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant_harness import FakeAssistants, RunRequest, Step, Timeline

from .tutorials import seed000, seed001, seed002, seed004

SQL = "SELECT SUM(price) as TotalIncome FROM orders WHERE strftime('%m', create_time) = '10' and status = 1;"


def test_seed000_waits_and_saves_the_reply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "article.pdf"
    article.write_bytes(b"%PDF-1.4 a trial report")
    slow = Timeline(
        [Step("queued", 3), Step("in_progress", 40), Step("completed", payload={"reply": "Score: 7/10"})]
    )
    with FakeAssistants(timeline=slow) as fake:
        assistant = seed000.client.beta.assistants.create(model="gpt-4o", name="PEDro AI rater prompt4")
        thread, message, run = seed000.start_conversation(assistant.id, article, "Rate this trial.")
        assert message.attachments[0].file_id in fake.store.files  # type: ignore[index]
        seed000.wait_for_run_completion(seed000.client, thread.id, run.id, "001", "results")
        assert fake.clock.elapsed() == 45  # nine 5-second sleeps; the tenth retrieve saw it completed
    saved = (tmp_path / "results" / "001.txt").read_text(encoding="utf-8")
    assert saved == "Run completed in 00:00:43\nScore: 7/10"


@pytest.mark.usefixtures("no_real_sleep")
def test_seed000_stuck_run_hits_the_five_minute_deadline_on_virtual_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with FakeAssistants("stuck_in_progress") as fake:
        assistant = seed000.client.beta.assistants.create(model="gpt-4o")
        thread = seed000.client.beta.threads.create(messages=[{"role": "user", "content": "rate"}])
        run = seed000.client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        seed000.wait_for_run_completion(seed000.client, thread.id, run.id, "002", "results")
        virtual = fake.clock.elapsed()
    assert 300 < virtual <= 305  # the first check past the deadline, as in real life
    assert (tmp_path / "api evaluation results" / "002_fail.txt").read_text(encoding="utf-8") == (
        f"File no: 002\nThread ID: {thread.id}\nRun ID: {run.id}\n"
    )


def test_seed002_history_tutor_two_turns() -> None:
    with FakeAssistants():
        first, after = seed002.tutorial()
    assert [m.role for m in first.data] == ["assistant", "user"]
    assert first.data[0].content[0].text.value == "You said: What year was the USA founded?"  # type: ignore[union-attr]
    assert first.has_more is False and first.first_id == first.data[0].id
    assert [m.role for m in after.data] == ["assistant"]
    assert after.data[0].content[0].text.value == "You said: Could you give me a little more detail on this?"  # type: ignore[union-attr]


def _seed004_runs(request: RunRequest) -> Timeline:
    if request.index == 0:
        return Timeline(
            [
                Step("queued", 1),
                Step("in_progress", 20),
                Step("completed", payload={"reply": "请问有什么我可以帮你处理的任务吗？"}),
            ]
        )
    return Timeline(
        [
            Step("queued", 1),
            Step("in_progress", 0.5),
            Step(
                "requires_action",
                payload={"tool_calls": [{"name": "ask_database", "arguments": {"query": SQL}}]},
            ),
            Step("queued", 1),
            Step("in_progress", 1),
            Step(
                "completed",
                payload={
                    "reply": lambda ctx: (
                        f"10月份的收入总计为{json.loads(ctx.tool_outputs[-1][0]['output'])[0][0]}。"
                    )
                },
            ),
        ]
    )


def test_seed004_requires_action_loop_with_the_sqlite_tool(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeAssistants(timelines=_seed004_runs) as fake:
        seed004.assistant_id = seed004.client.beta.assistants.create(
            model="gpt-3.5-turbo-1106",
            name="我的 GPT",
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "ask_database",
                        "parameters": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}},
                            "required": ["query"],
                        },
                    },
                }
            ],
        ).id
        thread = seed004.client.beta.threads.create()
        run = seed004.create_message_and_run("你好", thread)
        run, result = seed004.wait_on_run(run, thread)
        assert run.status == "completed" and result == "请问有什么我可以帮你处理的任务吗？"
        run = seed004.create_message_and_run("10月收入有多少？", thread)
        run, result = seed004.wait_on_run(run, thread)
        assert run.status == "completed"
        assert result == "10月份的收入总计为136.25。"
        call_id = _only_call_id(fake, run.id)
        assert fake.run(run.id).tool_outputs == [[{"tool_call_id": call_id, "output": "[[136.25]]"}]]
    printed = capsys.readouterr().out
    assert "调用函数：ask_database()" in printed
    assert '"output": "[[136.25]]"' in printed  # the completed tool_calls step, as show_json printed it


def _only_call_id(fake: FakeAssistants, run_id: str) -> str:
    (step,) = [s for s in fake.run(run_id).steps.values() if s["type"] == "tool_calls"]
    call_id: str = step["step_details"]["tool_calls"][0]["id"]
    return call_id


def test_seed004_sqlite_tool_through_streams() -> None:
    """The tutorial's SQLite tool, driven through runs.stream and submit_tool_outputs_stream."""
    from openai import AssistantEventHandler

    class Tool(AssistantEventHandler):
        pass

    with FakeAssistants(timelines=_seed004_runs):
        client = seed004.client
        assistant = client.beta.assistants.create(
            model="gpt-3.5-turbo-1106",
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "ask_database",
                        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
                    },
                }
            ],
        )
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "10月收入有多少？"}])
        # The scenario's first run only replies; the second calls the tool.
        client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        client.beta.threads.messages.create(thread_id=thread.id, role="user", content="10月收入有多少？")
        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=Tool()
        ) as stream:
            stream.until_done()
            run = stream.get_final_run()
        assert run.status == "requires_action"
        outputs = []
        for call in run.required_action.submit_tool_outputs.tool_calls:  # type: ignore[union-attr]
            result = seed004.available_functions[call.function.name](json.loads(call.function.arguments))
            outputs.append({"tool_call_id": call.id, "output": json.dumps(result)})
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=thread.id, run_id=run.id, tool_outputs=outputs, event_handler=Tool()
        ) as stream:
            stream.until_done()
            final = stream.get_final_run()
            reply = stream.get_final_messages()[-1].content[0].text.value  # type: ignore[union-attr]
        assert final.status == "completed" and reply == "10月份的收入总计为136.25。"


def test_seed001_math_tutor_runs_its_code_with_the_code_interpreter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeAssistants("code_interpreter") as fake:
        assistant_id = seed001.create_assistant()
        thread_id = seed001.create_thread()
        seed001.create_message(thread_id)
        run_id = seed001.create_run(thread_id, assistant_id)
        assert seed001.retrieve_run(thread_id, run_id).status == "queued"
        fake.advance(10)  # the reader waits before retrieving again, as the post shows
        run = seed001.retrieve_run(thread_id, run_id)
        assert run.status == "completed" and run.completed_at is not None
        messages = seed001.show_answer(thread_id)
        steps = seed001.client.beta.threads.runs.steps.list(thread_id=thread_id, run_id=run_id, order="asc")
    assert [s.type for s in steps.data] == ["tool_calls", "message_creation"]
    call = steps.data[0].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "code_interpreter" and "sp.Eq(3*x + 11, 14)" in call.code_interpreter.input
    assert [o.logs for o in call.code_interpreter.outputs] == ["[1]"]  # type: ignore[union-attr]
    assert (
        messages.data[0].content[0].text.value
        == "The solution to the equation \\(3x + 11 = 14\\) is \\(x = 1\\)."
    )  # type: ignore[union-attr]
    printed = capsys.readouterr().out
    assert "tools=[CodeInterpreterTool(type='code_interpreter')]" in printed
    assert printed.rstrip().endswith("is \\(x = 1\\).")


def test_seed000_attachment_is_searched_and_the_reply_cites_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "article.pdf"
    article.write_bytes(b"%PDF-1.4 a randomised trial: allocation concealed, assessors blinded")
    with FakeAssistants("file_search_citations") as fake:
        assistant = seed000.client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
        thread, message, run = seed000.start_conversation(assistant.id, article, "Rate this trial.")
        seed000.wait_for_run_completion(seed000.client, thread.id, run.id, "001", "results")
        thread = seed000.client.beta.threads.retrieve(thread.id)
        (store_id,) = thread.tool_resources.file_search.vector_store_ids  # type: ignore[union-attr]
        assert [f.id for f in seed000.client.vector_stores.files.list(store_id)] == [
            message.attachments[0].file_id
        ]  # type: ignore[index]
        reply = seed000.client.beta.threads.messages.list(thread.id).data[0].content[0].text  # type: ignore[union-attr]
        assert fake.clock.elapsed() == 5
    marker = "【4:0†source】"
    assert [a.type for a in reply.annotations] == ["file_citation", "file_citation"]
    assert all(reply.value[a.start_index : a.end_index] == a.text == marker for a in reply.annotations)
    assert {a.file_citation.file_id for a in reply.annotations} == {message.attachments[0].file_id}  # type: ignore[union-attr, index]
    saved = (tmp_path / "results" / "001.txt").read_text(encoding="utf-8")
    assert saved.startswith("Run completed in 00:00:0") and saved.endswith(reply.value)
