"""Transport-neutral request and response values, so one backend serves httpx, httpx2 and ASGI."""

from __future__ import annotations

import json
import math
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

#: How deep a request body may nest objects and arrays (the real API's bodies nest a handful deep;
#: far deeper ones would overflow the validator's and the encoder's recursion).
MAX_DEPTH = 64

_NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
    "was not valid JSON. If you have trouble figuring out how to fix this, please contact us "
    "through our help center at help.openai.com.)"
)

_TOO_DEEP = f"The JSON body of your request nests objects and arrays more than {MAX_DEPTH} levels deep."


class MalformedRequest(Exception):
    """The request cannot be read (not JSON, not UTF-8, nested too deep...): the API answers 400.

    Raised by the HTTP layer; the API layer renders it as its own error body.
    """

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def _finite(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # 1e999: JSON has no infinity, and the answer must be JSON
        raise ValueError(text)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity: Python's json accepts them, JSON does not


_decode = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant).decode


def parse_json(body: bytes) -> Any:
    """A request body as JSON, or :class:`MalformedRequest`: strict UTF-8, strict JSON, no lone
    surrogates, no infinities, nesting at most :data:`MAX_DEPTH` deep."""
    try:
        value = _decode(body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise MalformedRequest(_NOT_JSON) from None
    except RecursionError:  # nested deeper than the decoder goes
        raise MalformedRequest(_TOO_DEEP) from None
    # The checks below walk the value, so they run only when the bytes say they may be needed.
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise MalformedRequest(_TOO_DEEP)
    if (b"\\ud" in body or b"\\uD" in body) and not _encodable(value):
        raise MalformedRequest(_NOT_JSON)  # a lone surrogate: not text, cannot be stored or answered
    return value


def _depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests (stopping once past ``limit``), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return level
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def _encodable(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


@dataclass(slots=True)
class ApiRequest:
    """One request to the fake, with ``path`` relative to the API's base (``/threads/...``)."""

    method: str
    path: str
    query: Mapping[str, str]
    #: Header names in lower case.
    headers: Mapping[str, str]
    body: bytes
    #: The full URL, for messages.
    url: str = ""
    #: The client's read timeout in seconds, when the transport says (a read-timeout fault waits it out).
    read_timeout: float | None = None

    def json(self) -> Any:
        """The body as JSON (``{}`` when empty); :class:`MalformedRequest` when it is not."""
        if not self.body:
            return {}
        return parse_json(self.body)


def decoded_headers(pairs: Iterable[tuple[bytes, bytes]], *, lower_case: bool = False) -> dict[str, str]:
    """Header pairs as the wire has them, as a plain dict with lower-case names (httpx's Headers.get
    scans every header on each call). ``lower_case``: the names already are (ASGI's)."""
    if lower_case:
        return {k.decode("latin-1"): v.decode("latin-1") for k, v in pairs}
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in pairs}


def request_from(
    method: str,
    target: str,
    base_path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    url: str,
    read_timeout: float | None = None,
) -> ApiRequest:
    """The one conversion every adapter uses: a request as the wire has it (``target``: the
    percent-encoded path and query, under ``base_path``; ``headers``: :func:`decoded_headers`) as an
    :class:`ApiRequest`."""
    path, _, query = target.partition("?")
    path = path[len(base_path) :]
    return ApiRequest(
        method,
        (unquote(path) if "%" in path else path) or "/",
        dict(parse_qsl(query, keep_blank_values=True)) if query else {},
        headers,
        body,
        url,
        read_timeout,
    )


@dataclass(slots=True)
class ApiResponse:
    """What the fake answers: a status, headers and the encoded body."""

    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: A streamed body as the chunks the client receives (one per event); ``None``: one chunk.
    chunks: list[bytes] | None = None
    #: A fault: the connection breaks after this many chunks (``None``: it does not).
    broken_after: int | None = None
    #: A fault: called before each chunk reaches the client (a slow stream moves the clock).
    before_chunk: Callable[[], None] | None = None

    def parts(self) -> list[bytes]:
        return self.chunks if self.chunks is not None else [self.content]


def _json_encoder() -> Callable[[Any], str]:
    """Compact, non-ASCII kept, key order as built. ``JSONEncoder.encode`` builds a new C encoder
    on every call; where CPython's is there, one is built once and reused (same output)."""
    options = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return options.encode
    try:
        # No cycle check (markers None): payloads are built by the fake or parsed from JSON.
        # (markers, default, encoder, indent, key and item separators, sort_keys, skipkeys, allow_nan)
        chunks = make(
            None, options.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
        )
    except TypeError:  # another Python's signature: keep the documented path
        return options.encode
    join = "".join

    def encode(value: Any) -> str:
        return join(chunks(value, 0))

    return encode


#: ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, faster (one encoder, reused).
encode_json = _json_encoder()


def exact_bytes(value: Any) -> bytes | None:
    """``value`` pickled (protocol 5), or ``None`` when it cannot be (a local class, a lambda...). One C
    pass at a third of the JSON encoder's cost, and exact where equality is not: ``1``, ``1.0`` and
    ``True`` differ, and so do the same keys in another order and a numpy scalar and the float it equals.
    Equal bytes mean values of equal types and contents, hence equal JSON text. (``marshal``, as fast,
    writes any buffer, a numpy scalar too, as raw bytes.)"""
    try:
        return pickle.dumps(value, 5)
    except Exception:  # whatever pickling raises (PicklingError, TypeError, RecursionError...)
        return None


def json_body(payload: Any) -> bytes:
    """``payload`` as a JSON body: compact, UTF-8, key order as built (so bytes are stable run to run)."""
    return encode_json(payload).encode("utf-8")


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None, *, content: bytes | None = None
) -> ApiResponse:
    """A JSON response of ``payload`` (:func:`json_body`); ``content``: its body, already encoded."""
    if content is None:
        content = json_body(payload)
    out = {"content-type": "application/json"}
    if headers:
        out.update(headers)
    return ApiResponse(status, content, out)
