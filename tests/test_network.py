"""Replay and --block-network refuse every socket connection that is not to an allowed host
(urllib, requests, raw sockets, asyncio), naming the host; recording still reaches its upstream."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import requests

from assistant_harness import FakeAssistants, use_cassette
from assistant_harness.cassettes.network import block_network
from assistant_harness.errors import CassetteMismatch, NetworkBlocked


@pytest.fixture
def server() -> Iterator[int]:
    """A listening local socket (connections complete in its backlog; nothing answers)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    path = tmp_path / "one.json"
    with FakeAssistants(), use_cassette(path, record_mode="all"):
        openai.OpenAI(api_key="sk-test").beta.assistants.list()
    return path


def _raw_connect(port: int, host: str = "127.0.0.1") -> None:
    with socket.create_connection((host, port), timeout=2):
        pass


def test_replay_refuses_requests_naming_the_host(cassette: Path, server: int) -> None:
    with use_cassette(cassette), pytest.raises(NetworkBlocked, match=rf"127\.0\.0\.1 port {server}"):
        requests.get(f"http://127.0.0.1:{server}/", timeout=2)


def test_replay_refuses_urllib_and_raw_sockets_naming_the_host(cassette: Path, server: int) -> None:
    with use_cassette(cassette):
        with pytest.raises(NetworkBlocked, match=rf"localhost \(127\.0\.0\.1\) port {server}"):
            urllib.request.urlopen(f"http://localhost:{server}/", timeout=2)
        with pytest.raises(NetworkBlocked, match=r"127\.0\.0\.1"):
            _raw_connect(server)
        sock = socket.socket()
        with pytest.raises(NetworkBlocked):
            sock.connect_ex(("127.0.0.1", server))
        sock.close()
    _raw_connect(server)  # the block ends with the replay


def test_replay_refuses_asyncio_connections(cassette: Path, server: int) -> None:
    async def connect() -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", server)
        writer.close()

    with use_cassette(cassette), pytest.raises(NetworkBlocked, match=r"127\.0\.0\.1"):
        asyncio.run(connect())


def test_allowed_and_ignored_hosts_are_reached(cassette: Path, server: int) -> None:
    with use_cassette(cassette, allowed_hosts=["localhost"]):
        _raw_connect(server)  # localhost allows every loopback address
    with use_cassette(cassette, ignore_hosts=("127.0.0.1",)):
        _raw_connect(server)


def test_a_replayed_request_still_answers_under_the_block(cassette: Path) -> None:
    with use_cassette(cassette):
        assert openai.OpenAI(api_key="sk-test").beta.assistants.list().data == []
        # httpx is answered by the cassette, never the network; the message keeps the port.
        with pytest.raises(CassetteMismatch, match=r"matches GET http://127\.0\.0\.1:9/v1/x "):
            httpx.get("http://127.0.0.1:9/v1/x", timeout=1)


def test_recording_suspends_a_block(tmp_path: Path, server: int) -> None:
    with block_network():
        with pytest.raises(NetworkBlocked):
            _raw_connect(server)
        with FakeAssistants(), use_cassette(tmp_path / "r.json", record_mode="all"):
            _raw_connect(server)  # a recording reaches its upstream
        with pytest.raises(NetworkBlocked):
            _raw_connect(server)


def test_unix_sockets_and_socketpairs_are_not_blocked() -> None:
    with block_network():
        left, right = socket.socketpair()
        left.sendall(b"x")
        assert right.recv(1) == b"x"
        left.close()
        right.close()


BLOCKED_TEST = """
import urllib.request
from pathlib import Path

def test_net():
    port = int(Path("port.txt").read_text())
    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
"""


def test_the_plugin_option_blocks_every_test_but_allowed_hosts(
    pytester: pytest.Pytester, server: int
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".txt", port=str(server))
    pytester.makepyfile(test_net=BLOCKED_TEST)
    blocked = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--block-network")
    blocked.assert_outcomes(failed=1)
    blocked.stdout.fnmatch_lines([f"*NetworkBlocked: network access is blocked*127.0.0.1 port {server}*"])
    allowed = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--block-network", "--allowed-hosts=127.0.0.1"
    )
    # The server never answers: a reached host shows as a read timeout or a closed connection.
    assert "NetworkBlocked" not in allowed.stdout.str()
    free = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert "NetworkBlocked" not in free.stdout.str()


def test_a_guard_refuses_its_hosts_by_name_with_its_own_message_while_recording_too() -> None:
    from assistant_harness.cassettes.network import guard_hosts, network_allowed

    with guard_hosts(("guarded.invalid",), "forgot the fake", "needs a real key"):
        with pytest.raises(NetworkBlocked, match=r"^forgot the fake$"):
            socket.getaddrinfo("guarded.invalid", 443)
        with pytest.raises(NetworkBlocked, match=r"^forgot the fake$"):
            httpx.get("https://guarded.invalid/v1/models")
        with network_allowed(), pytest.raises(NetworkBlocked, match=r"^needs a real key$"):
            socket.getaddrinfo(b"guarded.invalid", 443)
        assert socket.getaddrinfo("127.0.0.1", 80)  # other hosts are looked up as ever
