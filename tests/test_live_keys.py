"""cassettes/live_keys: a live request's key, cached by URL and body, is the key of the same request
recorded and redacted; secrets in it are redacted on every call, cached or not."""

from __future__ import annotations

import json

import pytest

from assistant_harness.cassettes.format import Body, Interaction
from assistant_harness.cassettes.live_keys import CACHED_BODY_BYTES, live_key
from assistant_harness.cassettes.matching import interaction_key
from assistant_harness.cassettes.redaction import redact_all

KEY = "sk-proj-" + "Z" * 48
CASES = [
    ("GET", "https://api.openai.com/v1/threads/t/runs/r?limit=2&api_key=" + KEY, "", b""),
    ("POST", "https://api.openai.com/v1/responses", "application/json", json.dumps({"input": KEY}).encode()),
    ("POST", "https://h.example/v1/x", "application/json", b'{"b":1,"a":null,"stream":false}'),
    (
        "POST",
        "https://h.example/v1/files",
        "multipart/form-data; boundary=B",
        b'--B\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--B--\r\n',
    ),
    (
        "POST",
        "https://h.example/v1/x",
        "application/json",
        json.dumps({"big": "x" * CACHED_BODY_BYTES}).encode(),
    ),
]


def recorded_key(method: str, url: str, content_type: str, body: bytes) -> object:
    headers = {"content-type": content_type} if content_type else {}
    live = Interaction(method, url, headers, Body.decode(body, content_type), 0, {}, Body("empty"))
    return interaction_key(redact_all([live], ())[0])


@pytest.mark.parametrize(("method", "url", "content_type", "body"), CASES)
def test_the_live_key_is_the_recorded_and_redacted_key(
    method: str, url: str, content_type: str, body: bytes
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    expected = recorded_key(method, url, content_type, body)
    for _ in range(2):  # computed, then from the cache
        key = live_key(method, url, headers, body)
        assert key == expected and key.url == expected.url  # type: ignore[attr-defined]
        assert KEY not in key.url and KEY not in key.body
