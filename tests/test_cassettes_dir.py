"""The recorded cassettes shipped in cassettes/ replay with the code that recorded them, and hold no secret.

Re-record after changing the flow::

    python -c "from assistant_harness import FakeAssistants, use_cassette; \\
    from assistant_harness.cli.demo import DEMO_TIMELINE, tutorial_flow; \\
    f = FakeAssistants(timeline=DEMO_TIMELINE).start(); \\
    c = use_cassette('cassettes/tutorial_tool_call.json', record_mode='all').__enter__(); \\
    tutorial_flow(print); c.__exit__(None, None, None); f.stop()"
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant_harness import use_cassette
from assistant_harness.cli.demo import tutorial_flow
from assistant_harness.cli.main import main

#: Virtual seconds the tutorial polls for in the recording.
WAITED = 10

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


@pytest.mark.usefixtures("no_real_sleep")
def test_the_tutorial_cassette_replays_offline() -> None:
    said: list[str] = []
    with use_cassette(CASSETTES / "tutorial_tool_call.json"):
        started = time.monotonic()  # virtual inside the block
        reply = tutorial_flow(said.append)
        waited = time.monotonic() - started
    assert reply == "October revenue was 136.25."
    assert any("tool call ask_database" in line for line in said)
    assert waited == WAITED  # the tutorial's polling, replayed on a virtual clock


def test_the_cassettes_folder_holds_no_secret() -> None:
    assert main(["scan", str(CASSETTES)]) == 0
