"""The tutorials' polling code (../shared/seeds), written as a user's module: the bugs, and the fixes.

Each buggy function is the tutorial's logic as published; each ``fixed_`` one is what the property
tests in ``test_tutorial_properties.py`` push it to. Neither knows about the harness.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import openai

FINAL = ("completed", "failed", "cancelled", "expired", "incomplete")
Tools = dict[str, Callable[[dict[str, Any]], Any]]


def wait_on_run(client: openai.OpenAI, run: Any, thread_id: str) -> Any:
    """Seed 004 / 002: wait while the run is queued or in progress.

    Bug: ``cancelling`` is neither, so the loop returns a run that has not finished.
    """
    while run.status == "queued" or run.status == "in_progress":
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run.id)
        time.sleep(1)
    return run


def fixed_wait_on_run(client: openai.OpenAI, run: Any, thread_id: str) -> Any:
    """Wait until the run needs us (requires_action) or has finished, whatever its status on the way."""
    while run.status not in (*FINAL, "requires_action"):
        time.sleep(1)
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run.id)
    return run


def wait_for_run_completion(
    client: openai.OpenAI, thread_id: str, run_id: str, sleep_interval: float = 5
) -> Any:
    """Seed 000: poll until ``run.completed_at`` is set, giving up after five minutes.

    Bug: a failed, expired, cancelled or incomplete run never gets ``completed_at``, so the loop
    spins until its deadline and reports nothing, although the run ended long before.
    """
    start_time = time.time()
    timeout = 5 * 60
    while True:
        if time.time() - start_time > timeout:
            return None
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
        if run.completed_at:
            return run
        time.sleep(sleep_interval)


def fixed_wait_for_run_completion(
    client: openai.OpenAI, thread_id: str, run_id: str, sleep_interval: float = 5
) -> Any:
    """Stop on any final status (and on requires_action); keep the five-minute deadline."""
    start_time = time.time()
    while time.time() - start_time <= 5 * 60:
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
        if run.status in FINAL or run.status == "requires_action":
            return run
        time.sleep(sleep_interval)
    return None


def answer_tool_calls(client: openai.OpenAI, run: Any, thread_id: str, tools: Tools) -> Any:
    """A tool loop as often written: call the tool the run asks for, submit its output, poll again.

    Bug: it answers only the first tool call; with parallel calls the API refuses the submission.
    """
    while run.status == "requires_action":
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        output = tools[call.function.name](json.loads(call.function.arguments))
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            thread_id=thread_id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": call.id, "output": json.dumps(output)}],
        )
    return run


def fixed_answer_tool_calls(client: openai.OpenAI, run: Any, thread_id: str, tools: Tools) -> Any:
    """Answer every call of a round in one submission."""
    while run.status == "requires_action":
        calls = run.required_action.submit_tool_outputs.tool_calls
        outputs = [
            {
                "tool_call_id": call.id,
                "output": json.dumps(tools[call.function.name](json.loads(call.function.arguments))),
            }
            for call in calls
        ]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            thread_id=thread_id, run_id=run.id, tool_outputs=outputs
        )
    return run
