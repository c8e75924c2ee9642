"""The openai npm package (v6+) against `serve`, unchanged: tests/node/flow.mjs (the howto's Node flow).

Skipped, saying why, where there is no `node`/`npm`, or where `npm ci` cannot install the lockfile's
packages (no registry reachable)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .served import serving

NODE = Path(__file__).parent / "node"


@pytest.fixture(scope="module")
def node_flows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("no `node` and `npm` on this machine: the Node flow needs Node.js 18 or newer")
    folder = tmp_path_factory.mktemp("node")  # installed beside a copy: the source tree stays as it is
    for name in ("package.json", "package-lock.json", "flow.mjs"):
        shutil.copy(NODE / name, folder / name)
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True, timeout=600
    )
    if installed.returncode != 0:
        pytest.skip(f"`npm ci` could not install tests/node's lockfile: {installed.stderr.strip()[-300:]}")
    return folder


def node_flow(folder: Path, url: str, control: str | None = None) -> dict[str, Any]:
    env = {"PATH": os.environ["PATH"], "OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-node-flow"}
    if control is not None:
        env["HARNESS_CONTROL_URL"] = control
    done = subprocess.run(
        ["node", "flow.mjs"], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_node_sdk_runs_the_flow_on_the_virtual_clock(node_flows: Path) -> None:
    with serving() as url:
        result = node_flow(node_flows, url)
    assert (result["run"], result["response"], result["text"]) == (
        "completed",
        "completed",
        "background done",
    )
    assert result["events"][0] == "response.created" and result["events"][-1] == "response.completed"
    [run] = result["objects"]["runs"]
    # createAndRunPoll's sleeps were the server's polls: 60 virtual seconds, and the SDK unchanged.
    assert [(h["status"], h["at"]) for h in run["history"]] == [
        ("queued", 0),
        ("in_progress", 10),
        ("completed", 60),
    ]
    background = result["objects"]["responses"][0]["history"]
    assert background[-1]["at"] - background[0]["at"] == 60


def test_node_traffic_recorded_through_the_proxy_replays_offline(node_flows: Path, tmp_path: Path) -> None:
    cassette = tmp_path / "node.json"
    with serving() as upstream:
        control = upstream.removesuffix("/v1") + "/__harness"
        with serving("--cassette", str(cassette), "--upstream", upstream) as proxy:
            recorded = node_flow(node_flows, proxy, control)
    with serving("--cassette", str(cassette), "--record-mode", "none") as replaying:
        replayed = node_flow(node_flows, replaying, "")
    for result in (recorded, replayed):
        del result["real_ms"], result["objects"]
    assert replayed == recorded
    assert recorded["run"] == "completed" and recorded["text"] == "background done"
