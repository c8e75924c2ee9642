"""One feature before and after a migration off the Assistants API (docs/howto-migrate-to-responses.md).

``AssistantsWeather`` is the old code: an assistant, a thread, a run polled through
``requires_action``. ``ResponsesWeather`` is the new code: a background response polled until it
ends with ``function_call`` items, then a response chained by ``previous_response_id`` that carries
the outputs. Both answer :meth:`ask` with an :class:`Answer`, so one test suite checks both sides.
"""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

import openai

INSTRUCTIONS = "You answer questions about the weather. Use get_weather."
FUNCTION = {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
FINAL = ("completed", "failed", "cancelled", "incomplete", "expired")


def get_weather(city: str) -> str:
    return f"18C and sunny in {city}"


class WeatherError(Exception):
    """The model's work ended without an answer (failed, cancelled, incomplete, expired)."""


class Answer(NamedTuple):
    text: str
    #: The tool calls the model made, as (name, arguments).
    calls: list[tuple[str, dict[str, Any]]]


class AssistantsWeather:
    """Before: the Assistants API (an assistant, a thread per question, a run)."""

    def __init__(self, client: openai.OpenAI, poll_every: float = 1.0) -> None:
        self.client = client
        self.poll_every = poll_every
        self.assistant = client.beta.assistants.create(
            model="gpt-4o", instructions=INSTRUCTIONS, tools=[{"type": "function", "function": FUNCTION}]
        )

    def ask(self, question: str) -> Answer:
        beta = self.client.beta
        thread = beta.threads.create(messages=[{"role": "user", "content": question}])
        run = beta.threads.runs.create(thread_id=thread.id, assistant_id=self.assistant.id)
        calls: list[tuple[str, dict[str, Any]]] = []
        while run.status not in FINAL:
            if run.status == "requires_action":
                outputs = []
                for call in run.required_action.submit_tool_outputs.tool_calls:
                    arguments = json.loads(call.function.arguments)
                    calls.append((call.function.name, arguments))
                    outputs.append({"tool_call_id": call.id, "output": get_weather(**arguments)})
                run = beta.threads.runs.submit_tool_outputs(run.id, thread_id=thread.id, tool_outputs=outputs)
                continue
            time.sleep(self.poll_every)
            run = beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        if run.status != "completed":
            raise WeatherError(f"run {run.status}: {run.last_error.code if run.last_error else run.status}")
        messages = beta.threads.messages.list(thread_id=thread.id, run_id=run.id, order="desc", limit=1)
        return Answer(messages.data[0].content[0].text.value, calls)


class ResponsesWeather:
    """After: the Responses API (instructions and tools on every request, a background response)."""

    def __init__(self, client: openai.OpenAI, poll_every: float = 1.0) -> None:
        self.client = client
        self.poll_every = poll_every

    def _wait(self, response: Any) -> Any:
        while response.status not in FINAL:
            time.sleep(self.poll_every)
            response = self.client.responses.retrieve(response.id)
        if response.status != "completed":
            code = response.error.code if response.error else response.status
            raise WeatherError(f"response {response.status}: {code}")
        return response

    def ask(self, question: str) -> Answer:
        common: dict[str, Any] = {
            "model": "gpt-4o",
            "instructions": INSTRUCTIONS,
            "tools": [{"type": "function", **FUNCTION}],
            "background": True,
        }
        response = self._wait(self.client.responses.create(input=question, **common))
        calls: list[tuple[str, dict[str, Any]]] = []
        while function_calls := [item for item in response.output if item.type == "function_call"]:
            outputs = []
            for call in function_calls:
                arguments = json.loads(call.arguments)
                calls.append((call.name, arguments))
                outputs.append(
                    {
                        "type": "function_call_output",
                        "call_id": call.call_id,
                        "output": get_weather(**arguments),
                    }
                )
            response = self._wait(
                self.client.responses.create(input=outputs, previous_response_id=response.id, **common)
            )
        return Answer(response.output_text, calls)
