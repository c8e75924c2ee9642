"""Scenario files are checked when they are given: sizes are capped (bytes, entries, steps) with a
clear error before any entry is checked, and a key given twice in one mapping is refused instead of
YAML keeping the last one silently."""

from __future__ import annotations

import pytest

from assistant_harness import FakeOpenAI, Scenario, ScenarioError
from assistant_harness.scenario.limits import MAX_ENTRIES, MAX_SCENARIO_BYTES, MAX_STEPS

ONE = "{steps: [{status: completed}]}"


def test_a_scenario_bigger_than_the_cap_is_refused_before_it_is_parsed() -> None:
    text = "responses:\n" + "  - steps: [{status: completed}]\n" * 200_000  # 6 MB
    with pytest.raises(ScenarioError) as refused:
        Scenario.from_yaml(text)
    message = str(refused.value)
    assert f"more than the {MAX_SCENARIO_BYTES:,} allowed" in message and "split it" in message


def test_200000_entries_written_small_are_refused_by_their_count() -> None:
    # Aliases keep the text under the byte cap: the count of entries is what is refused.
    text = f"responses: [&a {ONE}, " + ", ".join(["*a"] * 199_999) + "]\n"
    assert len(text) < MAX_SCENARIO_BYTES
    with pytest.raises(ScenarioError, match=r"responses: 200,000 entries, more than the 1,000 allowed"):
        Scenario.from_yaml(text)


@pytest.mark.parametrize("key", ["runs", "responses", "faults"])
def test_a_list_just_over_the_cap_is_refused_and_one_at_the_cap_loads(key: str) -> None:
    entry = {"faults": "{endpoint: threads.create, status: 500}"}.get(key, ONE)
    at_cap = f"{key}: [" + ", ".join([entry] * MAX_ENTRIES) + "]\n"
    Scenario.from_yaml(at_cap)
    with pytest.raises(ScenarioError, match=rf"{key}: 1,001 entries, more than the 1,000 allowed"):
        Scenario.from_yaml(at_cap.replace("[", f"[{entry}, ", 1))


def test_too_many_steps_are_refused() -> None:
    steps = ", ".join(["{status: queued, duration: 1}"] * MAX_STEPS + ["{status: completed}"])
    with pytest.raises(ScenarioError, match=r"responses\[0\].steps: 1,001 steps, more than the 1,000"):
        Scenario.from_yaml(f"responses:\n  - steps: [{steps}]\n")


@pytest.mark.parametrize(("key", "most"), [("training_steps", 100_000), ("checkpoints", 1_000)])
def test_a_fine_tuning_jobs_training_is_bounded(key: str, most: int) -> None:
    # Each training step is a metrics event made as the job runs: a billion would never finish.
    def job(value: int) -> str:
        steps = f"[{{status: queued, duration: 1}}, {{status: running, duration: 60, {key}: {value}}}, "
        return f"fine_tuning_jobs:\n  - steps: {steps}{{status: succeeded}}]\n"

    Scenario.from_yaml(job(most))
    with pytest.raises(
        ScenarioError, match=rf"steps\[1\]\.{key}: must be a whole number from \d to {most}, not"
    ):
        Scenario.from_yaml(job(10**9))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "runs:\n  - steps: [{status: completed}]\nruns:\n  - steps: [{status: failed}]\n",
            "<scenario>:3:1: key 'runs' is given twice in one mapping (first at line 1)",
        ),
        (
            "responses:\n  - steps: [{status: completed, reply: a, reply: b}]\n",
            "<scenario>:2:43: key 'reply' is given twice",
        ),
        (
            "runs:\n  - steps:\n      - status: queued\n        duration: 1\n        duration: 2\n",
            "<scenario>:5:9: key 'duration' is given twice in one mapping (first at line 4)",
        ),
    ],
)
def test_a_key_given_twice_is_refused_with_its_place(text: str, words: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        Scenario.from_yaml(text)
    assert str(refused.value).startswith(words)


def test_a_merge_key_may_override_what_it_merges() -> None:
    text = (
        "responses:\n  - steps: [&done {status: completed, reply: base}]\n"
        "  - steps: [{<<: *done, reply: mine}]\n"
    )
    scenario = Scenario.from_yaml(text)
    assert [r.timeline.steps[0].payload["reply"] for r in scenario.responses] == ["base", "mine"]


def test_a_response_step_with_tool_calls_and_a_reply_answers_the_message_then_the_calls() -> None:
    # Documented (docs/scenarios.md): the API can answer text and function calls in one response.
    text = (
        "responses:\n  - steps: [{status: completed, reply: 'Let me look.', "
        "tool_calls: [{name: lookup, arguments: {q: x}}]}]\n"
    )
    with FakeOpenAI(Scenario.from_yaml(text)) as fake:
        response = fake.client().responses.create(model="gpt-4o", input="hi")
    assert [item.type for item in response.output] == ["message", "function_call"]
    assert response.output_text == "Let me look."
