"""Background-mode pollers as teams write them (the SDK has no poll helper for responses), each with
the bug class the property tests in test_background_poller_properties.py find, and a fixed version.

1. ``wait_for_response`` loops until completed, failed or cancelled: an ``incomplete`` response
   (max_output_tokens, content_filter) is final too, so the loop polls it for ever.
2. ``wait_with_deadline`` gives up at its deadline but leaves the response running (and billed):
   it never cancels.
3. ``stream_text`` resumes a dropped stream from the start instead of after the last sequence
   number it saw, so every event before the drop arrives twice.
"""

from __future__ import annotations

import time
from typing import Any

import openai

FINAL = ("completed", "failed", "cancelled", "incomplete")


def start(client: openai.OpenAI, **kwargs: Any) -> Any:
    return client.responses.create(model="gpt-4o", input="What is 2 + 2?", background=True, **kwargs)


# -- 1. a loop that does not know `incomplete` -------------------------------------------------


def wait_for_response(client: openai.OpenAI, response_id: str) -> Any:
    response = client.responses.retrieve(response_id)
    while response.status not in ("completed", "failed", "cancelled"):  # BUG: incomplete is final too
        time.sleep(2)
        response = client.responses.retrieve(response_id)
    return response


def fixed_wait_for_response(client: openai.OpenAI, response_id: str) -> Any:
    response = client.responses.retrieve(response_id)
    while response.status not in FINAL:
        time.sleep(2)
        response = client.responses.retrieve(response_id)
    return response


# -- 2. a deadline that never cancels ----------------------------------------------------------


def wait_with_deadline(client: openai.OpenAI, response_id: str, timeout: float = 60.0) -> Any | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.responses.retrieve(response_id)
        if response.status in FINAL:
            return response
        time.sleep(2)
    return None  # BUG: the response keeps running (and costing) after we gave up on it


def fixed_wait_with_deadline(client: openai.OpenAI, response_id: str, timeout: float = 60.0) -> Any | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.responses.retrieve(response_id)
        if response.status in FINAL:
            return response
        time.sleep(2)
    client.responses.cancel(response_id)
    return None


# -- 3. a resume that replays events twice -----------------------------------------------------


def stream_text(client: openai.OpenAI) -> str:
    """Stream a background response, resuming when the stream ends before the final event."""
    text, response_id, done = [], None, False
    for event in client.responses.create(
        model="gpt-4o", input="Tell me a story.", background=True, stream=True
    ):
        response_id = (getattr(event, "response", None) and event.response.id) or response_id
        if event.type == "response.output_text.delta":
            text.append(event.delta)
        done = done or event.type in ("response.completed", "response.failed", "response.incomplete")
    while not done and response_id is not None:
        # BUG: no starting_after, so the server replays the stream from sequence number 0.
        for event in client.responses.retrieve(response_id, stream=True):
            if event.type == "response.output_text.delta":
                text.append(event.delta)
            done = done or event.type in ("response.completed", "response.failed", "response.incomplete")
    return "".join(text)


def fixed_stream_text(client: openai.OpenAI) -> str:
    text, response_id, last, done = [], None, -1, False
    stream: Any = client.responses.create(
        model="gpt-4o", input="Tell me a story.", background=True, stream=True
    )
    while True:
        for event in stream:
            response_id = (getattr(event, "response", None) and event.response.id) or response_id
            last = event.sequence_number
            if event.type == "response.output_text.delta":
                text.append(event.delta)
            done = done or event.type in ("response.completed", "response.failed", "response.incomplete")
        if done or response_id is None:
            return "".join(text)
        stream = client.responses.retrieve(response_id, stream=True, starting_after=last)
