"""LangChain's ``ChatOpenAI(use_responses_api=True)`` runs unchanged against FakeOpenAI over several
turns: it sends each earlier answer back as an assistant message with ``output_text`` parts and no
``status`` (nor ``id`` with ``store=False``). Install with ``pip install "assistant-harness[frameworks]"``;
without it these tests are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_harness import FakeOpenAI

NEEDS = 'install the "frameworks" extra: pip install "assistant-harness[frameworks]"'
chat_models = pytest.importorskip("langchain_openai", reason=NEEDS)
messages = pytest.importorskip("langchain_core.messages", reason=NEEDS)

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("store", [False, True])
def test_a_multi_turn_chat_replays_its_answers(store: bool) -> None:
    with FakeOpenAI(SCENARIOS / "two_answers.yaml") as fake:
        llm = chat_models.ChatOpenAI(model="gpt-4o", use_responses_api=True, api_key="sk-test", store=store)
        history: list[object] = [messages.HumanMessage("What is the capital of France?")]
        history.append(llm.invoke(history))
        history.append(messages.HumanMessage("How many people live there?"))
        answer = llm.invoke(history)
        assert answer.text == "About 2 million people live there."
        second = fake.responses[1]
        assert [(i["role"], i["content"][0]["text"]) for i in second.input] == [
            ("user", "What is the capital of France?"),
            ("assistant", "Paris is the capital of France."),
            ("user", "How many people live there?"),
        ]
