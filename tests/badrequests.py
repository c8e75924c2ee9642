"""A corpus of malformed requests (issue 13, section 3), and the fake's lists to compare around it.

Each request is (label, method, path, headers, body): lone surrogates, deep nesting, bad encodings,
NaN and Infinity, huge numbers, empty and wrong-type bodies, wrong content types, odd ids and
queries, sent to every endpoint that takes them. None may be answered 5xx or change any list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

JSON = {"content-type": "application/json"}
#: The fields the corpus needs: (name, raw JSON value) pairs that are never valid JSON or content.
BAD_VALUES: tuple[tuple[str, bytes], ...] = (
    ("lone surrogate", b'"\\ud800"'),
    ("lone low surrogate", b'"a\\udfffb"'),
    ("NaN", b"NaN"),
    ("Infinity", b"Infinity"),
    ("-Infinity", b"-Infinity"),
    ("1e999", b"1e999"),
    ("-1e999", b"-1e999"),
    ("5000 digits", b"9" * 5000),
    ("nested 1000 deep", b"[" * 1000 + b"]" * 1000),
    ("nested 100 deep", b'{"a":' * 100 + b"1" + b"}" * 100),
    ("nested 10000 deep", b"[" * 10_000 + b"]" * 10_000),
)
#: Whole bodies that are not a JSON object at all.
BAD_BODIES: tuple[tuple[str, bytes], ...] = (
    ("array body", b"[]"),
    ("string body", b'"x"'),
    ("number body", b"1"),
    ("null body", b"null"),
    ("true body", b"true"),
    ("truncated JSON", b'{"model":'),
    ("latin-1 bytes", b'{"name":"caf\xe9"}'),
    ("UTF-16 body", '{"model":"gpt-4o"}'.encode("utf-16")),
    ("NUL bytes", b"\x00\x00"),
    ("form-encoded body", b"model=gpt-4o&name=x"),
    ("surrogate key", b'{"\\ud800":1}'),
    ("surrogate pair halves", b'{"name":"\\udc00\\ud800"}'),
)


@dataclass(frozen=True)
class Ids:
    assistant: str
    thread: str
    idle_thread: str
    message: str
    run: str
    step: str
    file: str
    vector_store: str
    batch: str


@dataclass(frozen=True)
class Bad:
    label: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    #: The status the API answers, where the corpus knows it exactly (else any 4xx with the error body).
    expect: int | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.label})"


def json_writes(ids: Ids) -> dict[str, tuple[str, dict[str, Any]]]:
    """A valid body for every JSON write endpoint (never sent as is; the corpus breaks each one)."""
    run = f"/threads/{ids.thread}/runs/{ids.run}"
    vs = f"/vector_stores/{ids.vector_store}"
    return {
        "assistants.create": ("/assistants", {"model": "gpt-4o", "name": "x"}),
        "assistants.update": (f"/assistants/{ids.assistant}", {"name": "x"}),
        "threads.create": ("/threads", {"messages": [{"role": "user", "content": "x"}]}),
        "threads.update": (f"/threads/{ids.thread}", {"metadata": {"a": "b"}}),
        "threads.create_and_run": ("/threads/runs", {"assistant_id": ids.assistant}),
        "messages.create": (f"/threads/{ids.idle_thread}/messages", {"role": "user", "content": "x"}),
        "messages.update": (f"/threads/{ids.thread}/messages/{ids.message}", {"metadata": {"a": "b"}}),
        "runs.create": (f"/threads/{ids.idle_thread}/runs", {"assistant_id": ids.assistant}),
        "runs.update": (run, {"metadata": {"a": "b"}}),
        "runs.submit_tool_outputs": (f"{run}/submit_tool_outputs", {"tool_outputs": []}),
        "vector_stores.create": ("/vector_stores", {"name": "x"}),
        "vector_stores.update": (vs, {"name": "x"}),
        "vector_stores.search": (f"{vs}/search", {"query": "x"}),
        "vector_stores.files.create": (f"{vs}/files", {"file_id": ids.file}),
        "vector_stores.files.update": (f"{vs}/files/{ids.file}", {"attributes": {"a": "b"}}),
        "vector_stores.file_batches.create": (f"{vs}/file_batches", {"file_ids": [ids.file]}),
    }


def _with(body: dict[str, Any], key: str, raw: bytes) -> bytes:
    """``body`` as JSON bytes with ``key`` set to the raw (possibly invalid) JSON ``raw``."""
    text = json.dumps({k: v for k, v in body.items() if k != key}).encode()
    return text[:-1] + (b", " if len(text) > 2 else b"") + json.dumps(key).encode() + b": " + raw + b"}"


def _multipart(fields: list[tuple[bytes, bytes | None, bytes]], boundary: bytes = b"b0und") -> bytes:
    out = b""
    for name, filename, content in fields:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        out += b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def corpus(ids: Ids) -> Iterator[Bad]:
    for name, (path, body) in json_writes(ids).items():
        for key in ("metadata", "name", "temperature"):
            for label, raw in BAD_VALUES:
                yield Bad(f"{name}: {key}={label}", "POST", path, JSON, _with(body, key, raw))
        for label, raw in BAD_BODIES:
            yield Bad(f"{name}: {label}", "POST", path, JSON, raw)
        # The right body with the wrong content type: multipart where JSON is expected.
        yield Bad(
            f"{name}: multipart body",
            "POST",
            path,
            {"content-type": "multipart/form-data; boundary=b0und"},
            _multipart([(b"model", None, b"gpt-4o")]),
        )
        # Huge numbers that parse: refused by the schema (or by the store) where numbers go.
        yield Bad(f"{name}: 10**400", "POST", path, JSON, _with(body, "temperature", b"1" + b"0" * 400))
    required_only = ("assistants.create", "messages.create", "runs.create", "vector_stores.files.create")
    for name in required_only:
        path = json_writes(ids)[name][0]
        yield Bad(f"{name}: empty body", "POST", path, JSON, b"")
        yield Bad(f"{name}: empty object", "POST", path, JSON, b"{}")
    yield from _uploads()
    yield from _reads(ids)


def _uploads() -> Iterator[Bad]:
    form = {"content-type": "multipart/form-data; boundary=b0und"}
    purpose = (b"purpose", None, b"assistants")
    yield Bad(
        "files.create: non-UTF-8 purpose",
        "POST",
        "/files",
        form,
        _multipart([(b"purpose", None, b"\xff\xfe"), (b"file", b"a.txt", b"x")]),
    )
    yield Bad("files.create: no file", "POST", "/files", form, _multipart([purpose]))
    yield Bad("files.create: no purpose", "POST", "/files", form, _multipart([(b"file", b"a.txt", b"x")]))
    yield Bad(
        "files.create: bad purpose",
        "POST",
        "/files",
        form,
        _multipart([(b"purpose", None, b"\xed\xa0\x80"), (b"file", b"a.txt", b"x")]),
    )
    yield Bad("files.create: JSON body", "POST", "/files", JSON, b'{"purpose":"assistants"}')
    yield Bad(
        "files.create: no boundary", "POST", "/files", {"content-type": "multipart/form-data"}, b"--x\r\n"
    )
    yield Bad("files.create: wrong boundary", "POST", "/files", form, b"--other\r\n\r\nx\r\n--other--")
    yield Bad("files.create: garbage", "POST", "/files", form, bytes(range(256)) * 4)
    yield Bad("files.create: text/plain", "POST", "/files", {"content-type": "text/plain"}, b"x")
    yield Bad("files.create: no content type", "POST", "/files", {}, b"x")


def _reads(ids: Ids) -> Iterator[Bad]:
    # (".." and "%2F" leave the route: in-process that is an UnservedEndpointError by design.)
    odd_ids = ("%00", "%ff", "%ED%A0%80", "x" * 5000, "null", "%20", "%25", "%3F")
    templates = (
        "/assistants/{}",
        "/threads/{}",
        "/threads/{}/messages",
        f"/threads/{ids.thread}/runs/{{}}",
        f"/threads/{ids.thread}/runs/{{}}/steps",
        "/files/{}",
        "/files/{}/content",
        "/vector_stores/{}",
        f"/vector_stores/{ids.vector_store}/files/{{}}",
        f"/vector_stores/{ids.vector_store}/file_batches/{{}}/files",
    )
    for template in templates:
        for odd in odd_ids:
            yield Bad(f"odd id {odd[:10]!r}", "GET", template.format(odd), {}, b"", expect=404)
    for odd in odd_ids:
        yield Bad("DELETE odd id", "DELETE", f"/assistants/{odd}", {}, b"")
        yield Bad("POST odd id", "POST", f"/assistants/{odd}", JSON, b"{}")
        yield Bad("POST odd run id", "POST", f"/threads/{ids.thread}/runs/{odd}/cancel", JSON, b"")
    lists = ("/assistants", "/files", f"/threads/{ids.thread}/messages", "/vector_stores")
    # Each with the API's answer: a bad limit or order is a 400; a cursor that names no object is an
    # empty page and an unknown parameter is ignored (both 200 with a list).
    queries = (
        ("limit=NaN", 400),
        ("limit=1e999", 400),
        ("limit=-1", 400),
        ("limit=0", 400),
        ("limit=" + "9" * 5000, 400),
        ("limit=100000", 400),
        ("limit=%ff", 400),
        ("order=%ED%A0%80", 400),
        ("after=%ED%A0%80", 200),
        ("before=%ff", 200),
        ("limit=1&limit=x", 400),
        ("%ff=%ff", 200),
    )
    for path in lists:
        for query, status in queries:
            yield Bad(f"query {query[:20]}", "GET", f"{path}?{query}", {}, b"", expect=status)


Send = Callable[[Bad], tuple[int, bytes]]


def lists(send: Callable[[str, str], tuple[int, bytes]], ids: Ids) -> dict[str, Any]:
    """Every list the fake answers (and the objects the corpus writes to), as JSON, to compare."""
    paths = [
        "/assistants?limit=100",
        f"/threads/{ids.thread}/messages?limit=100",
        f"/threads/{ids.idle_thread}/messages?limit=100",
        f"/threads/{ids.thread}/runs?limit=100",
        f"/threads/{ids.idle_thread}/runs?limit=100",
        f"/threads/{ids.thread}/runs/{ids.run}/steps?limit=100",
        "/files",
        "/vector_stores?limit=100",
        f"/vector_stores/{ids.vector_store}/files?limit=100",
        f"/vector_stores/{ids.vector_store}/file_batches/{ids.batch}/files?limit=100",
        f"/threads/{ids.thread}",
        f"/threads/{ids.idle_thread}",
        f"/threads/{ids.thread}/runs/{ids.run}",
    ]
    out = {}
    for path in paths:
        status, content = send("GET", path)
        assert status == 200, (path, content)
        out[path] = json.loads(content)
    return out
