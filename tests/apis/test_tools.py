"""Built-in tool calls scripted in timelines, through the real SDK: run steps, stream events that the
SDK's AssistantEventHandler receives, file search results, citations, files and images; every
object and event checked against the (vendored) spec."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai import AssistantEventHandler, AsyncAssistantEventHandler

from assistant_harness import FakeAssistants, Scenario, Step, Timeline
from assistant_harness.apis.assistants.tools import RESULT_CONTENT
from assistant_harness.errors import ScenarioError
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .. import spec

CODE = "import sympy as sp\nx = sp.symbols('x')\nsp.solve(sp.Eq(3*x + 11, 14), x)"
CODE_RUN = Timeline(
    [
        Step("queued", 1),
        Step(
            "in_progress",
            4,
            payload={
                "tool_calls": [
                    {
                        "type": "code_interpreter",
                        "input": CODE,
                        "outputs": [{"logs": "[1]"}, {"image": "plot.png"}],
                        "files": [{"name": "roots.csv", "content": "x\n1\n"}],
                    }
                ]
            },
        ),
        Step("completed", payload={"reply": "x = 1. Data: [roots](sandbox:/mnt/data/roots.csv)."}),
    ]
)
SEARCH_RUN = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 2, payload={"tool_calls": [{"type": "file_search"}]}),
        Step("completed"),
    ]
)
#: Code, then a function call the client answers, then a file search, then a cited reply.
MIXED_RUN = Timeline(
    [
        Step("queued", 1),
        Step(
            "in_progress",
            2,
            payload={
                "tool_calls": [
                    {"type": "code_interpreter", "input": "print(2 + 2)", "outputs": [{"logs": "4"}]}
                ]
            },
        ),
        Step("requires_action", payload={"tool_calls": [{"name": "lookup", "arguments": {"q": "llamas"}}]}),
        Step("in_progress", 2, payload={"tool_calls": [{"type": "file_search", "query": "llamas"}]}),
        Step("in_progress", 1),
        Step("completed", payload={"reply": "Four llamas【7:0†source】."}),
    ]
)

EVENT_SCHEMAS = {
    "thread.run.step.delta": "RunStepDeltaObject",
    "thread.message.delta": "MessageDeltaObject",
}


def _schema_of(event: str) -> str:
    if event in EVENT_SCHEMAS:
        return EVENT_SCHEMAS[event]
    if event.startswith("thread.run.step."):
        return "RunStepObject"
    if event.startswith("thread.message."):
        return "MessageObject"
    if event.startswith("thread.run."):
        return "RunObject"
    return "ThreadObject"


def _events(responses: list[ApiResponse]) -> list[tuple[str, Any]]:
    out = []
    for response in responses:
        for block in response.content.decode().split("\n\n"):
            if block.startswith("event: ") and "[DONE]" not in block:
                name, data = block.split("\n", 1)
                out.append((name[len("event: ") :], json.loads(data[len("data: ") :])))
    return out


def _streams(fake: FakeAssistants) -> list[ApiResponse]:
    kept: list[ApiResponse] = []

    def keep(request: ApiRequest, response: ApiResponse) -> None:
        if response.chunks is not None:
            kept.append(response)

    fake.backend.listeners.append(keep)
    return kept


def _check_spec(schema: str, obj: Any) -> None:
    assert spec.vendored_errors(schema, obj) == [], (schema, obj)


def _kb(client: openai.OpenAI) -> tuple[str, str, str]:
    """A file-search assistant over a processed two-file store; returns (assistant, llama file, other)."""
    llama = client.files.create(
        file=("llamas.txt", b"Llamas are camelids. Four llamas live here."), purpose="assistants"
    )
    other = client.files.create(file=("tax.txt", b"Tax rules for 2023."), purpose="assistants")
    store = client.vector_stores.create(name="kb", file_ids=[llama.id, other.id])
    client.vector_stores.files.poll(other.id, vector_store_id=store.id)
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}, {"type": "function", "function": {"name": "lookup"}}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    return assistant.id, llama.id, other.id


def test_a_code_interpreter_call_is_a_tool_calls_step_polled_while_it_runs() -> None:
    with FakeAssistants(timeline=CODE_RUN) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
        run = client.beta.threads.create_and_run(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "3x + 11 = 14"}]}
        )
        fake.advance(2)  # inside the in_progress step: the code is written, not yet run
        (running,) = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data
        assert running.status == "in_progress" and running.completed_at is None
        call = running.step_details.tool_calls[0]  # type: ignore[union-attr]
        assert call.type == "code_interpreter" and call.code_interpreter.input == CODE  # type: ignore[union-attr]
        assert call.code_interpreter.outputs == []  # type: ignore[union-attr]
        _check_spec("RunStepObject", running.model_dump(exclude_unset=True))
        run = client.beta.threads.runs.poll(run.id, thread_id=run.thread_id)
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
        (message,) = client.beta.threads.messages.list(run.thread_id, run_id=run.id).data
    assert run.status == "completed" and [s.type for s in steps] == ["tool_calls", "message_creation"]
    tool_step = steps[0]
    assert tool_step.status == "completed" and tool_step.completed_at == run.created_at + 5
    outputs = tool_step.step_details.tool_calls[0].code_interpreter.outputs  # type: ignore[union-attr]
    assert outputs[0].type == "logs" and outputs[0].logs == "[1]"  # type: ignore[union-attr]
    image_id = outputs[1].image.file_id  # type: ignore[union-attr]
    assert fake.store.files[image_id].obj["purpose"] == "assistants_output"
    assert fake.store.files[image_id].content.startswith(b"\x89PNG")
    assert message.content[0].type == "image_file" and message.content[0].image_file.file_id == image_id  # type: ignore[union-attr]
    text = message.content[1].text  # type: ignore[union-attr]
    (link,) = text.annotations
    assert (
        link.type == "file_path"
        and text.value[link.start_index : link.end_index] == "sandbox:/mnt/data/roots.csv"
    )
    assert fake.store.files[link.file_path.file_id].content == b"x\n1\n"  # type: ignore[union-attr]
    assert run.usage is not None and run.usage.total_tokens == sum(s.usage.total_tokens for s in steps)  # type: ignore[union-attr]
    for step in steps:
        _check_spec("RunStepObject", step.model_dump(exclude_unset=True))
    _check_spec("MessageObject", message.model_dump(exclude_unset=True))
    _check_spec("RunObject", run.model_dump(exclude_unset=True))


class CodePrinter(AssistantEventHandler):
    """What handlers written after the SDK's docs do: print the code as it comes, then its output."""

    def __init__(self) -> None:
        super().__init__()
        self.created: list[str] = []
        self.code: list[str] = []
        self.logs: list[str] = []
        self.images: list[str] = []
        self.done: list[str] = []

    def on_tool_call_created(self, tool_call: Any) -> None:
        self.created.append(tool_call.type)

    def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
        if delta.type == "code_interpreter" and delta.code_interpreter:
            if delta.code_interpreter.input:
                self.code.append(delta.code_interpreter.input)
            for output in delta.code_interpreter.outputs or ():
                if output.type == "logs":
                    self.logs.append(output.logs)

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.done.append(
            tool_call.code_interpreter.input if tool_call.type == "code_interpreter" else tool_call.type
        )

    def on_image_file_done(self, image_file: Any) -> None:
        self.images.append(image_file.file_id)


def test_code_interpreter_events_reach_the_sdks_event_handler() -> None:
    with FakeAssistants(timeline=CODE_RUN) as fake:
        streams = _streams(fake)
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "3x + 11 = 14"}])
        handler = CodePrinter()
        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
        ) as stream:
            stream.until_done()
            final = stream.get_final_messages()
    assert handler.created == ["code_interpreter"] and len(handler.code) > 3
    # (the SDK calls on_tool_call_done again at every later step's end: done[0] is this call's)
    assert "".join(handler.code) == CODE and handler.done[0] == CODE
    assert handler.logs == ["[1]"] and handler.images == [final[0].content[0].image_file.file_id]  # type: ignore[union-attr]
    events = _events(streams)
    names = [name for name, _ in events]
    first_delta = names.index("thread.run.step.delta")
    assert names[first_delta - 2 : first_delta] == ["thread.run.step.created", "thread.run.step.in_progress"]
    assert events[first_delta - 2][1]["step_details"] == {"type": "tool_calls", "tool_calls": []}
    opening = events[first_delta][1]["delta"]["step_details"]["tool_calls"][0]
    assert opening["code_interpreter"] == {"input": "", "outputs": []} and opening["id"].startswith("call_")
    for name, data in events:
        _check_spec(_schema_of(name), data)


async def test_code_interpreter_events_reach_the_async_event_handler() -> None:
    class Handler(AsyncAssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.code: list[str] = []
            self.logs: list[str] = []

        async def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
            if delta.type == "code_interpreter" and delta.code_interpreter:
                self.code.append(delta.code_interpreter.input or "")
                self.logs += [o.logs for o in delta.code_interpreter.outputs or () if o.type == "logs"]

    with FakeAssistants("code_interpreter") as fake:
        client = fake.async_client()
        assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
        thread = await client.beta.threads.create(messages=[{"role": "user", "content": "3x + 11 = 14"}])
        handler = Handler()
        async with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
        ) as stream:
            await stream.until_done()
            run = await stream.get_final_run()
    assert run.status == "completed" and "sp.Eq(3*x + 11, 14)" in "".join(handler.code)
    assert handler.logs == ["[1]"]


def test_file_search_results_and_their_content_only_when_included(
    client: openai.OpenAI, fake: FakeAssistants
) -> None:
    fake.store.timelines = lambda _: SEARCH_RUN
    assistant_id, llama, other = _kb(client)
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "How many llamas live here?"}]},
    )
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
    search = steps[0].step_details.tool_calls[0].file_search  # type: ignore[union-attr]
    assert (
        search.ranking_options.ranker == "default_2024_08_21"
        and search.ranking_options.score_threshold == 0.0
    )  # type: ignore[union-attr]
    assert [(r.file_id, r.file_name) for r in search.results] == [(llama, "llamas.txt"), (other, "tax.txt")]  # type: ignore[union-attr]
    assert search.results[0].score > search.results[1].score and search.results[0].content is None  # type: ignore[union-attr, index]
    with_content = client.beta.threads.runs.steps.retrieve(
        steps[0].id, thread_id=run.thread_id, run_id=run.id, include=[RESULT_CONTENT]
    )
    result = with_content.step_details.tool_calls[0].file_search.results[0]  # type: ignore[union-attr, index]
    assert result.content[0].text == "Llamas are camelids. Four llamas live here."  # type: ignore[index]
    listed = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, include=[RESULT_CONTENT])
    assert listed.data[-1].step_details.tool_calls[0].file_search.results[1].content is not None  # type: ignore[union-attr, index]
    _check_spec("RunStepObject", with_content.model_dump(exclude_unset=True))
    # No reply scripted: the default reply cites what the search found.
    text = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text  # type: ignore[union-attr]
    assert [a.file_citation.file_id for a in text.annotations] == [llama, other]  # type: ignore[union-attr]
    assert all(text.value[a.start_index : a.end_index] == a.text for a in text.annotations)
    assert text.value.startswith("llamas.txt has what you asked for【")


def test_a_stream_carries_result_content_when_the_run_was_created_with_include(fake: FakeAssistants) -> None:
    fake.store.timelines = lambda _: SEARCH_RUN
    streams = _streams(fake)
    client = fake.client()
    assistant_id, _, _ = _kb(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "llamas"}])
    for include in ([], [RESULT_CONTENT]):
        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant_id, include=include
        ) as stream:
            stream.until_done()
    done = [data for name, data in _events(streams) if name == "thread.run.step.completed"]
    searched = [
        d["step_details"]["tool_calls"][0]["file_search"]["results"][0]
        for d in done
        if d["type"] == "tool_calls"
    ]
    assert "content" not in searched[0] and searched[1]["content"][0]["text"].startswith("Llamas")


def test_a_score_threshold_and_max_num_results_limit_the_results(
    client: openai.OpenAI, fake: FakeAssistants
) -> None:
    fake.store.timelines = lambda _: SEARCH_RUN
    assistant_id, _, _ = _kb(client)
    client.beta.assistants.update(
        assistant_id,
        tools=[
            {
                "type": "file_search",
                "file_search": {"max_num_results": 1, "ranking_options": {"score_threshold": 0.5}},
            }
        ],
    )
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id, thread={"messages": [{"role": "user", "content": "tax rules"}]}
    )
    step = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data[0]
    results = step.step_details.tool_calls[0].file_search.results  # type: ignore[union-attr]
    assert [r.file_name for r in results] == ["tax.txt"]  # type: ignore[union-attr]


def test_built_in_calls_mix_with_function_calls_through_streams(
    client: openai.OpenAI, fake: FakeAssistants
) -> None:
    fake.store.timelines = lambda _: MIXED_RUN
    streams = _streams(fake)
    assistant_id, llama, _ = _kb(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "count the llamas"}])
    created: list[str] = []

    class Handler(AssistantEventHandler):
        def on_tool_call_created(self, tool_call: Any) -> None:
            created.append(tool_call.type)

    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=Handler()
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "4"}],
        event_handler=Handler(),
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    # The SDK tells tool calls apart by their index within a step, and each step counts from 0: in
    # one stream the function call (index 0 of the next step) reads as a delta of the code call.
    assert run.status == "completed" and created == ["code_interpreter", "file_search"]
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc").data
    assert [
        [c.type for c in s.step_details.tool_calls] if s.type == "tool_calls" else s.type for s in steps
    ] == [  # type: ignore[union-attr]
        ["code_interpreter"],
        ["function"],
        ["file_search"],
        "message_creation",
    ]
    assert all(s.status == "completed" for s in steps)
    text = client.beta.threads.messages.list(thread.id).data[0].content[0].text  # type: ignore[union-attr]
    assert text.value == "Four llamas【7:0†source】." and text.annotations[0].file_citation.file_id == llama  # type: ignore[union-attr]
    names = [name for name, _ in _events(streams)]
    assert names.count("thread.run.in_progress") == 2  # once per stream: the second round keeps the status
    for name, data in _events(streams):
        _check_spec(_schema_of(name), data)


def test_cancelling_while_code_runs_cancels_its_step(client: openai.OpenAI, fake: FakeAssistants) -> None:
    fake.store.timelines = lambda _: CODE_RUN
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    run = client.beta.threads.create_and_run(assistant_id=assistant.id)
    fake.advance(2)
    client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
    run = client.beta.threads.runs.poll(run.id, thread_id=run.thread_id)
    (step,) = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data
    assert run.status == "cancelled" and step.status == "cancelled" and step.cancelled_at is not None
    assert step.step_details.tool_calls[0].code_interpreter.outputs == []  # type: ignore[union-attr]


def test_tool_defaults_are_the_apis() -> None:
    with FakeAssistants() as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(
            model="gpt-4o", tools=[{"type": "file_search"}, {"type": "function", "function": {"name": "f"}}]
        )
    raw = fake.store.assistants[assistant.id]
    assert raw["tools"] == [
        {
            "type": "file_search",
            "file_search": {"ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}},
        },
        {"type": "function", "function": {"name": "f", "strict": False}},
    ]
    _check_spec("AssistantObject", raw)


def test_scenario_tool_calls_are_checked_naming_the_key() -> None:
    bad = [
        ("[{type: web_search}]", r"tool_calls\[0\].type: an in_progress step runs built-in tools"),
        ("[{type: code_interpreter}]", r"tool_calls\[0\].input: a code_interpreter call needs its input"),
        (
            "[{type: code_interpreter, input: x, outputs: [{logs: a, image: b}]}]",
            r"tool_calls\[0\].outputs\[0\]: an output is",
        ),
        (
            "[{type: file_search, results: [{file: a.txt, score: 2}]}]",
            r"tool_calls\[0\].results\[0\].score: must be between 0 and 1",
        ),
        ("[{type: file_search, qurey: x}]", r"tool_calls\[0\].qurey: unknown key \(did you mean 'query'\?\)"),
    ]
    for calls, message in bad:
        text = (
            "runs:\n  - steps:\n"
            f"      - {{status: in_progress, duration: 1, tool_calls: {calls}}}\n"
            "      - {status: completed}\n"
        )
        with pytest.raises(ScenarioError, match=f"x.yaml: runs\\[0\\].steps\\[0\\].{message}"):
            Scenario.from_yaml(text, "x.yaml")
    with pytest.raises(ScenarioError, match="built-in tools run on in_progress steps"):
        Scenario.from_yaml(
            "runs:\n  - steps: [{status: in_progress, duration: 1},"
            " {status: requires_action, tool_calls: [{type: code_interpreter, name: x}]}]",
            "x.yaml",
        )


def test_a_python_timeline_with_a_bad_call_fails_naming_it() -> None:
    from assistant_harness import FakeBackendError

    bad = Timeline(
        [Step("in_progress", 1, payload={"tool_calls": [{"type": "code_interpreter"}]}), Step("completed")]
    )
    with FakeAssistants(timeline=bad) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        with pytest.raises(
            FakeBackendError, match=r"tool_calls\[0\]: a code_interpreter call needs its input"
        ):
            client.beta.threads.create_and_run(assistant_id=assistant.id)


def test_explicit_results_pick_files_and_scores(client: openai.OpenAI, fake: FakeAssistants) -> None:
    scripted = Timeline(
        [
            Step(
                "in_progress",
                1,
                payload={
                    "tool_calls": [{"type": "file_search", "results": [{"file": "tax.txt", "score": 0.9}]}]
                },
            ),
            Step("completed", payload={"reply": "See【0:0†tax.txt】."}),
        ]
    )
    fake.store.timelines = lambda _: scripted
    assistant_id, _, other = _kb(client)
    run = client.beta.threads.create_and_run_poll(assistant_id=assistant_id)
    step = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data[0]
    (result,) = step.step_details.tool_calls[0].file_search.results  # type: ignore[union-attr]
    assert (result.file_id, result.score) == (other, 0.9)
    text = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text  # type: ignore[union-attr]
    assert text.annotations[0].file_citation.file_id == other  # type: ignore[union-attr]


KNOWLEDGE = {
    "goog-10k.pdf": b"Alphabet annual report. Revenue grew.",
    "brka-10k.txt": b"Berkshire Hathaway annual report.",
}
QUESTION = "How many shares of AAPL were outstanding at the end of October 2023?"
APPLE = b"Apple 10-K: 15,115,823,000 shares were outstanding as of October 20, 2023."


def _cite(client: openai.OpenAI, text: Any) -> tuple[str, list[str]]:
    """The citation loop of the File Search guide: markers replaced by [n], cited files listed."""
    value, citations = text.value, []
    for index, annotation in enumerate(text.annotations):
        value = value.replace(annotation.text, f"[{index}]")
        if file_citation := getattr(annotation, "file_citation", None):
            citations.append(f"[{index}] {client.files.retrieve(file_citation.file_id).filename}")
    return value, citations


def test_the_file_search_guide_flow_streams_and_polls_cited_answers() -> None:
    """The File Search quickstart's steps: a knowledge base uploaded and polled, a question with an
    attachment (which makes the thread's vector store), a streamed run whose handler prints the
    citations when the message is done, then a polled run and the same citation loop."""
    printed: list[tuple[str, list[str]]] = []
    with FakeAssistants("file_search_citations") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
        store = client.vector_stores.create(name="Financial Statements")
        batch = client.vector_stores.file_batches.upload_and_poll(
            vector_store_id=store.id, files=[(name, body) for name, body in KNOWLEDGE.items()]
        )
        assert (batch.status, batch.file_counts.completed) == ("completed", 2)
        client.beta.assistants.update(
            assistant.id, tool_resources={"file_search": {"vector_store_ids": [store.id]}}
        )
        apple = client.files.create(file=("aapl-10k.pdf", APPLE), purpose="assistants")
        thread = client.beta.threads.create(
            messages=[
                {
                    "role": "user",
                    "content": QUESTION,
                    "attachments": [{"file_id": apple.id, "tools": [{"type": "file_search"}]}],
                }
            ]
        )
        assert thread.tool_resources is not None and thread.tool_resources.file_search is not None
        (thread_store,) = thread.tool_resources.file_search.vector_store_ids or []

        class EventHandler(AssistantEventHandler):
            def on_message_done(self, message: Any) -> None:
                printed.append(_cite(client, message.content[0].text))

        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=EventHandler()
        ) as stream:
            stream.until_done()
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        (message,) = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data
        printed.append(_cite(client, message.content[0].text))  # type: ignore[union-attr]
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc").data
    assert thread_store != store.id
    names = [r.file_name for r in steps[0].step_details.tool_calls[0].file_search.results]  # type: ignore[union-attr]
    assert names[0] == "aapl-10k.pdf" and sorted(names) == ["aapl-10k.pdf", "brka-10k.txt", "goog-10k.pdf"]
    expected = (
        "PEDro score: 7/10[0]. Allocation was concealed and assessors were blinded[0].",
        ["[0] aapl-10k.pdf", "[1] aapl-10k.pdf"],
    )
    assert printed == [expected, expected]


async def test_the_file_search_guide_flow_async() -> None:
    with FakeAssistants("file_search_citations") as fake:
        client = fake.async_client()
        apple = await client.files.create(file=("aapl-10k.pdf", APPLE), purpose="assistants")
        assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
        thread = await client.beta.threads.create(
            messages=[
                {
                    "role": "user",
                    "content": QUESTION,
                    "attachments": [{"file_id": apple.id, "tools": [{"type": "file_search"}]}],
                }
            ]
        )
        run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        messages = await client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id)
        text = messages.data[0].content[0].text  # type: ignore[union-attr]
        store_id = thread.tool_resources.file_search.vector_store_ids[0]  # type: ignore[union-attr, index]
        files = await client.vector_stores.files.list(store_id)
    assert [a.file_citation.file_id for a in text.annotations] == [apple.id, apple.id]  # type: ignore[union-attr]
    assert [f.status for f in files.data] == ["completed"]
