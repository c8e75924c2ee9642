"""Fault translation, one for every adapter: what a firing rule does to a request and its answer.

The backend picks the rule (:mod:`assistant_harness.engine.faults`); this module applies it:
latency first, then an HTTP error answer or a :class:`TransportFault` (connect error, read
timeout), and for streamed answers an error event, a dropped connection or gaps between events.
Each adapter (fast lane, respx, MockTransport, ASGI) then only maps a :class:`TransportFault` and a
broken :class:`Chunks` body to its own exceptions or socket behaviour.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ..engine.faults import (
    CONNECT,
    READ_TIMEOUT,
    STREAM_DROP,
    STREAM_END,
    STREAM_ERROR,
    Fault,
    TransportFault,
)
from .messages import ApiRequest, ApiResponse, json_response

#: What a client reads when a drop fault breaks a stream.
BROKEN = "peer closed connection without sending complete message body (fault injected by assistant-harness)"
#: The message of a stream's error event when the rule gives none.
STREAM_FAILED = "The server had an error while processing your request. Sorry about that!"

Pause = Callable[[float], None]


def before_answer(
    fault: Fault, request: ApiRequest, pause: Pause, headers: dict[str, str]
) -> ApiResponse | None:
    """Apply a request fault: wait its latency, then raise its transport fault or answer its HTTP
    error (with ``headers``); ``None`` when only latency was asked for (the request goes on)."""
    latency = fault.latency
    if latency is None and fault.error == READ_TIMEOUT:
        latency = request.read_timeout or 0.0
    if latency:
        pause(latency)
    if fault.error is not None:
        raise fault.transport_fault()
    if fault.status is None:
        return None
    status, body, extra = fault.error_answer()
    headers.update(extra)
    return json_response(status, body, headers)


def break_stream(
    response: ApiResponse, fault: Fault, error_event: Callable[[str], bytes], pause: Pause
) -> ApiResponse:
    """Apply a stream fault to a streamed answer: an error event after ``after_events`` events (in
    the API's own event format, from ``error_event``), the connection dropped there, the stream
    ended there cleanly (``end``), or a pause before every event."""
    chunks = list(response.chunks or [])
    keep = fault.after_events
    if fault.stream == STREAM_ERROR:
        chunks = [*chunks[:keep], error_event(fault.message or STREAM_FAILED)]
        return ApiResponse(response.status, b"".join(chunks), response.headers, chunks=chunks)
    if fault.stream == STREAM_END:  # a clean early end: no error, no final event
        kept = chunks[:keep]
        return ApiResponse(response.status, b"".join(kept), response.headers, chunks=kept)
    if fault.stream == STREAM_DROP:
        return ApiResponse(
            response.status, b"".join(chunks[:keep]), response.headers, chunks=chunks, broken_after=keep
        )
    gap = fault.latency or 0.0  # slow: time passes before each event reaches the client
    return ApiResponse(
        response.status, response.content, response.headers, chunks=chunks, before_chunk=lambda: pause(gap)
    )


def transport_error(
    fault: TransportFault,
    connect: Callable[[str], BaseException],
    read_timeout: Callable[[str], BaseException],
) -> BaseException:
    """``fault`` as an adapter's own exception (its connect error or read timeout)."""
    return (connect if fault.kind == CONNECT else read_timeout)(str(fault))


class Chunks:
    """A response body delivered as separate chunks (an event stream), sync or async.

    With ``broken_after``, the connection breaks after that many chunks: ``error()`` is raised.
    ``before_chunk`` runs before each chunk is handed over (a slow stream's pause).
    """

    def __init__(
        self,
        chunks: list[bytes],
        broken_after: int | None = None,
        error: Callable[[], BaseException] | None = None,
        before_chunk: Callable[[], None] | None = None,
    ) -> None:
        self.chunks = chunks
        self.broken_after = broken_after
        self.error = error
        self.before_chunk = before_chunk

    @classmethod
    def of(cls, response: ApiResponse, error: Callable[[], BaseException]) -> Chunks:
        return cls(response.parts(), response.broken_after, error, response.before_chunk)

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            self._check(index)
            if self.before_chunk is not None:
                self.before_chunk()
            yield chunk
        self._check(len(self.chunks))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk

    def _check(self, index: int) -> None:
        if self.broken_after is not None and index >= self.broken_after and self.error is not None:
            raise self.error()


@functools.cache
def stream_class(module: Any) -> Any:
    """:class:`Chunks` as a body stream of ``module`` (httpx or httpx2), for sync and async clients."""

    class ChunkStream(Chunks, module.SyncByteStream, module.AsyncByteStream):  # type: ignore[misc]
        pass

    return ChunkStream
