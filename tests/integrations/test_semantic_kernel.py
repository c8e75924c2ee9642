"""Semantic Kernel's OpenAIAssistantAgent drives the fake unchanged: a plain run, and a kernel function call.

The agent polls with ``asyncio.sleep`` (250 ms, then 1 s backoff) under an ``asyncio.wait_for`` deadline of a
minute: on the fake's virtual clock each test takes milliseconds of real time. Install with
``pip install "assistant-harness[frameworks]"``; without Semantic Kernel these tests are skipped.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import pytest

with warnings.catch_warnings():
    # semantic-kernel's models use a pydantic API deprecated in 2.11 and warn on import: not about the fake.
    warnings.simplefilter("ignore")
    NEEDS = 'install the "frameworks" extra: pip install "assistant-harness[frameworks]"'
    sk_agents = pytest.importorskip(
        "semantic_kernel.agents",
        reason=NEEDS,
    )
    sk_functions = pytest.importorskip(
        "semantic_kernel.functions",
        reason=NEEDS,
    )
    # Imported lazily by the package on first use: import them now, with the warnings above silenced.
    OpenAIAssistantAgent = sk_agents.OpenAIAssistantAgent
    AssistantAgentThread = sk_agents.AssistantAgentThread

from assistant_harness import FakeAssistants

kernel_function = sk_functions.kernel_function

SCENARIOS = Path(__file__).parent / "scenarios"
# Each test runs on the fake's virtual clock: asserted on fake.clock, and a real sleep fails it.
pytestmark = pytest.mark.usefixtures("no_real_sleep")


class Orders:
    """A plugin as Semantic Kernel's samples write them: methods decorated with @kernel_function."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    @kernel_function(description="Run a SQL query against the orders database and return the result.")
    def ask_database(self, query: Annotated[str, "The SQL query to run."]) -> str:
        self.queries.append(query)
        return "1234.50"


async def _agent(plugins: list[Any] | None = None) -> Any:
    """The agent as Semantic Kernel's samples make it: its client, an assistant made through that client."""
    client = OpenAIAssistantAgent.create_client(api_key="sk-test", ai_model_id="gpt-4o")
    definition = await client.beta.assistants.create(
        model="gpt-4o", name="Host", instructions="Answer questions about the orders."
    )
    return OpenAIAssistantAgent(client=client, definition=definition, plugins=plugins)


async def test_plain_run_get_response() -> None:
    with FakeAssistants("happy_path") as fake:
        agent = await _agent()
        response = await agent.get_response(messages="Hello!")

        assert str(response.message.content) == "Hello! How can I help you today?"
        assert response.message.name == "Host"
        run = fake.run(response.message.metadata["run_id"])
        assert [status for status, _ in run.history][-1] == "completed"
        assert fake.clock.elapsed() >= 3  # queued 1 s + in progress 2 s, slept through by asyncio.sleep

        await response.thread.delete()
        await agent.client.beta.assistants.delete(agent.id)
        assert fake.store.threads == {} and fake.store.assistants == {}


async def test_plain_run_invoke_on_a_thread() -> None:
    with FakeAssistants("happy_path") as fake:
        agent = await _agent()
        thread = None
        replies = []
        for question in ("Hello!", "Are you still there?"):
            async for response in agent.invoke(messages=question, thread=thread):
                replies.append(str(response.message.content))
                thread = response.thread

        assert replies == ["Hello! How can I help you today?"] * 2
        assert isinstance(thread, AssistantAgentThread)
        # Both questions and both answers are on one thread, made by the agent.
        assert len(fake.store.threads[thread.id].messages) == 4


async def test_kernel_function_call_round_trip() -> None:
    orders = Orders()
    with FakeAssistants(SCENARIOS / "semantic_kernel_plugin_call.yaml") as fake:
        agent = await _agent(plugins=[orders])
        response = await agent.get_response(messages="What is the total of the paid orders?")

        assert str(response.message.content) == "The total is 1234.50."
        assert orders.queries == ["SELECT SUM(price) FROM orders WHERE status = 1"]
        run = fake.run(response.message.metadata["run_id"])
        # The tool Semantic Kernel sent with the run is the one the scenario calls, with its argument.
        tools = run.obj["tools"]
        functions = {t["function"]["name"]: t["function"] for t in tools if t["type"] == "function"}
        assert set(functions) == {"Orders-ask_database"}
        assert list(functions["Orders-ask_database"]["parameters"]["properties"]) == ["query"]
        (tool_step,) = [step for step in run.steps.values() if step["type"] == "tool_calls"]
        call_id = tool_step["step_details"]["tool_calls"][0]["id"]
        assert run.tool_outputs == [[{"tool_call_id": call_id, "output": "1234.50"}]]
        assert [status for status, _ in run.history][-1] == "completed"
        assert fake.clock.elapsed() >= 5  # the timeline's 5 seconds


async def test_invoke_stream_plain_and_with_a_kernel_function() -> None:
    with FakeAssistants("happy_path"):
        agent = await _agent()
        chunks = [str(chunk.message.content) async for chunk in agent.invoke_stream(messages="Hello!")]
        assert "".join(chunks) == "Hello! How can I help you today?"
    orders = Orders()
    with FakeAssistants(SCENARIOS / "semantic_kernel_plugin_call.yaml"):
        agent = await _agent(plugins=[orders])
        chunks = [
            str(chunk.message.content)
            async for chunk in agent.invoke_stream(messages="What is the total of the paid orders?")
        ]
        assert "".join(chunks) == "The total is 1234.50."
        assert orders.queries == ["SELECT SUM(price) FROM orders WHERE status = 1"]
