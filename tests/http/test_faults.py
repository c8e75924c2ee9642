"""http/faults: the one fault translation every adapter shares."""

from __future__ import annotations

import json

import pytest

from assistant_harness.engine.faults import Fault, TransportFault
from assistant_harness.http.faults import STREAM_FAILED, before_answer, break_stream, transport_error
from assistant_harness.http.messages import ApiRequest, ApiResponse


def _request(read_timeout: float | None = None) -> ApiRequest:
    return ApiRequest("GET", "/threads/t", {}, {}, b"", read_timeout=read_timeout)


def test_an_http_error_rule_answers_the_api_error_body_with_its_headers() -> None:
    pauses: list[float] = []
    rule = Fault(status=429, retry_after=3, should_retry=True, latency=2)
    answer = before_answer(rule, _request(), pauses.append, {"x-request-id": "r"})
    assert answer is not None and answer.status == 429 and pauses == [2]
    assert answer.headers == {
        "content-type": "application/json",
        "x-request-id": "r",
        "retry-after": "3",
        "x-should-retry": "true",
    }
    assert json.loads(answer.content)["error"]["code"] == "rate_limit_exceeded"


def test_latency_alone_lets_the_request_go_on() -> None:
    pauses: list[float] = []
    assert before_answer(Fault(latency=1.5), _request(), pauses.append, {}) is None
    assert pauses == [1.5]


@pytest.mark.parametrize(
    ("error", "timeout", "waited"), [("connect", 30.0, []), ("read_timeout", 30.0, [30.0])]
)
def test_transport_faults_raise_after_waiting(error: str, timeout: float, waited: list[float]) -> None:
    pauses: list[float] = []
    with pytest.raises(TransportFault) as caught:
        before_answer(Fault(error=error), _request(read_timeout=timeout), pauses.append, {})
    assert caught.value.kind == error and pauses == waited  # a read timeout waits the client's timeout out


def test_transport_error_picks_the_adapters_exception() -> None:
    class Connect(Exception): ...

    class Timeout(Exception): ...

    assert isinstance(transport_error(TransportFault("connect", "m"), Connect, Timeout), Connect)
    assert isinstance(transport_error(TransportFault("read_timeout", "m"), Connect, Timeout), Timeout)


STREAM = ApiResponse(200, b"abc", {"content-type": "text/event-stream"}, chunks=[b"a", b"b", b"c"])


def test_an_error_event_replaces_the_rest_of_the_stream() -> None:
    def event(message: str) -> bytes:
        return f"error:{message}".encode()

    broken = break_stream(STREAM, Fault(stream="error", after_events=1), event, lambda _: None)
    assert broken.chunks == [b"a", f"error:{STREAM_FAILED}".encode()] and broken.broken_after is None


def test_a_drop_breaks_after_the_events_it_allows() -> None:
    broken = break_stream(STREAM, Fault(stream="drop", after_events=2), bytes, lambda _: None)
    assert broken.chunks == [b"a", b"b", b"c"] and broken.broken_after == 2 and broken.content == b"ab"


def test_a_slow_stream_pauses_before_every_event() -> None:
    pauses: list[float] = []
    slow = break_stream(STREAM, Fault(stream="slow", latency=4), bytes, pauses.append)
    assert slow.before_chunk is not None
    for _ in slow.parts():
        slow.before_chunk()
    assert pauses == [4, 4, 4]
