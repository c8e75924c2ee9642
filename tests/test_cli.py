from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_console_script_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant_harness.cli", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "final status: completed" in done.stdout
    assert "Warning" not in done.stderr


def test_unknown_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["nope"])
    assert caught.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
