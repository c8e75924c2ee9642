"""``assistant-harness demo``: the tutorials' flow, then a Batch API job, run against the fake,
narrated step by step.

The code inside :func:`tutorial_flow` is written exactly as the tutorials in our users' hands
write it (a module-level-style ``OpenAI()`` client, ``time.sleep`` polling); :func:`batch_flow` is the
hand-written poller every Batch API user writes. The fake answers both offline and its virtual clock
makes the waits instant: a day of hourly polls included.
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


def batch_flow(say: Callable[[str], None]) -> None:
    """Ten requests in a batch, polled hourly until the 24-hour window ends with half of them done."""
    import json

    import openai

    client = openai.OpenAI(api_key="sk-test")
    lines = [
        {
            "custom_id": f"q{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Question {i}"}]},
        }
        for i in range(10)
    ]
    uploaded = client.files.create(
        file=("q.jsonl", "\n".join(map(json.dumps, lines)).encode()), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    say(f"created batch     {batch.id} ({batch.status}, 10 requests)")
    start = time.time()
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        time.sleep(3600)
        batch = client.batches.retrieve(batch.id)
        if (time.time() - start) % (6 * 3600) == 0 or batch.status == "expired":
            hours, counts = (time.time() - start) / 3600, batch.request_counts
            done_so_far = f"{counts.completed} of {counts.total} done" if counts else ""
            say(f"  t+{hours:2.0f}h  {batch.status}: {done_so_far}")
    # Both files may be missing (None): a reader must check, as here.
    done = client.files.content(batch.output_file_id).text.count("\n") if batch.output_file_id else 0
    left = client.files.content(batch.error_file_id).text.count("\n") if batch.error_file_id else 0
    say(f"final status: {batch.status}; {done} answers kept, {left} requests to retry (batch_expired)")


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
    say("")
    started = time.perf_counter()
    with FakeAssistants("batch_expired") as fake:
        batch_flow(say)
        virtual = fake.clock.elapsed()
    say(f"{virtual / 3600:.0f} virtual hours in {1000 * (time.perf_counter() - started):.0f} ms of real time")
    return 0
