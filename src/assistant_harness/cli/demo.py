"""``assistant-harness demo``: the tutorials' flow, run against the fake, narrated step by step.

The code inside :func:`tutorial_flow` is written exactly as the tutorials in our users' hands
write it (a module-level-style ``OpenAI()`` client, ``time.sleep`` polling); the fake answers it
offline and its virtual clock makes the waits instant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..engine.lifecycle import Step, Timeline
from ..fake import FakeAssistants

#: The run the demo's fake plays: a slow start, a tool call, then the answer.
DEMO_TIMELINE = Timeline(
    [
        Step("queued", 2),
        Step("in_progress", 3),
        Step(
            "requires_action",
            payload={
                "tool_calls": [
                    {
                        "name": "ask_database",
                        "arguments": {"query": "SELECT SUM(price) FROM orders WHERE status = 1"},
                    }
                ]
            },
        ),
        Step("queued", 1),
        Step("in_progress", 4),
        Step("completed", payload={"reply": "October revenue was 136.25."}),
    ]
)


def tutorial_flow(say: Callable[[str], None]) -> str:
    """The create-message-run-poll-retrieve flow of the tutorials, printing as it goes."""
    import openai

    client = openai.OpenAI(api_key="sk-test")
    assistant = client.beta.assistants.create(
        name="My GPT",
        instructions="You are my personal assistant.",
        model="gpt-4o-mini",
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
    )
    say(f"created assistant {assistant.id}")
    thread = client.beta.threads.create()
    say(f"created thread    {thread.id}")
    message = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="How much did we earn in October?"
    )
    say(f"added message     {message.id}")
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    say(f"started run       {run.id} ({run.status})")
    start = time.time()
    while run.status in ("queued", "in_progress", "requires_action"):
        if run.status == "requires_action":
            outputs: list[Any] = []
            for call in run.required_action.submit_tool_outputs.tool_calls:  # type: ignore[union-attr]
                say(f"  tool call {call.function.name}({call.function.arguments})")
                outputs.append({"tool_call_id": call.id, "output": "[[136.25]]"})
            run = client.beta.threads.runs.submit_tool_outputs(
                thread_id=thread.id, run_id=run.id, tool_outputs=outputs
            )
            say(f"  submitted {len(outputs)} tool output(s) -> {run.status}")
            continue
        time.sleep(1)
        run = client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
        say(f"  t+{time.time() - start:4.0f}s  {run.status}")
    messages = client.beta.threads.messages.list(thread_id=thread.id)
    reply = messages.data[0].content[0].text.value  # type: ignore[union-attr]
    say(f"final status: {run.status}; reply: {reply}")
    return reply


def run_demo(say: Callable[[str], None] = print) -> int:
    """Run the tutorial flow against a fake and print the run's status timeline."""
    import openai

    # The SDK imports its Assistants modules on first use (about a second): not the fake's time.
    _ = openai.OpenAI(api_key="sk-test").beta.threads.runs.steps
    started = time.perf_counter()
    with FakeAssistants(timeline=DEMO_TIMELINE) as fake:
        tutorial_flow(say)
        run = next(iter(fake.store.runs.values()))
        timeline = " -> ".join(f"{status}@{at:g}s" for status, at in run.history)
        virtual = fake.clock.elapsed()
    say(f"status timeline: {timeline}")
    say(f"{virtual:.0f} virtual seconds in {1000 * (time.perf_counter() - started):.0f} ms of real time")
    return 0
