"""Scenario files: loading (with errors that name file and key path), writing, and playing them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant_harness import FakeAssistants, ScenarioError, Step, Timeline
from assistant_harness.scenario import model as sc

#: A run's first two steps, for error cases that differ in the third.
STARTED = (
    "runs:\n  - steps:\n      - {status: queued, duration: 1}\n      - {status: in_progress, duration: 1}\n"
)

TOOL_STEPS = """
runs:
  - steps:
      - {status: queued, duration: 1}
      - {status: in_progress, duration: 1}
      - status: requires_action
        tool_calls: [{name: f, arguments: {x: 1}}]
      - {status: in_progress, duration: 1}
      - {status: completed, reply: "got {tool_output}"}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            STARTED + "      - {status: requires_action}\n",
            "x.yaml: runs[0].steps[2]: requires_action needs tool_calls",
        ),
        (
            "runs:\n  - steps:\n      - {status: queud, duration: 1}\n",
            "x.yaml: runs[0].steps[0].status: unknown status 'queud' (did you mean 'queued'?)",
        ),
        (
            "runs:\n  - steps:\n      - {status: queued, duration: 1}\n      - {status: completed}\n",
            "x.yaml: runs[0].steps[1]: a run cannot go from queued to completed",
        ),
        (
            "runs:\n  - steps:\n      - {status: queued, duratoin: 1}\n",
            "x.yaml: runs[0].steps[0].duratoin: unknown key (did you mean 'duration'?)",
        ),
        (
            "runs:\n  - steps:\n      - {status: queued, duration: -2}\n",
            "x.yaml: runs[0].steps[0].duration: must be a number of seconds from 0 to 1e+09, not -2",
        ),
        (
            "faults:\n  - {endpoint: run.retrieve, status: 500}\n",
            "x.yaml: faults[0].endpoint: 'run.retrieve' is not an endpoint; did you mean 'runs.retrieve'?",
        ),
        (
            "faults:\n  - {endpoint: runs.retrieve}\n",
            "x.yaml: faults[0]: a fault needs status=, error=, latency= or stream=",
        ),
        (
            STARTED + "      - {status: completed, reply: 'x {answer}'}\n",
            "x.yaml: runs[0].steps[2].reply: unknown placeholder {answer}",
        ),
        (
            STARTED + "      - {status: failed, error: {code: oops}}\n",
            "x.yaml: runs[0].steps[2].error.code: 'oops' is not one of server_error",
        ),
        ("assistants:\n  - {name: Tutor}\n", "x.yaml: assistants[0]: Missing required parameter: 'model'."),
        ("runs: {steps: []}\n", "x.yaml: runs: expected a list, got dict"),
        ("colour: red\n", "x.yaml: colour: unknown key"),
        ("runs: [\n", "x.yaml:2:1: not valid YAML"),
    ],
)
def test_loader_errors_name_the_file_and_key_path(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        sc.parse(text, "x.yaml")


def test_missing_file_and_unknown_shipped_name() -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yaml: no such scenario file"):
        sc.load("nope.yaml")
    with pytest.raises(ScenarioError, match="no shipped scenario named 'tool_cal'; did you mean tool_call"):
        sc.load("tool_cal")


def test_a_parsed_scenario_writes_back_to_the_same_scenario() -> None:
    for name in sc.shipped():
        original = sc.load(name)
        again = sc.parse(original.to_yaml(), "again.yaml", name=name)
        assert again == original, name


def test_computed_replies_cannot_be_written() -> None:
    from assistant_harness import Step, Timeline

    scenario = sc.Scenario(
        runs=(
            sc.RunScript(
                Timeline([Step("in_progress", 1), Step("completed", payload={"reply": lambda ctx: "x"})])
            ),
        )
    )
    with pytest.raises(ScenarioError, match="computed by Python code"):
        scenario.to_yaml()


def test_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(TOOL_STEPS, encoding="utf-8")
    loaded = sc.load(path)
    assert loaded.name == "mine" and loaded.source == str(path)
    assert [s.status for s in loaded.runs[0].timeline.steps][-1] == "completed"


def test_template_reply_fills_in_the_tool_output() -> None:
    with FakeAssistants(sc.parse(TOOL_STEPS)) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
        assert call.function.arguments == '{"x": 1}'
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "42"}]
        )
        reply = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value  # type: ignore[union-attr]
        assert reply == "got 42"


def test_timelines_per_assistant_and_in_order_the_last_repeating() -> None:
    text = """
runs:
  - steps: [{status: in_progress, duration: 1}, {status: completed, reply: first}]
  - steps: [{status: in_progress, duration: 1}, {status: completed, reply: second}]
  - assistant: Grader
    steps: [{status: in_progress, duration: 1}, {status: failed}]
"""
    with FakeAssistants(sc.parse(text)) as fake:
        client = fake.client()
        plain = client.beta.assistants.create(model="m", name="Tutor")
        grader = client.beta.assistants.create(model="m", name="Grader")

        def final(assistant_id: str) -> tuple[str, str | None]:
            run = client.beta.threads.create_and_run_poll(assistant_id=assistant_id)
            messages = client.beta.threads.messages.list(run.thread_id).data
            return run.status, messages[0].content[0].text.value if messages else None  # type: ignore[union-attr]

        assert final(plain.id) == ("completed", "first")
        assert final(grader.id) == ("failed", None)
        assert final(plain.id) == ("completed", "second")
        assert final(plain.id) == ("completed", "second")


def test_seeded_assistants_and_threads_keep_their_ids() -> None:
    text = """
assistants:
  - {id: asst_MZjUfsqPFEyxmPPqoHYAwV6Z, name: 我的 GPT, model: gpt-3.5-turbo-1106}
threads:
  - {id: thread_saved, messages: [{role: user, content: earlier question}]}
"""
    with FakeAssistants(sc.parse(text)) as fake:
        client = fake.client()
        assert client.beta.assistants.retrieve("asst_MZjUfsqPFEyxmPPqoHYAwV6Z").name == "我的 GPT"
        run = client.beta.threads.runs.create_and_poll(
            thread_id="thread_saved", assistant_id="asst_MZjUfsqPFEyxmPPqoHYAwV6Z"
        )
        assert run.status == "completed"


def test_scenario_seed_and_poll_interval_apply() -> None:
    with FakeAssistants(sc.parse("seed: 7\npoll_after_ms: 250\n")) as fake:
        assert fake.backend.poll_after_ms == 250
        other = FakeAssistants(seed=7)
        assert fake.client().beta.threads.create().id == other.client().beta.threads.create().id


@pytest.mark.parametrize("final", ["completed", "incomplete"])
def test_a_computed_reply_is_called_once_per_run_and_its_answer_is_the_message(final: str) -> None:
    calls: list[int] = []

    def counting(context: object) -> str:
        calls.append(len(calls))
        return f"reply number {len(calls)}"

    timeline = Timeline([Step("in_progress", 1), Step(final, payload={"reply": counting})])
    with FakeAssistants(timeline=timeline) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        messages = client.beta.threads.messages.list(run.thread_id)
    assert run.status == final
    assert calls == [0]
    assert messages.data[0].content[0].text.value == "reply number 1"  # type: ignore[union-attr]


def test_a_json_reply_means_the_same_with_and_without_placeholders() -> None:
    """Literal braces are doubled in every reply: one without a placeholder is sent with single ones."""
    text = (
        'runs:\n  - steps: [{status: completed, reply: \'{{"city": "Paris"}}\'}]\n'
        'responses:\n  - steps: [{status: completed, reply: \'{{"city": "Paris"}}\'}]\n'
    )
    with FakeAssistants(sc.parse(text, "json.yaml")) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        reply = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value  # type: ignore[union-attr]
        response = client.responses.create(model="gpt-4o", input="Where?")
    assert reply == response.output_text == '{"city": "Paris"}'


@pytest.mark.parametrize("reply", ['{"city": "Paris"}', "{", "{tool_output}", "}}"])
def test_a_plain_reply_with_braces_is_written_doubled_and_reads_back(reply: str) -> None:
    scenario = sc.Scenario(runs=(sc.RunScript(Timeline([Step("completed", payload={"reply": reply})])),))
    again = sc.Scenario.from_yaml(scenario.to_yaml())
    assert again.runs[0].timeline.steps[0].payload["reply"] == reply


def test_a_json_reply_doubles_its_braces() -> None:
    text = (
        "runs:\n  - steps:\n      - {status: in_progress, duration: 1}\n      - status: requires_action\n"
        "        tool_calls: [{name: total}]\n      - {status: in_progress, duration: 1}\n"
        "      - status: completed\n        reply: '{{\"total\": {tool_output}}}'\n"
    )
    with FakeAssistants(sc.parse(text, "json.yaml")) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id,
            thread_id=run.thread_id,
            tool_outputs=[{"tool_call_id": call.id, "output": "136.25"}],
        )
        reply = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value  # type: ignore[union-attr]
    assert reply == '{"total": 136.25}'
    with pytest.raises(ScenarioError, match=r"json\.yaml: runs"):
        sc.parse(text.replace("'{{\"total\": {tool_output}}}'", "'{\"total\": 1}'"), "json.yaml")


@pytest.mark.parametrize("step", ["[queued, 1]", "queued"])
def test_a_step_that_is_not_a_mapping_says_what_a_step_looks_like(step: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        sc.parse(f"runs:\n  - steps:\n      - {step}\n", "x.yaml")
    assert str(caught.value).startswith(
        "x.yaml: runs[0].steps[0]: a step is a mapping such as {status: queued, duration: 1}"
    )
