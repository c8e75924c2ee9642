"""The OpenAI Agents SDK runs unchanged against FakeOpenAI: a structured ``output_type`` whose reply
is scripted in YAML, and ``OpenAIConversationsSession`` (items posted to a conversation without ``id``).
Install with ``pip install "assistant-harness[frameworks]"``; without it these tests are skipped.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assistant_harness import FakeOpenAI

agents = pytest.importorskip(
    "agents", reason='install the "frameworks" extra: pip install "assistant-harness[frameworks]"'
)

SCENARIOS = Path(__file__).parent / "scenarios"
#: No traces to api.openai.com (the SDK exports them by default): the run is all a test needs.
RUN_CONFIG = agents.RunConfig(tracing_disabled=True)


class Weather(BaseModel):
    city: str
    temperature: int


def _agent(client: Any, **options: Any) -> Any:
    model = agents.OpenAIResponsesModel(model="gpt-4o", openai_client=client)
    return agents.Agent(name="weather", instructions="Answer briefly.", model=model, **options)


def test_structured_output_scripted_in_yaml() -> None:
    with FakeOpenAI(SCENARIOS / "agents_structured_weather.yaml") as fake:

        async def main() -> Any:
            async with fake.async_client() as client:
                agent = _agent(client, output_type=Weather)
                return (
                    await agents.Runner.run(agent, "Weather in Paris?", run_config=RUN_CONFIG)
                ).final_output

        assert asyncio.run(main()) == Weather(city="Paris", temperature=21)
        (response,) = fake.responses
        assert response.obj["text"]["format"]["type"] == "json_schema"


def test_a_conversations_session_keeps_the_history() -> None:
    with FakeOpenAI(SCENARIOS / "two_answers.yaml") as fake:

        async def main() -> tuple[list[str], list[tuple[str, str]]]:
            async with fake.async_client() as client:
                agent = _agent(client)
                session = agents.OpenAIConversationsSession(openai_client=client)
                answers = [
                    str(
                        (
                            await agents.Runner.run(agent, q, session=session, run_config=RUN_CONFIG)
                        ).final_output
                    )
                    for q in ("What is the capital of France?", "How many people live there?")
                ]
                items = await session.get_items()
                return answers, [(i["role"], i["content"][0]["text"]) for i in items]

        answers, history = asyncio.run(main())
        assert answers == ["Paris is the capital of France.", "About 2 million people live there."]
        assert history == [
            ("user", "What is the capital of France?"),
            ("assistant", "Paris is the capital of France."),
            ("user", "How many people live there?"),
            ("assistant", "About 2 million people live there."),
        ]
