"""``batches:`` and ``chat:`` in scenario files: every mistake one line naming the file and the key
path; what loads writes back the same."""

from __future__ import annotations

import pytest

from assistant_harness import Scenario
from assistant_harness.errors import ScenarioError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("batches: [{lines: []}]", "batches[0]: a batch needs steps"),
        ("batches: [{steps: [{status: running}]}]", "batches[0].steps[0].status: unknown status 'running'"),
        ("batches: [{steps: [{status: validating, done: 1}]}]", "batches[0].steps[0].done: unknown key"),
        (
            "batches: [{steps: [{status: in_progress, done: 2}]}]",
            "batches[0].steps[0].done: the share of requests that finish is between 0 and 1",
        ),
        (
            "batches: [{steps: [{status: in_progress, lines_per_second: 0}]}]",
            "lines_per_second: must be more than 0",
        ),
        (
            "batches: [{steps: [{status: validating, duration: 1}, {status: completed}]}]",
            "a batch cannot go from validating to completed",
        ),
        (
            "batches: [{steps: [{status: completed}], lines: [{reply: x, status: 500}]}]",
            "batches[0].lines[0]: a request ends one way: give one of reply, status, unfinished",
        ),
        (
            "batches: [{steps: [{status: completed}], lines: [{status: 200}]}]",
            "batches[0].lines[0].status: an HTTP error status is a whole number from 400 to 599",
        ),
        ("batches: [{steps: [{status: completed}], lines: [{every: 0}]}]", "batches[0].lines[0].every"),
        ("chat: [{}]", "chat[0]: a chat completion answers with a reply or with tool_calls"),
        ("chat: [{tool_calls: [{arguments: {}}]}]", "chat[0].tool_calls[0]: a tool call needs a name"),
    ],
)
def test_a_bad_entry_is_one_line_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_yaml(text, "mine.yaml")
    shown = str(caught.value)
    assert shown.startswith("mine.yaml: ") and message in shown and "\n" not in shown


def test_batches_and_chat_write_back_the_same() -> None:
    text = """
batches:
  - cancel_delay: 5
    steps:
      - {status: validating, duration: 1}
      - {status: in_progress, duration: 30, done: 0.5, lines_per_second: 2}
      - {status: cancelling, duration: 5}
      - {status: cancelled}
    lines:
      - {custom_id: "a-*", every: 2, status: 429, message: slow down, code: rate_limit_exceeded}
      - {custom_id: "b-*", unfinished: true}
      - {reply: "fixed"}
  - steps:
      - {status: validating, duration: 1}
      - {status: failed, error: {code: model_mismatch, message: two models, line: 3}}
chat:
  - tool_calls: [{name: f, arguments: {x: 1}}]
  - reply: "Got {tool_output}"
"""
    scenario = Scenario.from_yaml(text)
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario
    assert scenario.batches[0].lines[0].every == 2 and scenario.chat[1].reply is not None
