"""http/messages: the one request conversion, strict JSON bodies, and JSON responses."""

from __future__ import annotations

import json

import pytest

from assistant_harness.http.messages import (
    MAX_DEPTH,
    ApiRequest,
    MalformedRequest,
    decoded_headers,
    exact_bytes,
    json_response,
    parse_json,
    request_from,
)


def test_request_from_splits_decodes_and_lowercases() -> None:
    request = request_from(
        "GET",
        "/v1/threads/thread%201/messages?limit=5&order=asc&after=&x=%E2%9C%93",
        "/v1",
        decoded_headers([(b"Authorization", b"Bearer k"), (b"OpenAI-Beta", b"assistants=v2")]),
        b"",
        url="https://api.openai.com/v1/threads/thread%201/messages",
        read_timeout=7.0,
    )
    assert request.method == "GET" and request.path == "/threads/thread 1/messages"
    assert request.query == {"limit": "5", "order": "asc", "after": "", "x": "✓"}
    assert request.headers == {"authorization": "Bearer k", "openai-beta": "assistants=v2"}
    assert request.read_timeout == 7.0


def test_request_from_never_makes_surrogates_or_fails_on_odd_bytes() -> None:
    request = request_from(
        "GET", "/v1/files/%ED%A0%80?after=%ff", "/v1", decoded_headers([(b"x-odd", b"\xff")]), b"", url="u"
    )
    assert request.path == "/files/\ufffd\ufffd\ufffd" and request.query == {"after": "\ufffd"}
    assert request.headers["x-odd"] == "ÿ"  # header bytes are latin-1, as HTTP says
    request.path.encode("utf-8")  # no lone surrogate anywhere


def test_the_base_path_alone_is_the_root() -> None:
    assert request_from("GET", "/v1", "/v1", {}, b"", url="u").path == "/"


def test_an_empty_body_is_an_empty_object() -> None:
    assert ApiRequest("POST", "/threads", {}, {}, b"").json() == {}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"\xff",
        '{"a":"é"}'.encode("latin-1"),
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":-Infinity}',
        b'{"a":1e999}',
        b'{"a":' + b"9" * 5000 + b"}",
        b'{"a":"\\ud800"}',
        b'{"\\udfff":1}',
        b'["\\ud83d"]',
    ],
)
def test_bodies_that_are_not_strict_json_text_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedRequest, match="We could not parse the JSON body"):
        parse_json(body)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 5000, 100_000])
def test_nesting_past_the_limit_is_malformed(depth: int) -> None:
    with pytest.raises(MalformedRequest, match=f"more than {MAX_DEPTH} levels deep"):
        parse_json(b"[" * depth + b"]" * depth)


def test_what_real_clients_send_is_accepted() -> None:
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert parse_json(b'{"name":"\\ud83d\\ude00","t":0.5,"n":10000000000000000000000}') == {
        "name": "😀",
        "t": 0.5,
        "n": 10**22,
    }
    # Many brackets inside strings, shallow structure: accepted (the walk is only a double check).
    assert parse_json(json.dumps({"a": "[" * 500}).encode())["a"] == "[" * 500


def test_json_response_is_compact_utf8_and_keeps_key_order() -> None:
    response = json_response(201, {"b": 1, "a": "é"}, {"x-request-id": "r"})
    assert response.content == '{"b":1,"a":"é"}'.encode()
    assert response.headers == {"content-type": "application/json", "x-request-id": "r"}
    assert response.parts() == [response.content]


@pytest.mark.parametrize(
    "payload",
    [
        {"a": 1.0, "b": 1e16, "c": -0.0, "d": 12345678901234567890, "e": [True, False, None]},
        {"text": 'café ☕ \u2028 \x00 "quoted" \\ back', "nested": {"deep": [{"x": [1, [2, [3]]]}]}},
        ["a list", 1, 2.5],
        "a string",
        {},
    ],
)
def test_json_response_bytes_are_the_standard_encoders(payload: object) -> None:
    """The reused C encoder writes exactly what ``json.dumps`` with the same options writes."""
    expected = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert json_response(200, payload).content == expected


def test_exact_bytes_tell_apart_what_equality_does_not() -> None:
    assert exact_bytes({"a": 1, "b": [None, "x"]}) == exact_bytes({"a": 1, "b": [None, "x"]})
    assert len({exact_bytes({"t": 1}), exact_bytes({"t": 1.0}), exact_bytes({"t": True})}) == 3
    assert exact_bytes({"a": 1, "b": 2}) != exact_bytes({"b": 2, "a": 1})

    class Name(str):
        pass

    assert exact_bytes({"name": Name("x")}) is None  # a local class cannot be pickled: the caller encodes
