"""The real recordings (vendored in tests/data/real-cassettes) replay with the SDK flows that made them."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from openai import AssistantEventHandler

from assistant_harness import use_cassette
from assistant_harness.cli.main import main

from . import spec as spec_helpers

POLLING = "openllmetry-test_new_assistant_with_polling.yaml"
STREAMING = "openllmetry-test_streaming_new_assistant.yaml"
QUESTION = "I need to solve the equation `3x + 11 = 14`. Can you help me?"
ANSWER = "The solution to the equation \\(3x + 11 = 14\\) is \\(x = 1\\)."


def _setup(client: openai.OpenAI) -> tuple[Any, Any]:
    assistant = client.beta.assistants.create(
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4o-mini",
    )
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content=QUESTION)
    return assistant, thread


@pytest.mark.usefixtures("no_real_sleep")
def test_the_polling_recording_replays_its_flow() -> None:
    path = spec_helpers.REAL_CASSETTES / POLLING
    with use_cassette(path):
        started = time.monotonic()  # virtual inside the block
        client = openai.OpenAI(api_key="sk-test")
        assistant, thread = _setup(client)
        run = client.beta.threads.runs.create(
            thread_id=thread.id,
            assistant_id=assistant.id,
            instructions="Please address the user as Jane Doe. The user has a premium account.",
        )
        statuses = [run.status]
        while run.status in ["queued", "in_progress"]:
            time.sleep(1)
            run = client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
            statuses.append(run.status)
        messages = client.beta.threads.messages.list(thread_id=thread.id, order="asc")
        assert time.monotonic() - started == 19  # 19 one-second sleeps, on a virtual clock
    assert statuses[0] == "queued" and statuses[-1] == "completed" and len(statuses) == 20
    assert [m.role for m in messages.data] == ["user", "assistant"]
    assert messages.data[1].content[0].text.value == ANSWER  # type: ignore[union-attr]


def test_the_streaming_recording_replays_through_an_event_handler() -> None:
    path = spec_helpers.REAL_CASSETTES / STREAMING

    class Collect(AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.deltas: list[str] = []
            self.events: list[str] = []

        def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            self.deltas.append(delta.value)

        def on_event(self, event: Any) -> None:
            self.events.append(event.event)

    handler = Collect()
    with use_cassette(path):
        client = openai.OpenAI(api_key="sk-test")
        assistant, thread = _setup(client)
        with client.beta.threads.runs.stream(
            thread_id=thread.id,
            assistant_id=assistant.id,
            instructions="Please address the user as Jane Doe. The user has a premium account.",
            event_handler=handler,
        ) as stream:
            stream.until_done()
            final = stream.get_final_run()
    assert final.status == "completed"
    assert "".join(handler.deltas) == ANSWER
    assert len(handler.deltas) > 5  # every delta, as recorded
    assert handler.events[0] == "thread.run.created" and handler.events[-1] == "thread.run.completed"


def test_show_prints_their_timelines(capsys: pytest.CaptureFixture[str]) -> None:
    folder = spec_helpers.REAL_CASSETTES
    assert main(["show", str(folder / POLLING), str(folder / STREAMING)]) == 0
    out = capsys.readouterr().out
    assert "run_31fgVjfVXHHOJZbQnBWJXhlN" in out and "(polled 19 times)" in out  # the 19 retrieves
    assert "run_PS0ksndVoX7DxtmdXn66ZMXU" in out and "(streamed)" in out
    assert out.count("completed") == 2 and "+12s" in out
    assert "reply: The solution to the equation" in out


def test_to_scenario_replays_the_recorded_run_in_the_fake(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant_harness import FakeAssistants
    from assistant_harness.scenario.model import parse

    folder = spec_helpers.REAL_CASSETTES
    assert main(["to-scenario", str(folder / POLLING)]) == 0
    scenario = parse(capsys.readouterr().out, "recorded.yaml")
    with FakeAssistants(scenario) as fake:
        client = fake.client()
        assistant, thread = _setup(client)
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        assert run.status == "completed" and fake.clock.elapsed() == 12
        assert client.beta.threads.messages.list(thread.id).data[0].content[0].text.value == ANSWER  # type: ignore[union-attr]


def test_the_vendored_copies_are_the_scrubbed_shared_ones() -> None:
    import importlib.util

    source = spec_helpers.require_shared(spec_helpers.SHARED_CASSETTES)
    path = spec_helpers.ROOT / "tools" / "vendor_cassettes.py"
    loader = importlib.util.spec_from_file_location("vendor_cassettes", path)
    assert loader is not None and loader.loader is not None
    tool = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(tool)
    for name in tool.CASSETTES:
        vendored = (spec_helpers.REAL_CASSETTES / name).read_text(encoding="utf-8")
        assert vendored == tool.scrub((source / name).read_text(encoding="utf-8")), (
            "run: python tools/vendor_cassettes.py"
        )
        assert "proj_" + "0" * 24 in vendored  # scrubbed, and still there for `scan` to flag


def test_to_scenario_keeps_the_recorded_code_interpreter_call() -> None:
    from assistant_harness import FakeAssistants
    from assistant_harness.cassettes.format import Cassette
    from assistant_harness.cassettes.observe import to_scenario

    path = spec_helpers.REAL_CASSETTES / STREAMING
    scenario = to_scenario(Cassette.load(path).interactions)
    (working,) = [s for s in scenario.runs[0].timeline.steps if s.payload.get("tool_calls")]
    (call,) = working.payload["tool_calls"]
    assert call["type"] == "code_interpreter" and "sp.Eq(3*x + 11, 14)" in call["input"]
    with FakeAssistants(scenario.from_yaml(scenario.to_yaml())) as fake:
        client = fake.client()
        assistant, thread = _setup(client)
        code: list[str] = []

        class Handler(AssistantEventHandler):
            def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
                code.append(delta.code_interpreter.input or "")

        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=Handler()
        ) as s:
            s.until_done()
    assert "".join(code) == call["input"]
