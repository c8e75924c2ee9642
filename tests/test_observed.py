"""From a cassette to a timeline (`show`) and to a scenario the fake replays (`to-scenario`)."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from assistant_harness import FakeAssistants, Fault, use_cassette
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.observe import _fill_gaps, observe, to_scenario
from assistant_harness.cli.main import main
from assistant_harness.scenario.model import load


def _tool_flow(client: openai.OpenAI) -> tuple[str, list[str], str]:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "total?"}]}
    )
    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=run.thread_id,
        tool_outputs=[{"tool_call_id": c.id, "output": "136.25"} for c in calls],
    )
    reply = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value  # type: ignore[union-attr]
    return run.status, [c.function.name for c in calls], reply


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "tool.json"
    fault = Fault(endpoint="runs.retrieve", nth=2, status=500)
    with FakeAssistants("tool_call", faults=[fault]), use_cassette(path, record_mode="once"):
        assert _tool_flow(openai.OpenAI(api_key="sk-test")) == (
            "completed",
            ["ask_database"],
            "The total is 136.25.",
        )
    return path


def test_observe_reads_the_runs_tool_calls_outputs_and_errors(recorded: Path) -> None:
    observation = observe(Cassette.load(recorded).interactions)
    (run,) = observation.runs
    assert [status for _, status in run.transitions] == [
        "queued",
        "in_progress",
        "requires_action",
        "queued",
        "in_progress",
        "completed",
    ]
    assert [c["name"] for c in run.tool_calls[0]] == ["ask_database"]
    assert run.tool_outputs[0][0]["output"] == "136.25"
    assert run.reply == "The total is 136.25."
    assert [(e.status, e.endpoint) for e in observation.errors] == [(500, "runs.retrieve")]


def test_to_scenario_plays_back_the_same_run_and_error(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "from_cassette.yaml"
    assert main(["to-scenario", str(recorded), "-o", str(out)]) == 0
    scenario = load(out)
    assert scenario.outcome == "completed" and scenario.faults == (
        Fault(endpoint="runs.retrieve", nth=2, status=500),
    )
    with FakeAssistants(scenario) as fake:
        assert _tool_flow(fake.client()) == ("completed", ["ask_database"], "The total is 136.25.")
        assert fake.faults[0].fired == 1


def test_show_prints_tool_calls_outputs_and_errors(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", str(recorded)]) == 0
    out = capsys.readouterr().out
    assert 'ask_database({"query": "SELECT SUM(price) FROM orders WHERE status = 1"})' in out
    assert "+2s  requires_action" in out  # when it was seen (the response's Date), as runs carry no timestamp
    assert '-> outputs ["136.25"]' in out
    assert "HTTP 500 on GET" in out and "runs.retrieve" in out
    assert "reply: The total is 136.25." in out


def test_show_prints_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "failed.json"
    with FakeAssistants("failed_rate_limit_exceeded"), use_cassette(path, record_mode="once"):
        client = openai.OpenAI(api_key="sk-test")
        client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="m").id)
    main(["show", str(path)])
    assert "rate_limit_exceeded: You exceeded your current quota" in capsys.readouterr().out
    scenario = to_scenario(Cassette.load(path).interactions)
    assert scenario.runs[0].timeline.steps[-1].payload["last_error"]["code"] == "rate_limit_exceeded"


def test_statuses_a_poller_missed_are_filled_in() -> None:
    assert _fill_gaps([(0, "queued"), (3, "requires_action")]) == [
        (0, "queued"),
        (0, "in_progress"),
        (3, "requires_action"),
    ]


def test_cli_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: no such cassette" in capsys.readouterr().err
    assert main(["scan", str(tmp_path)]) == 2
