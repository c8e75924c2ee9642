"""Hand httpx/httpx2 an answer whose whole body is already in memory, read in one step.

``Response(stream=ByteStream(body))`` makes the client read the body back through httpx's streaming
pass (two generators, a decoder, a chunker, three context managers) when the SDK calls ``read()``:
measured inside the SDK's flow, 20-45 µs a request, a quarter of what the fake adds. The fake
already holds the bytes, so ``read()``/``aread()`` take them as they are and end in the state that
pass leaves (consumed, closed, ``elapsed`` set by the client's stream on close). They do so only
while the stream is still the one given (or the client's wrapper around it) and of the kind the call
reads: a stream a transport wrapper replaced, a read of the wrong kind (sync on an async client's
response) and anything after a first read or a close go to httpx's own ``read()``, as do iterating
(``iter_bytes``, ``iter_raw``) and respx turning the response into an httpcore one.

Its headers, when every name and value is ASCII text (the fake's always are), are put in the form httpx
keeps them in one comprehension (``Headers`` normalises each pair through two function calls). Any other
headers (bytes, non-ASCII text, an httpx whose ``Headers`` keeps them otherwise) are given to ``Headers``
as usual. When the client reads the answer first (``client_reads_first``: the answer of ``fake.client()``'s
``MockTransport``, the client's own transport, while no instrumentation has wrapped its methods), they also
get the encoding httpx's first lookup would choose by decoding every header: no code runs before that
lookup. Not on the global lane, nor under such a wrapper, whose hooks may write a header first (httpx
encodes a value by the encoding already chosen, so a non-ASCII one would then fail instead of being taken
as UTF-8). A transport put in the client's place around the fake's own (through its private attributes)
is not seen.

It carries the ``http_version`` and ``reason_phrase`` extensions an HTTP/1.1 answer from the network
carries (values equal to what httpx reports without them): every client's request log reads both, and
without them each read raises and catches a ``KeyError``.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

#: The class's name here for each HTTP library: pickle finds the class by it (``__getattr__`` below).
_NAMES = {"httpx": "KnownBodyResponse", "httpx2": "KnownBodyResponse2"}
_classes: dict[str, Any] = {}
_classes_lock = threading.Lock()


def _keeps_headers_as_expected(module: Any) -> bool:
    """Whether ``module.Headers`` keeps (name, lower-case name, value) bytes in ``_list`` and the
    encoding it found in ``_encoding``, as the fast path below fills them."""
    probe = module.Headers({"Ab": "c"})
    return (
        getattr(probe, "_list", None) == [(b"Ab", b"ab", b"c")]
        and getattr(probe, "_encoding", "") is None
        and probe.encoding == "ascii"
    )


def _ascii_header_list(headers: Any) -> list[tuple[bytes, bytes, bytes]] | None:
    """``headers`` (a mapping of text) as ``Headers`` keeps them, or None unless all are ASCII text."""
    if not isinstance(headers, dict):
        return None
    try:
        return [
            (name := key.encode("ascii"), name.lower(), value.encode("ascii"))
            for key, value in headers.items()
        ]
    except (AttributeError, UnicodeEncodeError):  # bytes, or not ASCII: Headers has its own rules
        return None


def _make_class(module: Any) -> Any:
    sync_stream, async_stream = module.SyncByteStream, module.AsyncByteStream

    class KnownBodyResponse(module.Response):  # type: ignore[misc]
        #: The stream given at construction and its bytes (None: built some other way, read as usual).
        _given_stream: Any = None
        _given_body: bytes = b""
        #: Whether headers may be given in the form ``Headers`` keeps them (see the module's docstring).
        _fills_headers = _keeps_headers_as_expected(module)

        def read(self) -> bytes:
            if not self._untouched() or not isinstance(self.stream, sync_stream):
                content: bytes = super().read()  # httpx's read, or its own error
                return content
            self._take_given_body()
            self.close()
            return self._given_body

        async def aread(self) -> bytes:
            if not self._untouched() or not isinstance(self.stream, async_stream):
                acontent: bytes = await super().aread()
                return acontent
            self._take_given_body()
            await self.aclose()
            return self._given_body

        def _untouched(self) -> bool:
            """Not read, iterated or closed yet, and its stream is the given one or the client's
            wrapper of it (``_stream``: httpx's Bound*Stream; another name reads as usual)."""
            stream, given = self.stream, self._given_stream
            if given is None or "_content" in self.__dict__ or self.is_stream_consumed or self.is_closed:
                return False
            return stream is given or getattr(stream, "_stream", None) is given

        def _take_given_body(self) -> None:
            # What a full read through the stream sets (its close() sets the rest).
            self._content = self._given_body
            self.is_stream_consumed = True
            self._num_bytes_downloaded = len(self._given_body)

    KnownBodyResponse.__qualname__ = KnownBodyResponse.__name__ = _NAMES[module.__name__]
    return KnownBodyResponse


def known_body_class(module: Any) -> Any:
    """``module``'s (httpx or httpx2) ``Response`` whose ``read()`` takes a body given up front:
    one class per library, so that a pickled response names the class it was made of."""
    found = _classes.get(module.__name__)
    if found is None:
        with _classes_lock:
            found = _classes.get(module.__name__)
            if found is None:
                found = _classes[module.__name__] = _make_class(module)
    return found


def __getattr__(name: str) -> Any:
    """The class of each library by its name, made on first use (a pickled response finds it so)."""
    for module_name, class_name in _NAMES.items():
        if name == class_name:
            return known_body_class(importlib.import_module(module_name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Each library's reason phrase of each status (httpx and httpx2 differ on a few: 413, 414, 416, 422).
_phrases: dict[tuple[str, int], bytes] = {}


def _reason_phrase(module: Any, status: int) -> bytes:
    found = _phrases.get((module.__name__, status))
    if found is None:
        found = _phrases[module.__name__, status] = module.codes.get_reason_phrase(status).encode("ascii")
    return found


def complete_response(
    module: Any, status: int, headers: Any, body: bytes, *, client_reads_first: bool = False
) -> Any:
    """A ``module.Response`` of ``body`` as a stream, which a ``read()`` takes in one step.

    ``body`` is what the client reads: no ``content-encoding`` to undo (the fake never sets one;
    cassettes and serve's proxy drop it with the other wire headers). ``client_reads_first``: see the
    module's docstring."""
    stream = module.ByteStream(body)
    made = known_body_class(module)
    listed = _ascii_header_list(headers) if made._fills_headers else None
    # A dict of its own (httpx before 0.28 keeps the one it is given).
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": _reason_phrase(module, status)}
    if listed is None:
        response = made(status, headers=headers, stream=stream, extensions=extensions)
    else:
        response = made(status, stream=stream, extensions=extensions)
        kept = response.headers
        kept._list = listed
        if client_reads_first:
            kept._encoding = "ascii"
    response._given_stream, response._given_body = stream, body
    return response
