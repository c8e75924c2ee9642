"""Published frameworks' own background-mode pollers run unchanged against FakeOpenAI: pydantic-ai
(``openai_background=True``: polls, and resumes a stream that ends early with ``starting_after``) and agno
(``OpenAIResponses(background=True)``: polls every 2 s, replays the whole input for a tool round, cancels
after ``background_max_wait``). Install with ``pip install "assistant-harness[frameworks]"``; without them
these tests are skipped.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from assistant_harness import FakeOpenAI, Fault

NEEDS = 'install the "frameworks" extra: pip install "assistant-harness[frameworks]"'


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"Sunny in {city}"


def _pydantic_ai_agent(client: Any) -> Any:
    pytest.importorskip("pydantic_ai", reason=NEEDS)
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIResponsesModel, OpenAIResponsesModelSettings
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIResponsesModel("gpt-4o", provider=OpenAIProvider(openai_client=client))
    return Agent(model, model_settings=OpenAIResponsesModelSettings(openai_background=True))


def test_pydantic_ai_polls_a_tool_round_to_the_answer() -> None:
    with FakeOpenAI("background_tool_call") as fake:

        async def main() -> str:
            async with fake.async_client() as client:  # closed in the loop that used it
                agent = _pydantic_ai_agent(client)
                agent.tool_plain(get_weather)
                return str((await agent.run("What is the weather in Paris?")).output)

        assert asyncio.run(main()) == "The weather in Paris: Sunny in Paris."
        first, second = fake.responses
        assert first.function_calls[0]["name"] == "get_weather"
        assert second.tool_outputs == [
            {"call_id": first.function_calls[0]["call_id"], "output": "Sunny in Paris"}
        ]
        assert fake.clock.elapsed() == 10.0  # polls every 2 s: 6 s for the first response, 4 s for the second


def test_pydantic_ai_resumes_a_stream_that_ends_early() -> None:
    with FakeOpenAI(
        faults=[Fault(endpoint="responses.create", stream="end", after_events=3, times=1)]
    ) as fake:

        async def main() -> str:
            async with fake.async_client() as client:
                agent = _pydantic_ai_agent(client)
                async with agent.run_stream("Tell me a story") as run:
                    return str(await run.get_output())

        assert asyncio.run(main()) == "This is the fake's reply to your message: Tell me a story"
        resume = fake.backend.requests[-1]
        assert resume.method == "GET" and dict(resume.query) == {"starting_after": "2", "stream": "true"}


def test_agno_replays_the_whole_input_for_a_tool_round() -> None:
    pytest.importorskip("agno", reason=NEEDS)
    from agno.agent import Agent
    from agno.models.openai import OpenAIResponses

    with FakeOpenAI("background_tool_call") as fake:  # agno builds its own client: global interception
        agent = Agent(
            model=OpenAIResponses(id="gpt-4o", api_key="sk-test", background=True), tools=[get_weather]
        )
        assert agent.run("What is the weather in Paris?").content == "The weather in Paris: Sunny in Paris."
        _, second = fake.responses
        assert [item["type"] for item in second.input] == ["message", "function_call", "function_call_output"]
        assert (
            second.obj["previous_response_id"] is None
            and second.tool_outputs[0]["output"] == "Sunny in Paris"
        )


def test_agno_cancels_after_its_max_wait() -> None:
    pytest.importorskip("agno", reason=NEEDS)
    from agno.agent import Agent
    from agno.models.openai import OpenAIResponses

    with FakeOpenAI("background_never_answered") as fake:
        model = OpenAIResponses(id="gpt-4o", api_key="sk-test", background=True, background_max_wait=60)
        output = Agent(model=model).run("hi")
        (response,) = fake.responses
        assert response.status == "cancelled" and 60 <= fake.clock.elapsed() <= 64
        assert "cancel" in str(output.content).lower() or output.status is not None
