"""Every shipped scenario reaches its documented outcome with the real SDK: sync, async, intercepted."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from assistant_harness import FakeAssistants
from assistant_harness.scenario import model as sc

from .conftest import MODULE_LEVEL_CLIENT
from .realtime import forbid_real_sleep

#: How the code under test behaves in a scenario, when not the default (poll with the SDK helper,
#: answer every tool call at once).
TOOL_SECONDS = {"expired_waiting_for_tools": 700.0}  # the tool takes longer than the run lives
DEADLINE = {"stuck_in_progress": 300.0}  # only a poller with a deadline gets out


def _outputs(run: Any) -> list[dict[str, str]]:
    calls = run.required_action.submit_tool_outputs.tool_calls
    return [{"tool_call_id": c.id, "output": f"{c.function.name}-ok"} for c in calls]


def drive(client: openai.OpenAI, name: str) -> Any:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    if name in DEADLINE:
        run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        started = time.time()
        while run.status in ("queued", "in_progress") and time.time() - started < DEADLINE[name]:
            time.sleep(5)
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        return run
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    while run.status == "requires_action":
        time.sleep(TOOL_SECONDS.get(name, 0.0))
        try:
            run = client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread.id, tool_outputs=_outputs(run)
            )
        except openai.BadRequestError:  # too late: the run expired meanwhile
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    return run


async def adrive(client: openai.AsyncOpenAI, name: str) -> Any:
    import asyncio

    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    if name in DEADLINE:
        run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

        async def poll() -> Any:
            current = run
            while current.status in ("queued", "in_progress"):
                await asyncio.sleep(5)
                current = await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
            return current

        try:
            return await asyncio.wait_for(poll(), DEADLINE[name])
        except asyncio.TimeoutError:
            return await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    while run.status == "requires_action":
        await asyncio.sleep(TOOL_SECONDS.get(name, 0.0))
        try:
            run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread.id, tool_outputs=_outputs(run)
            )
        except openai.BadRequestError:
            run = await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    return run


#: The Assistants scenarios (the Responses API's are driven in tests/responses/test_scenarios.py).
SHIPPED = [
    name
    for name in sc.shipped()
    if not (sc.load(name).responses or sc.load(name).batches or sc.load(name).fine_tuning_jobs)
]


def test_the_library_has_every_scenario_the_issue_names() -> None:
    assert set(SHIPPED) >= {
        "happy_path",
        "slow_run",
        "tool_call",
        "parallel_tool_calls",
        "two_tool_rounds",
        "failed_server_error",
        "failed_rate_limit_exceeded",
        "failed_invalid_prompt",
        "expired_waiting_for_tools",
        "cancelled",
        "incomplete",
        "stuck_in_progress",
        "rate_limited_then_recovers",
        "server_errors_on_retrieve",
        "network_timeout",
    }


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_sync(name: str, how: str) -> None:
    # Virtual time: minutes of polling, no real waiting (a real sleep fails the test).
    with forbid_real_sleep(), FakeAssistants(name) as fake:
        client = fake.client() if how == "mock_transport" else MODULE_LEVEL_CLIENT
        run = drive(client, name)
        assert run.status == sc.load(name).outcome
        _check_details(fake, client, name, run)


@pytest.mark.parametrize("name", SHIPPED)
async def test_async(name: str) -> None:
    with FakeAssistants(name) as fake:
        run = await adrive(fake.async_client(), name)
        assert run.status == sc.load(name).outcome
        _check_details(fake, fake.client(), name, run)


def _check_details(fake: FakeAssistants, client: openai.OpenAI, name: str, run: Any) -> None:
    messages = client.beta.threads.messages.list(run.thread_id).data
    text = messages[0].content[0].text.value if messages and messages[0].role == "assistant" else None  # type: ignore[union-attr]
    state = fake.run(run.id)
    if name == "tool_call":
        assert text == "The total is ask_database-ok."
    elif name == "parallel_tool_calls":
        assert text == "Results: get_weather-ok, get_weather-ok, get_time-ok."
        assert len(state.tool_outputs) == 1 and len(state.tool_outputs[0]) == 3
    elif name == "two_tool_rounds":
        assert text == "Your orders: list_orders-ok." and len(state.tool_outputs) == 2
    elif name.startswith("failed_"):
        assert run.last_error.code == name[len("failed_") :] and text is None
    elif name == "incomplete":
        assert run.incomplete_details.reason == "max_completion_tokens"
        assert messages[0].status == "incomplete" and text == "The answer begins with"
    elif name == "expired_waiting_for_tools":
        assert state.tool_outputs == [] and run.required_action is None
    elif name == "stuck_in_progress":
        assert 300 <= fake.clock.elapsed() <= 310
    elif name == "slow_run":
        assert fake.clock.elapsed() >= 260
    elif name == "rate_limited_then_recovers":
        assert [f.fired for f in fake.faults] == [2]
    elif name == "code_interpreter":
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
        assert [s.type for s in steps] == ["tool_calls", "message_creation"]
        assert text is not None and text.endswith("is \\(x = 1\\).")
    elif name == "file_search_citations":  # nothing attached here: the markers stay plain text
        assert text is not None and text.startswith("PEDro score: 7/10【4:0†source】")
    elif name == "vector_store_file_fails":
        assert text == "I could not find that in your files."
    elif name in ("server_errors_on_retrieve", "network_timeout"):
        assert [f.fired for f in fake.faults] == [1, 1]
