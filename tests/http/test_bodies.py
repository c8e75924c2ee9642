"""http/bodies: an answer whose body is read in one step ends where httpx's own read leaves it."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import pickle
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from assistant_harness import FakeAssistants
from assistant_harness.http.bodies import _keeps_headers_as_expected, complete_response, known_body_class
from assistant_harness.http.transports import HAS_HTTPX2, httpx_module_for_openai

MODULES = ["httpx", "httpx2"] if HAS_HTTPX2 else ["httpx"]
BODY = b'{"id":"asst_1","object":"assistant"}'
HEADERS = {"content-type": "application/json", "content-length": str(len(BODY))}


def _plain(module: Any) -> Any:
    return module.Response(200, headers=HEADERS, stream=module.ByteStream(BODY))


def _known(module: Any) -> Any:
    return complete_response(module, 200, HEADERS, BODY)


def _outcome(step: Callable[[], Any]) -> Any:
    try:
        return step()
    except Exception as error:  # the same error type from both, as from httpx itself
        return type(error)


def _state(response: Any) -> tuple[Any, ...]:
    elapsed = _outcome(lambda: response.elapsed)
    return (
        _outcome(lambda: response.content),
        response.is_closed,
        response.is_stream_consumed,
        response.num_bytes_downloaded,
        type(elapsed) if isinstance(elapsed, datetime.timedelta) else elapsed,
    )


def _read_then_read(response: Any) -> Any:
    return [response.read(), response.read()]


def _iterate_then_read(response: Any) -> Any:
    return [b"".join(response.iter_bytes()), _outcome(response.read)]


def _raw_then_read(response: Any) -> Any:
    return [b"".join(response.iter_raw()), _outcome(response.read)]


def _close_then_read(response: Any) -> Any:
    response.close()
    return _outcome(response.read)


STEPS = {
    "sent, read by the client": None,
    "streamed, read twice": _read_then_read,
    "streamed, iter_bytes then read": _iterate_then_read,
    "streamed, iter_raw then read": _raw_then_read,
    "streamed, closed then read": _close_then_read,
}


@pytest.mark.parametrize("module_name", MODULES)
@pytest.mark.parametrize("steps", list(STEPS))
def test_every_way_of_reading_ends_as_with_a_plain_response(module_name: str, steps: str) -> None:
    module = importlib.import_module(module_name)
    seen = []
    for make in (_plain, _known):
        client = module.Client(transport=module.MockTransport(lambda _, make=make: make(module)))
        step = STEPS[steps]
        response = client.send(client.build_request("GET", "https://x.test/"), stream=step is not None)
        outcome = step(response) if step is not None else None
        seen.append((outcome, _state(response), type(response)))
    (plain_outcome, plain_state, _), (known_outcome, known_state, known_type) = seen
    assert known_type is known_body_class(module)
    assert known_outcome == plain_outcome
    assert known_state == plain_state


@pytest.mark.parametrize("module_name", MODULES)
@pytest.mark.parametrize("stream", [False, True])
def test_an_async_read_ends_as_with_a_plain_response(module_name: str, stream: bool) -> None:
    module = importlib.import_module(module_name)

    async def state_of(make: Callable[[Any], Any]) -> tuple[Any, ...]:
        async with module.AsyncClient(transport=module.MockTransport(lambda _: make(module))) as client:
            response = await client.send(client.build_request("GET", "https://x.test/"), stream=stream)
            assert await response.aread() == BODY
            return _state(response)

    assert asyncio.run(state_of(_known)) == asyncio.run(state_of(_plain))


def test_the_fake_answers_through_it_and_the_sdk_sees_a_read_closed_response() -> None:
    fake = FakeAssistants()
    raw = fake.client().beta.assistants.with_raw_response.create(model="gpt-4o")
    module = httpx_module_for_openai()
    assert type(raw.http_response) is known_body_class(module)
    assert raw.parse().model == "gpt-4o"
    assert raw.http_response.is_closed and raw.http_response.is_stream_consumed
    assert isinstance(raw.elapsed, datetime.timedelta)
    assert raw.http_response.num_bytes_downloaded == len(raw.content) > 0


@pytest.mark.parametrize("module_name", MODULES)
def test_a_read_response_pickles_as_a_plain_one_does(module_name: str) -> None:
    module = importlib.import_module(module_name)
    client = module.Client(transport=module.MockTransport(lambda _: _known(module)))
    response = client.get("https://x.test/")
    again = pickle.loads(pickle.dumps(response))
    assert type(again) is known_body_class(module)
    assert (again.content, again.is_closed, again.read()) == (BODY, True, BODY)


@pytest.mark.parametrize("module_name", MODULES)
def test_a_stream_a_transport_wrapper_replaced_is_the_one_read(module_name: str) -> None:
    module = importlib.import_module(module_name)

    class Rewriting(module.SyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __iter__(self) -> Any:
            for chunk in self.inner:
                yield chunk.replace(b"asst_1", b"asst_2")

    def wrapped(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def handler(_: Any) -> Any:
            response = make(module)
            response.stream = Rewriting(response.stream)
            return response

        return handler

    for make in (_plain, _known):
        client = module.Client(transport=module.MockTransport(wrapped(make)))
        assert client.get("https://x.test/").content == BODY.replace(b"asst_1", b"asst_2")


@pytest.mark.parametrize("module_name", MODULES)
def test_a_sync_read_of_an_async_clients_response_fails_as_httpx_does(module_name: str) -> None:
    module = importlib.import_module(module_name)

    async def sync_read_of(make: Callable[[Any], Any]) -> tuple[Any, ...]:
        async with module.AsyncClient(transport=module.MockTransport(lambda _: make(module))) as client:
            response = await client.send(client.build_request("GET", "https://x.test/"), stream=True)
            failed = _outcome(response.read)
            state = (failed, str(_message_of(response.read)), *_state(response))
            await response.aclose()
            return state

    assert asyncio.run(sync_read_of(_known)) == asyncio.run(sync_read_of(_plain))


def _message_of(step: Callable[[], Any]) -> str:
    try:
        step()
    except Exception as error:
        return str(error)
    return "no error"


HEADER_SETS = {
    "the fake's own": {"content-type": "application/json", "x-request-id": "req_1", "content-length": "2"},
    "names in mixed case": {"Retry-After": "3", "X-Should-Retry": "true"},
    "a value not ASCII": {"x-note": "café"},
    "a name not ASCII": {"x-café": "1"},
    "bytes": {b"x-note": b"caf\xc3\xa9"},
    "pairs": [("x-a", "1"), ("x-a", "2")],
    "none": None,
}


def _headers_of(make: Callable[[], Any]) -> Any:
    try:
        headers = make().headers
    except Exception as error:  # httpx's own error for headers it refuses, from both
        return type(error), str(error)
    return headers._list, headers.encoding, headers.raw, list(headers.multi_items()), headers.get("x-note")


@pytest.mark.parametrize("module_name", MODULES)
@pytest.mark.parametrize("given", list(HEADER_SETS))
def test_headers_are_kept_as_httpx_keeps_them(module_name: str, given: str) -> None:
    module = importlib.import_module(module_name)
    headers = HEADER_SETS[given]
    plain = _headers_of(lambda: module.Response(200, headers=headers, stream=module.ByteStream(BODY)))
    known = _headers_of(lambda: complete_response(module, 200, headers, BODY))
    assert known == plain


def test_an_httpx_that_keeps_headers_otherwise_is_given_them_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class KeptOtherwise:
        def __init__(self, headers: Any = None) -> None:
            self.pairs = dict(headers or {})

    assert _keeps_headers_as_expected(SimpleNamespace(Headers=KeptOtherwise)) is False
    module = httpx_module_for_openai()
    monkeypatch.setattr(known_body_class(module), "_fills_headers", False)

    def not_to_be_called(_: Any) -> None:
        raise AssertionError("headers filled in although Headers keeps them otherwise")

    monkeypatch.setattr("assistant_harness.http.bodies._ascii_header_list", not_to_be_called)
    headers = HEADER_SETS["the fake's own"]
    plain = _headers_of(lambda: module.Response(200, headers=headers, stream=module.ByteStream(BODY)))
    assert (
        _headers_of(lambda: complete_response(module, 200, headers, BODY, client_reads_first=True)) == plain
    )


@pytest.mark.parametrize("module_name", MODULES)
def test_headers_take_a_write_before_the_first_read_as_httpx_does(module_name: str) -> None:
    """A transport wrapper may add a header before the client reads any (so the encoding is not set yet)."""
    module = importlib.import_module(module_name)
    plain = module.Response(200, headers=HEADERS, stream=module.ByteStream(BODY))
    known = complete_response(module, 200, HEADERS, BODY)
    for response in (plain, known):
        response.headers["x-added"] = "café"
    assert (
        known.headers.raw == plain.headers.raw and known.headers.encoding == plain.headers.encoding == "utf-8"
    )
    assert known.headers["x-added"] == plain.headers["x-added"] == "café"


@pytest.mark.parametrize("module_name", MODULES)
def test_an_answer_the_client_reads_first_has_the_encoding_its_first_lookup_finds(module_name: str) -> None:
    module = importlib.import_module(module_name)
    known = complete_response(module, 200, HEADERS, BODY, client_reads_first=True)
    assert known.headers._encoding == "ascii"
    assert complete_response(module, 200, HEADERS, BODY).headers._encoding is None
    plain = module.Response(200, headers=HEADERS, stream=module.ByteStream(BODY))
    assert plain.headers.encoding == "ascii" and known.headers.raw == plain.headers.raw


STATUSES = [200, 201, 404, 413, 414, 416, 422, 429, 500, 599]


@pytest.mark.parametrize("first", MODULES)
@pytest.mark.parametrize("status", STATUSES)
def test_it_says_what_an_http_1_1_answer_of_each_library_says_of_itself(first: str, status: int) -> None:
    """httpx and httpx2 name 413, 414, 416 and 422 differently: each answer has its own library's phrase,
    whichever library answered the status first."""
    for module_name in [first, *(m for m in MODULES if m != first)]:
        module = importlib.import_module(module_name)
        plain = module.Response(status, headers=HEADERS, stream=module.ByteStream(BODY))
        known = complete_response(module, status, HEADERS, BODY)
        assert (known.http_version, known.reason_phrase) == (plain.http_version, plain.reason_phrase)
        phrase = plain.reason_phrase.encode()
        assert known.extensions == {"http_version": b"HTTP/1.1", "reason_phrase": phrase}


def test_each_answer_is_given_an_extensions_dict_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx before 0.28 keeps the dict it is given: a test changing one answer's must not change the next."""
    module = httpx_module_for_openai()
    made = known_body_class(module)
    given: list[Any] = []
    init = made.__init__

    def spying(self: Any, *args: Any, **kwargs: Any) -> None:
        given.append(kwargs.get("extensions"))
        init(self, *args, **kwargs)

    monkeypatch.setattr(made, "__init__", spying)
    complete_response(module, 200, HEADERS, BODY)
    complete_response(module, 200, HEADERS, BODY)
    assert len(given) == 2 and given[0] == given[1] and given[0] is not given[1]


def test_a_hook_wrapped_around_the_clients_transport_may_write_a_header_before_the_client_reads() -> None:
    """OpenTelemetry's ``instrument_client`` (and logfire) wrap the client's own transport in place; a
    response hook there runs before the client's first lookup, and a non-ASCII value is taken as UTF-8."""
    fake = FakeAssistants()
    client = fake.client()
    transport = client._client._transport
    unwrapped = client.beta.assistants.with_raw_response.list().http_response
    assert unwrapped.headers._encoding == "ascii"  # nothing wraps it: set up front
    inner = transport.handle_request

    def wrapped(request: Any) -> Any:
        response = inner(request)
        response.headers["x-trace-note"] = "café"
        return response

    transport.handle_request = wrapped
    answered = client.beta.assistants.with_raw_response.list().http_response
    assert answered.headers["x-trace-note"] == "café" and answered.headers.encoding == "utf-8"

    async def wrapped_async_answer() -> Any:
        async_client = fake.async_client()
        async_transport = async_client._client._transport
        inner_async = async_transport.handle_async_request

        async def wrapped_async(request: Any) -> Any:
            response = await inner_async(request)
            response.headers["x-trace-note"] = "café"
            return response

        async_transport.handle_async_request = wrapped_async
        raw = await async_client.beta.assistants.with_raw_response.list()
        return raw.http_response

    assert asyncio.run(wrapped_async_answer()).headers["x-trace-note"] == "café"
