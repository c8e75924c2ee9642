"""LangChain's OpenAIAssistantV2Runnable drives the fake unchanged: plain runs, and an AgentExecutor agent.

The runnable polls with ``from time import sleep`` (bound at import) every ``check_every_ms`` (1 s), and its
async twin with ``asyncio.sleep``: on the fake's virtual clock each test takes milliseconds of real time.
Install with ``pip install "assistant-harness[frameworks]"``; without LangChain these tests are skipped.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # langchain-community announces its sunset with a DeprecationWarning on import: not about the fake.
    warnings.simplefilter("ignore")
    NEEDS = 'install the "frameworks" extra: pip install "assistant-harness[frameworks]"'
    lc_assistant = pytest.importorskip(
        "langchain_community.agents.openai_assistant",
        reason=NEEDS,
    )
    lc_agents = pytest.importorskip(
        "langchain_classic.agents",
        reason=NEEDS,
    )
    lc_tools = pytest.importorskip(
        "langchain_core.tools",
        reason=NEEDS,
    )

import openai

from assistant_harness import FakeAssistants

OpenAIAssistantV2Runnable = lc_assistant.OpenAIAssistantV2Runnable
AgentExecutor = lc_agents.AgentExecutor

SCENARIOS = Path(__file__).parent / "scenarios"
# Each test runs on the fake's virtual clock: asserted on fake.clock, and a real sleep fails it.
pytestmark = pytest.mark.usefixtures("no_real_sleep")

pytestmark = [
    # LangChain marks the runnable @beta; the warning is about LangChain's API, not the fake.
    pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning"),
]

# A client made at import, before any fake starts, as application code does. Touching ``.beta`` also
# imports the SDK's Assistants modules now (about a second, once per process) rather than in a timed test.
CLIENT_MADE_AT_IMPORT = openai.OpenAI(api_key="sk-test", default_headers={"OpenAI-Beta": "assistants=v2"})
assert CLIENT_MADE_AT_IMPORT.beta.assistants is not None

QUERIES: list[str] = []


@lc_tools.tool
def ask_database(query: str) -> str:
    """Run a SQL query against the orders database and return the result."""
    QUERIES.append(query)
    return "1234.50"


@pytest.fixture(autouse=True)
def _fresh_queries() -> None:
    QUERIES.clear()


def _function_tools(fake: FakeAssistants, assistant_id: str) -> dict[str, Any]:
    tools = fake.store.assistants[assistant_id]["tools"]
    return {t["function"]["name"]: t["function"] for t in tools if t["type"] == "function"}


def test_plain_run_with_create_assistant() -> None:
    with FakeAssistants("happy_path") as fake:
        assistant = OpenAIAssistantV2Runnable.create_assistant(
            name="math assistant",
            instructions="You are a personal math tutor.",
            tools=[{"type": "code_interpreter"}],
            model="gpt-4o",
        )
        messages = assistant.invoke({"content": "What's 10 - 4 raised to the 2.7?"})

        assert [m.role for m in messages] == ["assistant"]
        assert messages[0].content[0].text.value == "Hello! How can I help you today?"
        run = fake.run(messages[0].run_id)
        assert run.history[-1][0] == "completed"
        assert fake.clock.elapsed() >= 3  # queued 1 s + in progress 2 s, slept through at 1 s a poll
        assert fake.store.assistants[assistant.assistant_id]["tools"] == [{"type": "code_interpreter"}]


def test_plain_run_with_a_saved_assistant_id_and_a_client_made_before_the_fake() -> None:
    with FakeAssistants(SCENARIOS / "langchain_saved_assistant.yaml") as fake:
        assistant = OpenAIAssistantV2Runnable(
            assistant_id="asst_langchainSavedTutor01", client=CLIENT_MADE_AT_IMPORT
        )
        messages = assistant.invoke({"content": "What's 10 - 4 raised to the 2.7?"})

        assert messages[0].content[0].text.value == "10 - 4 raised to the 2.7 is about 125.9."
        assert messages[0].assistant_id == "asst_langchainSavedTutor01"
        # A follow-up on the same thread: LangChain adds a message and starts a second run.
        follow_up = assistant.invoke({"content": "And squared?", "thread_id": messages[0].thread_id})
        assert follow_up[0].run_id != messages[0].run_id
        assert len(fake.store.threads[messages[0].thread_id].messages) == 4


def test_agent_executor_completes_the_tool_call_round_trip() -> None:
    with FakeAssistants("tool_call") as fake:
        agent = OpenAIAssistantV2Runnable.create_assistant(
            name="langchain assistant",
            instructions="You answer questions about orders.",
            tools=[ask_database],
            model="gpt-4o",
            as_agent=True,
        )
        executor = AgentExecutor(agent=agent, tools=[ask_database])
        result = executor.invoke({"content": "What is the total of the paid orders?"})

        assert result["output"] == "The total is 1234.50."
        # The function LangChain registered is the one the scenario calls, with the argument it declares.
        registered = _function_tools(fake, agent.assistant_id)
        assert set(registered) == {"ask_database"}
        assert list(registered["ask_database"]["parameters"]["properties"]) == ["query"]
        assert QUERIES == ["SELECT SUM(price) FROM orders WHERE status = 1"]
        run = fake.run(result["run_id"])
        (tool_step,) = [step for step in run.steps.values() if step["type"] == "tool_calls"]
        call_id = tool_step["step_details"]["tool_calls"][0]["id"]
        assert run.tool_outputs == [[{"output": "1234.50", "tool_call_id": call_id}]]
        assert [status for status, _ in run.history][-1] == "completed"
        assert fake.clock.elapsed() >= 5  # the timeline's 5 s, slept through by `from time import sleep`


async def test_agent_executor_async_completes_the_tool_call_round_trip() -> None:
    with FakeAssistants("tool_call") as fake:
        agent = await OpenAIAssistantV2Runnable.acreate_assistant(
            name="langchain assistant",
            instructions="You answer questions about orders.",
            tools=[ask_database],
            model="gpt-4o",
            as_agent=True,
        )
        executor = AgentExecutor(agent=agent, tools=[ask_database])
        result = await executor.ainvoke({"content": "What is the total of the paid orders?"})

        assert result["output"] == "The total is 1234.50."
        assert QUERIES == ["SELECT SUM(price) FROM orders WHERE status = 1"]
        run = fake.run(result["run_id"])
        assert [[o["output"] for o in batch] for batch in run.tool_outputs] == [["1234.50"]]
        assert fake.clock.elapsed() >= 5  # slept through by asyncio.sleep
