"""Streamed runs: events from the same timelines as polling, valid, and ending in the same state."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import openai
import pytest
from openai import AssistantEventHandler, AsyncAssistantEventHandler

from assistant_harness import FakeAssistants
from assistant_harness.scenario import model as sc

from . import spec as spec_helpers
from .realtime import forbid_real_sleep
from .test_shipped_scenarios import DEADLINE, TOOL_SECONDS, drive

#: The Assistants scenarios (the Responses API's streams: tests/responses/test_streams.py).
SHIPPED = [
    name
    for name in sc.shipped()
    if not (sc.load(name).responses or sc.load(name).batches or sc.load(name).fine_tuning_jobs)
]


class Collect(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.deltas: list[str] = []
        self.tool_calls: list[str] = []
        self.steps_done: list[str] = []

    def on_event(self, event: Any) -> None:
        self.events.append(event.event or type(event).__name__)

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.deltas.append(delta.value)

    def on_tool_call_created(self, tool_call: Any) -> None:
        self.tool_calls.append(tool_call.function.name if tool_call.type == "function" else tool_call.type)

    def on_run_step_done(self, run_step: Any) -> None:
        self.steps_done.append(run_step.type)


def drive_streamed(client: openai.OpenAI, name: str) -> tuple[Any, list[Collect]]:
    """The same user story as the polled driver, written with the SDK's stream helpers."""
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    handlers = [Collect()]
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handlers[0]
    ) as stream:
        stream.until_done()
        run = stream.current_run
    assert run is not None
    if name in DEADLINE:  # the stream cannot end for a run that never does: poll to the deadline
        started = time.time()
        while run.status in ("queued", "in_progress") and time.time() - started < DEADLINE[name]:
            time.sleep(5)
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    while run.status == "requires_action":
        time.sleep(TOOL_SECONDS.get(name, 0.0))
        calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
        handlers.append(Collect())
        try:
            with client.beta.threads.runs.submit_tool_outputs_stream(
                thread_id=thread.id,
                run_id=run.id,
                event_handler=handlers[-1],
                tool_outputs=[{"tool_call_id": c.id, "output": f"{c.function.name}-ok"} for c in calls],
            ) as stream:
                stream.until_done()
                run = stream.get_final_run()
        except openai.BadRequestError:
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    return run, handlers


def final_state(client: openai.OpenAI, run: Any) -> dict[str, Any]:
    run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    messages = client.beta.threads.messages.list(run.thread_id, order="asc").data
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
    return {
        "run": run.model_dump(exclude={"expires_at"}),
        "messages": [m.model_dump() for m in messages],
        "steps": [s.model_dump(exclude={"expires_at"}) for s in steps],
    }


@pytest.mark.parametrize("name", SHIPPED)
def test_streamed_and_polled_end_in_the_same_state(name: str) -> None:
    with FakeAssistants(name, hang_limits=None) as fake:
        polled_run = drive(fake.client(), name)
        polled = final_state(fake.client(), polled_run)
    with forbid_real_sleep(), FakeAssistants(name, hang_limits=None) as fake:
        streamed_run, handlers = drive_streamed(fake.client(), name)
        streamed = final_state(fake.client(), streamed_run)
    assert streamed_run.status == sc.load(name).outcome
    assert streamed == polled
    reply = [m for m in streamed["messages"] if m["role"] == "assistant"]
    if reply and name != "stuck_in_progress":
        assert "".join(d for h in handlers for d in h.deltas) == reply[-1]["content"][0]["text"]["value"]


def test_event_order_of_a_tool_round_trip() -> None:
    with FakeAssistants("tool_call") as fake:
        _, handlers = drive_streamed(fake.client(), "tool_call")
    first, second = handlers
    assert first.events == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.delta",
        "thread.run.requires_action",
    ]
    assert first.tool_calls == ["ask_database"]
    assert second.events[:3] == ["thread.run.step.completed", "thread.run.queued", "thread.run.in_progress"]
    assert second.events[-3:] == [
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert second.steps_done == ["tool_calls", "message_creation"]
    assert "".join(second.deltas) == "The total is ask_database-ok."
    assert len(second.deltas) > 1  # split into several deltas


def _searches(name: str) -> bool:
    """Whether the scenario's runs call file_search (their citations need a file to point at)."""
    steps = [step for run in sc.load(name).runs for step in run.timeline.steps]
    return any(
        call.get("type") == "file_search" for step in steps for call in step.payload.get("tool_calls", [])
    )


def _stream_with_a_file(client: openai.OpenAI) -> None:
    upload = client.files.create(
        file=("trial.txt", b"PEDro score: 7/10. Allocation was concealed."), purpose="assistants"
    )
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    attachment: Any = {"file_id": upload.id, "tools": [{"type": "file_search"}]}
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "PEDro?", "attachments": [attachment]}]
    )
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()


def _keep_streams(raw: list[bytes]) -> Any:
    def keep(_: Any, response: Any) -> None:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            raw.append(response.content)

    return keep


@pytest.mark.parametrize("name", SHIPPED)
def test_every_event_of_every_shipped_scenario_validates_against_the_spec(name: str) -> None:
    """Every event that goes over the wire while the streamed driver plays the scenario to its end."""
    validator = spec_helpers.validator("AssistantStreamEvent")
    with FakeAssistants(name, hang_limits=None) as fake:
        raw: list[bytes] = []
        fake.backend.listeners.append(_keep_streams(raw))
        drive_streamed(fake.client(), name)
        if _searches(name):  # again with a file to search: results and citations stream too
            _stream_with_a_file(fake.client())
    assert raw, name
    if _searches(name) and not sc.load(name).file_processing:  # files that fail to process cite nothing
        assert any(b'"file_citation"' in body for body in raw), name
    for body in raw:
        for block in body.decode().strip().split("\n\n"):
            event, data = (line.split(": ", 1)[1] for line in block.split("\n"))
            if event == "done":
                assert data == "[DONE]"
                continue
            errors = [e.message for e in validator.iter_errors({"event": event, "data": json.loads(data)})]
            assert errors == [], (name, event, errors[:3])


def test_event_objects_are_what_polling_returns_at_that_moment() -> None:
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="m")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            stream.until_done()
            final = stream.get_final_run()
            messages = stream.get_final_messages()
        assert client.beta.threads.runs.retrieve(final.id, thread_id=thread.id) == final
        assert client.beta.threads.messages.retrieve(messages[0].id, thread_id=thread.id) == messages[0]


def test_create_with_stream_true_and_create_and_run_stream() -> None:
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="m")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
        events = [
            e.event
            for e in client.beta.threads.runs.create(
                thread_id=thread.id, assistant_id=assistant.id, stream=True
            )
        ]
        assert events[0] == "thread.run.created" and events[-1] == "thread.run.completed"
        with client.beta.threads.create_and_run_stream(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "again"}]}
        ) as stream:
            kinds = [event.event for event in stream]
        assert kinds[0] == "thread.created" and kinds[-1] == "thread.run.completed"


def test_text_deltas_iterator() -> None:
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="m")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            assert "".join(stream.text_deltas) == "Hello! How can I help you today?"


def test_async_stream_helpers() -> None:
    class AsyncCollect(AsyncAssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.deltas: list[str] = []

        async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            self.deltas.append(delta.value)

    async def go() -> tuple[str, str]:
        with FakeAssistants("tool_call") as fake:
            async with fake.async_client() as client:
                assistant = await client.beta.assistants.create(model="m")
                thread = await client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
                async with client.beta.threads.runs.stream(
                    thread_id=thread.id, assistant_id=assistant.id
                ) as s:
                    await s.until_done()
                    run = await s.get_final_run()
                calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
                handler = AsyncCollect()
                async with client.beta.threads.runs.submit_tool_outputs_stream(
                    thread_id=thread.id,
                    run_id=run.id,
                    event_handler=handler,
                    tool_outputs=[{"tool_call_id": c.id, "output": "7"} for c in calls],
                ) as s:
                    await s.until_done()
                    final = await s.get_final_run()
                return final.status, "".join(handler.deltas)

    assert asyncio.run(go()) == ("completed", "The total is 7.")


def test_raw_clients_get_server_sent_events(fake: FakeAssistants) -> None:
    headers = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
    assistant = fake.client().beta.assistants.create(model="m")
    answer = httpx.post(
        "https://api.openai.com/v1/threads/runs",
        headers=headers,
        json={"assistant_id": assistant.id, "stream": True},
    )
    assert answer.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert answer.text.startswith("event: thread.created\ndata: {") and answer.text.endswith(
        "event: done\ndata: [DONE]\n\n"
    )


def _stream_once(client: openai.OpenAI) -> Collect:
    assistant = client.beta.assistants.create(model="m")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    handler = Collect()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
    ) as stream:
        stream.until_done()
    return handler


@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_an_error_event_mid_stream(how: str) -> None:
    from assistant_harness import Fault

    fault = Fault(endpoint="runs.create", stream="error", after_events=3, message="Something broke mid-run.")
    raw: list[bytes] = []
    with FakeAssistants("happy_path", faults=[fault]) as fake:
        fake.backend.listeners.append(_keep_streams(raw))
        client = fake.client() if how == "mock_transport" else openai.OpenAI(api_key="sk-test")
        with pytest.raises(openai.APIError, match=r"Something broke mid-run\."):
            _stream_once(client)
    last = raw[0].decode().strip().split("\n\n")[-1]
    event, data = (line.split(": ", 1)[1] for line in last.split("\n"))
    assert event == "error"
    assert spec_helpers.validator("AssistantStreamEvent").is_valid({"event": event, "data": json.loads(data)})


@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_a_connection_dropped_mid_stream(how: str) -> None:
    from assistant_harness import Fault

    fault = Fault(endpoint="runs.create", stream="drop", after_events=4)
    with FakeAssistants("happy_path", faults=[fault]) as fake:
        client = fake.client() if how == "mock_transport" else openai.OpenAI(api_key="sk-test")
        handler = Collect()
        with pytest.raises(Exception, match="peer closed connection"):  # noqa: PT012
            assistant = client.beta.assistants.create(model="m")
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
            with client.beta.threads.runs.stream(
                thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
            ) as stream:
                stream.until_done()
        assert handler.events == [
            "thread.run.created",
            "thread.run.queued",
            "thread.run.in_progress",
            "thread.run.step.created",
        ]


def test_a_slow_stream_moves_the_clock_between_events() -> None:
    from assistant_harness import Fault

    with FakeAssistants(
        "happy_path", faults=[Fault(endpoint="runs.create", stream="slow", latency=2)]
    ) as fake:
        handler = _stream_once(fake.client())
        assert fake.clock.elapsed() == 3 + 2 * (len(handler.events) + 1)  # the run's 3 s, then 2 s an event


def test_a_run_that_fails_while_streaming() -> None:
    with FakeAssistants("failed_rate_limit_exceeded") as fake:
        handler = _stream_once(fake.client())
        assert handler.events[-1] == "thread.run.failed"


async def test_async_stream_faults() -> None:
    from assistant_harness import Fault

    fault = Fault(endpoint="runs.create", stream="drop", after_events=2)
    with FakeAssistants("happy_path", faults=[fault]) as fake:
        async with fake.async_client() as client:
            assistant = await client.beta.assistants.create(model="m")
            thread = await client.beta.threads.create()
            with pytest.raises(Exception, match="peer closed connection"):
                async with client.beta.threads.runs.stream(
                    thread_id=thread.id, assistant_id=assistant.id
                ) as s:
                    await s.until_done()
