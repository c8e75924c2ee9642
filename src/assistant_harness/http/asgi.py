"""``assistant-harness serve``: the fake backend as a real HTTP server (ASGI, run by uvicorn).

Any client (curl, other SDKs, another process) can use it, and it is the upstream for recording
tests: record against it over real sockets, replay offline, compare. Runs progress in real time
(times ``speed``), since the clients' sleeps cannot be made virtual from here.

Faults apply as on the other adapters, over the socket: latency and slow streams really wait; a
dropped stream closes the connection mid-body; a connect error or a read timeout closes it before
any body (after holding it, for a read timeout, until the client gives up). Nothing a client sends
is answered 500: hang detection is off unless asked for, and when it fires the answer is a 422
labelled ``hang_detected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from ..engine.faults import READ_TIMEOUT, TransportFault
from ..errors import CassetteMismatch, HangDetected, HarnessInterrupt
from . import azure
from .faults import Chunks
from .messages import ApiRequest, ApiResponse, decoded_headers, json_response, request_from
from .routing import UnservedEndpoint

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Backend(Protocol):
    def handle(self, request: ApiRequest) -> ApiResponse: ...


#: Answers a request outside the API (``serve``'s control API), given the caller's socket address.
Control = Callable[[ApiRequest, "str | None"], ApiResponse]


#: How long (real seconds) a read-timeout fault holds a connection open if the client never gives up.
HOLD_LIMIT = 600.0


class _Dropped(Exception):
    """A fault breaks the connection: the response is left incomplete (the server closes it)."""


class ServeApp:
    """An ASGI application answering ``{base_path}/...`` from ``handle`` (a :class:`Backend`'s), each
    of ``also_serve``'s path prefixes (a gateway's, like ``/openai/v1``) the same way, Azure OpenAI's
    ``/openai/...`` paths (deployments, api-version, ``api-key``) as Azure does, and
    ``{control_path}/...`` from ``control`` if given."""

    def __init__(
        self,
        backend: Backend,
        base_path: str = "/v1",
        *,
        hold_limit: float = HOLD_LIMIT,
        also_serve: Sequence[str] = (),
        control: Control | None = None,
        control_path: str = "/__harness",
        on_shutdown: Callable[[], object] | None = None,
    ) -> None:
        self.backend = backend
        self.base_path = base_path.rstrip("/")
        self.prefixes = [self.base_path, *(prefix.rstrip("/") for prefix in also_serve)]
        self._azure = azure.adapter(backend.handle)
        self.hold_limit = hold_limit
        self.control = control
        self.control_path = control_path.rstrip("/")
        #: Called when the server stops gracefully (uvicorn then re-raises SIGTERM: code after
        #: ``run_server`` may never run).
        self.on_shutdown = on_shutdown
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.on_shutdown is not None:
                        await asyncio.to_thread(self.on_shutdown)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            response = await asyncio.to_thread(self._answer, scope, bytes(body))
        except TransportFault as fault:
            # A server cannot refuse a connection it has accepted: it closes it with no body, which
            # the client sees as a broken connection (and the SDK retries, as for a connect error).
            await _start(send, ApiResponse(503, b"", {"content-type": "application/json"}))
            if fault.kind == READ_TIMEOUT:
                await self._hold(receive)
            return
        await _start(send, response)
        if response.chunks is None:
            await send({"type": "http.response.body", "body": response.content})
            return
        await _send_chunks(send, response)

    async def _hold(self, receive: Receive) -> None:
        """Keep the connection silent until the client gives up (its read timeout) or the limit."""

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(disconnected(), self.hold_limit)

    def _answer(self, scope: Scope, body: bytes) -> ApiResponse:
        raw_path = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        target = raw_path.decode("latin-1")
        query = scope.get("query_string", b"")
        if query:
            target += "?" + query.decode("latin-1")
        method = scope["method"]
        path = target.partition("?")[0]
        if self.control is not None and (
            path == self.control_path or path.startswith(self.control_path + "/")
        ):
            client = scope.get("client")
            request = request_from(
                method,
                target,
                self.control_path,
                decoded_headers(scope["headers"], lower_case=True),
                body,
                url=target,
            )
            with self._lock:
                return self.control(request, client[0] if client else None)
        prefix = next((p for p in self.prefixes if path == p or path.startswith(p + "/")), None)
        handle: Callable[[ApiRequest], ApiResponse] = self.backend.handle
        if prefix is None and path.startswith(azure.BASE_PATH + "/"):
            prefix, handle = azure.BASE_PATH, self._azure
        if prefix is None:
            return _invalid_url(method, path)
        headers = decoded_headers(scope["headers"], lower_case=True)
        request = request_from(method, target, prefix, headers, body, url=target)
        try:
            with self._lock:
                return handle(request)
        except UnservedEndpoint:
            return _invalid_url(method, path)
        except CassetteMismatch as error:  # a replaying proxy has no recording for this request
            return _harness_error(422, error, "cassette_mismatch")
        except HangDetected as error:
            # The client's loop, not the server, is at fault: a 4xx the SDK does not retry.
            return _harness_error(422, error, "hang_detected")
        except HarnessInterrupt as error:  # a bug in code the scenario handed the fake
            return _harness_error(500, error, type(error).__name__)


async def _start(send: Send, response: ApiResponse) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})


async def _send_chunks(send: Send, response: ApiResponse) -> None:
    """A streamed answer, one event per write; a slow stream's pauses run off the event loop, and a
    dropped stream ends without completing the body (uvicorn then closes the connection)."""
    chunks = Chunks.of(response, _Dropped)
    iterator = iter(chunks)
    while True:
        try:
            chunk = await asyncio.to_thread(next, iterator, None)
        except _Dropped:
            return
        if chunk is None:
            break
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _harness_error(status: int, error: BaseException, code: str) -> ApiResponse:
    return json_response(
        status,
        {
            "error": {
                "message": f"assistant-harness: {error}",
                "type": "harness_error",
                "param": None,
                "code": code,
            }
        },
        {"x-should-retry": "false"},
    )


def _invalid_url(method: str, path: str) -> ApiResponse:
    return json_response(
        404,
        {
            "error": {
                "message": f"Invalid URL ({method} {path})",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
    )


def run_server(app: ServeApp, host: str, port: int) -> None:
    import uvicorn

    # The fake sends its own (virtual) Date; proxy headers never decide who the caller is.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        date_header=False,
        server_header=False,
        proxy_headers=False,
    )
