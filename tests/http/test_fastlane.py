"""http/fastlane: lanes in front of httpcore, newest first, unpatched when the last one closes; a lane
that answers at the transport (a fake's) is asked there, above httpcore, when nothing sits between."""

from __future__ import annotations

import functools
from typing import Any
from unittest import mock

import httpcore
import httpx
import pytest

from assistant_harness.http import fastlane
from assistant_harness.http.faults import BROKEN, Chunks
from assistant_harness.http.messages import ApiResponse


class Lane:
    """Answers its host with its name; records what it saw."""

    def __init__(self, host: str, name: str, passes: bool = False) -> None:
        self.host, self.name, self.passes = host, name, passes
        self.seen: list[Any] = []

    def claims(self, scheme: str, host: str, port: int, path: str) -> bool:
        return host == self.host

    def handle(self, core: Any, request: Any, body: bytes, send: fastlane.Send) -> Any:
        api_request = fastlane.to_api_request(request, "/v1", body)
        self.seen.append(api_request)
        if self.passes:
            return send(request)  # on down the chain
        return fastlane.to_core_response(core, ApiResponse(200, self.name.encode(), {"x-lane": self.name}))

    async def handle_async(self, core: Any, request: Any, body: bytes, send: fastlane.AsyncSend) -> Any:
        return self.handle(core, request, body, send)


class TransportLane(Lane):
    """A lane that also answers httpx requests at the transport, as a fake's lane does."""

    def __init__(self, host: str, name: str) -> None:
        super().__init__(host, name)
        self.answered: list[Any] = []

    def answer(self, module: Any, request: Any, spot: tuple[str, str, int, str]) -> Any:
        self.answered.append(request.content)  # read: the wrapper reads a streamed body first
        return module.Response(200, content=self.name.encode(), headers={"x-lane": self.name})


@pytest.fixture
def lanes() -> Any:
    opened: list[Lane] = []

    def open_(lane: Lane) -> Lane:
        fastlane.open_lane(lane)
        opened.append(lane)
        return lane

    yield open_
    for lane in opened:
        fastlane.close_lane(lane)


def test_the_newest_lane_that_claims_answers(lanes: Any) -> None:
    older = lanes(Lane("a.test", "older"))
    newer = lanes(Lane("a.test", "newer"))
    other = lanes(Lane("b.test", "other"))
    assert httpx.get("https://a.test/v1/x").text == "newer"
    assert httpx.get("https://b.test/v1/x").text == "other"
    assert older.seen == [] and len(newer.seen) == 1 and len(other.seen) == 1


def test_a_lane_can_send_the_request_on_to_an_older_one(lanes: Any) -> None:
    older = lanes(Lane("a.test", "older"))
    newer = lanes(Lane("a.test", "newer", passes=True))
    assert httpx.get("https://a.test/v1/pass").text == "older"
    assert [r.path for r in older.seen] == [r.path for r in newer.seen] == ["/pass"]


def test_the_request_reaches_the_lane_converted(lanes: Any) -> None:
    lane = lanes(Lane("a.test", "x"))
    httpx.post(
        "https://a.test/v1/threads/t%201/runs?limit=2",
        content=b'{"a":1}',
        headers={"Authorization": "Bearer k"},
        timeout=httpx.Timeout(5, read=9),
    )
    request = lane.seen[0]
    assert (request.method, request.path, request.query, request.body) == (
        "POST",
        "/threads/t 1/runs",
        {"limit": "2"},
        b'{"a":1}',
    )
    assert request.headers["authorization"] == "Bearer k" and request.read_timeout == 9
    assert request.url == "https://a.test/v1/threads/t%201/runs?limit=2"
    httpx.get("http://a.test:8080/v1/x")
    assert lane.seen[1].url == "http://a.test:8080/v1/x"  # as the transport's answer names it


async def test_async_clients_take_the_lane_too(lanes: Any) -> None:
    lanes(Lane("a.test", "async"))
    async with httpx.AsyncClient() as client:
        assert (await client.get("https://a.test/v1/x")).headers["x-lane"] == "async"


def test_the_patch_comes_off_with_the_last_lane() -> None:
    original = httpcore.ConnectionPool.__dict__["handle_request"]
    first, second = Lane("a.test", "1"), Lane("a.test", "2")
    fastlane.open_lane(first)
    fastlane.open_lane(second)
    assert httpcore.ConnectionPool.__dict__["handle_request"] is not original
    fastlane.close_lane(first)
    assert httpcore.ConnectionPool.__dict__["handle_request"] is not original  # one lane still open
    fastlane.close_lane(second)
    assert httpcore.ConnectionPool.__dict__["handle_request"] is original


def test_a_stream_breaks_after_the_chunks_a_fault_allows() -> None:
    response = ApiResponse(200, b"", chunks=[b"a", b"b", b"c"], broken_after=2)
    core = fastlane.to_core_response(httpcore, response)
    received = []
    with pytest.raises(httpcore.ReadError, match="fault injected"):  # noqa: PT012
        for chunk in core.stream:
            received.append(chunk)
    assert received == [b"a", b"b"]
    assert "peer closed connection" in BROKEN


def test_chunks_pause_before_each_one_and_read_async() -> None:
    import asyncio

    pauses: list[int] = []
    chunks = Chunks([b"a", b"b"], before_chunk=lambda: pauses.append(1))

    async def read() -> list[bytes]:
        return [chunk async for chunk in chunks]

    assert asyncio.run(read()) == [b"a", b"b"] and pauses == [1, 1]


def test_a_lane_that_answers_at_the_transport_is_asked_there(lanes: Any) -> None:
    lane = lanes(TransportLane("a.test", "top"))
    response = httpx.post("https://a.test/v1/files", files={"file": ("a.txt", b"hello")})
    assert response.text == "top" and lane.seen == []  # httpcore never saw it
    assert b"hello" in lane.answered[0]  # the multipart body was read before the lane got it


async def test_async_transports_ask_it_there_too(lanes: Any) -> None:
    lane = lanes(TransportLane("a.test", "async top"))
    async with httpx.AsyncClient() as client:
        assert (await client.post("https://a.test/v1/x", content=b"{}")).text == "async top"
    assert lane.answered == [b"{}"] and lane.seen == []


def test_a_newer_lane_on_the_wire_still_comes_first(lanes: Any) -> None:
    fake = lanes(TransportLane("a.test", "fake"))
    cassette = lanes(Lane("a.test", "cassette", passes=True))
    assert httpx.get("https://a.test/v1/x").text == "fake"  # passed on down to the fake, at httpcore
    assert len(cassette.seen) == 1 and len(fake.seen) == 1 and fake.answered == []


@pytest.mark.parametrize("wraps", [False, True], ids=["plain", "functools.wraps"])
def test_a_patch_between_the_transport_and_the_lane_sees_the_request(
    lanes: Any, monkeypatch: pytest.MonkeyPatch, wraps: bool
) -> None:
    """A patch over the pool made after the lane opened; one made with ``functools.wraps`` copies the
    wrapper's ``__dict__`` but not its code, and must not pass for it."""
    lane = lanes(TransportLane("a.test", "fake"))
    ours = httpcore.ConnectionPool.__dict__["handle_request"]
    seen: list[Any] = []

    def in_between(self: Any, request: Any) -> Any:
        seen.append(request)
        return ours(self, request)

    spy = functools.wraps(ours)(in_between) if wraps else in_between
    monkeypatch.setattr(httpcore.ConnectionPool, "handle_request", spy)
    assert httpx.get("https://a.test/v1/x").text == "fake"
    assert len(seen) == 1 and len(lane.seen) == 1 and lane.answered == []


def test_a_mock_over_the_pool_sees_the_request(lanes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    lanes(TransportLane("a.test", "fake"))
    refusing = mock.MagicMock(side_effect=httpcore.ConnectError)  # it has every attribute one asks for
    monkeypatch.setattr(httpcore.ConnectionPool, "handle_request", refusing)
    with pytest.raises(httpx.ConnectError):
        httpx.get("https://a.test/v1/x")
    assert refusing.call_count == 1


def test_a_transport_patch_made_before_the_lanes_runs(lanes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """As vcrpy's cassette opened around a fake: its stub still records or replays the request."""
    native = httpx.HTTPTransport.handle_request
    seen: list[Any] = []

    def stub(self: Any, request: Any) -> Any:
        seen.append(request)
        return native(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", stub)
    lane = lanes(TransportLane("a.test", "fake"))
    assert httpx.get("https://a.test/v1/x").text == "fake"
    assert len(seen) == 1 and len(lane.seen) == 1 and lane.answered == []  # answered at httpcore


def test_the_transport_gives_lanes_the_host_as_the_wire_has_it() -> None:
    request = httpx.Request("GET", "https://bücher.example/v1/x?a=1")
    assert fastlane.transport_where(request) == ("https", "xn--bcher-kva.example", 443, "/v1/x")


def test_the_transport_patch_comes_off_with_the_last_lane() -> None:
    original = httpx.HTTPTransport.__dict__["handle_request"]
    lane = TransportLane("a.test", "x")
    fastlane.open_lane(lane)
    assert httpx.HTTPTransport.__dict__["handle_request"] is not original
    fastlane.close_lane(lane)
    assert httpx.HTTPTransport.__dict__["handle_request"] is original
