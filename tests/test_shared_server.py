"""testing/shared_server: one `serve` for the run, found by every worker, stopped by the last; a
namespace per test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant_harness.testing.shared_server import STATE, HarnessNamespace, _alive, shared_server


def test_started_once_found_by_the_next_user_and_stopped_by_the_last(tmp_path: Path) -> None:
    # A second live process stands for a second xdist worker.
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        with shared_server(tmp_path) as first:
            pid = json.loads((tmp_path / STATE).read_text())["pid"]
            with shared_server(tmp_path, me=other.pid) as second:
                assert second == first
                assert sorted(json.loads((tmp_path / STATE).read_text())["users"]) == sorted(
                    [os.getpid(), other.pid]
                )
            assert httpx.get(f"{first}/__harness/health").json()["status"] == "ok"  # still up for me
        assert not (tmp_path / STATE).exists()
        assert not _alive(pid) or _zombie(pid)
    finally:
        other.communicate(b"")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False


def test_a_dead_server_is_replaced(tmp_path: Path) -> None:
    (tmp_path / STATE).write_text(json.dumps({"pid": 2**22 + 12345, "port": 1, "users": [2**22 + 1]}))
    with shared_server(tmp_path) as url:
        assert httpx.get(f"{url}/__harness/health").status_code == 200
        assert json.loads((tmp_path / STATE).read_text())["users"] == [os.getpid()]


def test_each_test_gets_its_own_namespace(harness_server: HarnessNamespace) -> None:
    harness_server.load_scenario({"runs": [{"steps": [{"status": "completed", "reply": "hi"}]}]})
    assert harness_server.env == {
        "OPENAI_BASE_URL": harness_server.url,
        "OPENAI_API_KEY": harness_server.api_key,
    }
    client = harness_server.client()
    try:
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        assert run.status == "completed"
    finally:
        client.close()
    assert harness_server.objects()["runs"][0]["status"] == "completed"
    assert harness_server.requests()[0]["headers"]["authorization"] == "Bearer REDACTED"


WORKER_TESTS = """
import openai, pytest

@pytest.mark.parametrize("n", range(6))
def test_flow(harness_server, n, tmp_path_factory):
    client = harness_server.client()
    client.beta.assistants.create(model="gpt-4o", name=str(n))
    assert [a.name for a in client.beta.assistants.list().data] == [str(n)]  # nobody else's
    with open(harness_server_ports, "a") as out:
        out.write(harness_server.url + "\\n")
    client.close()
"""


@pytest.mark.slow  # two xdist workers' sessions: run by `pytest -m slow` and CI
def test_xdist_workers_share_one_server(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytest.importorskip("xdist", reason='install the "test" extra: pip install "assistant-harness[test]"')
    ports = tmp_path / "urls.txt"
    # Without the loop scope set, pytest-asyncio warns in each worker.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_flows=WORKER_TESTS.replace("harness_server_ports", repr(str(ports))))
    shared = tmp_path / "shared"
    pytester.runpytest("-n", "2", "-p", "no:randomly", "--harness-server-dir", str(shared)).assert_outcomes(
        passed=6
    )
    assert len(set(ports.read_text().split())) == 1  # one server for both workers
    assert not (shared / STATE).exists()  # stopped by the last


def test_the_clients_a_test_makes_are_closed_when_it_ends(harness_server: HarnessNamespace) -> None:
    client = harness_server.client()
    client.files.list()  # a connection to the server is open now
    harness_server.close_clients()  # what the fixture does when the test ends
    assert client.is_closed() and harness_server.clients == []
