from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from assistant_harness import FakeAssistants, use_cassette
from assistant_harness.cli.main import main


def test_demo_narrates_the_flow_and_prints_the_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "tool call ask_database(" in out
    assert "final status: completed; reply: October revenue was 136.25." in out
    assert (
        "status timeline: queued@0s -> in_progress@2s -> requires_action@5s -> queued@5s -> in_progress@6s "
        "-> completed@10s"
    ) in out
    # Then a batch polled hourly until its 24-hour window ends with half of its requests done.
    assert "t+24h  expired: 5 of 10 done" in out
    assert "final status: expired; 5 answers kept, 5 requests to retry (batch_expired)" in out
    assert "24 virtual hours in" in out


@pytest.mark.slow  # a fresh interpreter: `pytest -m slow` and CI
def test_console_script_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant_harness.cli", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,  # a guard against a hang on a loaded machine, not a speed claim
    )
    assert "final status: completed" in done.stdout
    assert "Warning" not in done.stderr


def test_unknown_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["nope"])
    assert caught.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_show_and_to_scenario_take_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cassettes"
    for name in ("tool_call", "failed_server_error"):
        with FakeAssistants(name), use_cassette(folder / f"{name}.json", record_mode="once"):
            client = openai.OpenAI(api_key="sk-test")
            client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="m").id)
    assert main(["show", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "failed_server_error.json" in shown and "tool_call.json" in shown
    assert main(["to-scenario", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("# Made by `assistant-harness to-scenario") == 2 and "\n---\n" in printed
    out = tmp_path / "scenarios"
    assert main(["to-scenario", str(folder), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["failed_server_error.yaml", "tool_call.yaml"]
    assert "wrote " + str(out / "tool_call.yaml") + " (1 run(s), 0 fault(s))" in capsys.readouterr().out
    with FakeAssistants(out / "failed_server_error.yaml") as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        assert run.status == "failed"


def test_show_and_to_scenario_name_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", str(tmp_path / "nope.json")]) == 2
    assert "show: " + str(tmp_path / "nope.json") + ": no such cassette or folder" in capsys.readouterr().err
    assert main(["to-scenario", str(tmp_path)]) == 2
    assert "to-scenario: no cassette files found" in capsys.readouterr().err


def test_serve_on_a_taken_port_says_only_the_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "assistant_harness.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stdout == ""  # no "Serving ..." for a server that never started
    assert done.stderr.startswith(f"assistant-harness serve: cannot listen on 127.0.0.1:{port}: ")
    assert "in use" in done.stderr


def test_a_bad_scenario_or_cassette_is_one_line_on_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("runs:\n  - steps:\n      - [queued, 1]\n", encoding="utf-8")
    assert main(["serve", "--scenario", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"assistant-harness serve: {scenario}: runs[0].steps[0]: a step is a mapping such as "
        "{status: queued, duration: 1} (one per line under steps:), not a list\n"
    )
    cassette = tmp_path / "broken.json"
    cassette.write_text("{", encoding="utf-8")
    assert main(["show", str(cassette)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant_harness import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"assistant-harness {__version__}\n"


def test_scenarios_lists_every_shipped_scenario_with_its_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant_harness.scenario.model import shipped

    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == shipped()
    assert "background_happy_path" in lines[2] and "A background response completes after 3" in lines[2]
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)  # each has its description


def test_the_help_names_every_api_not_only_the_assistants_api(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Responses" in out and "scenarios" in out and "--version" in out
