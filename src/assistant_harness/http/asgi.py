"""``assistant-harness serve``: the fake backend as a real HTTP server (ASGI, run by uvicorn).

Any client (curl, other SDKs, another process) can use it, and it is the upstream for recording
tests: record against it over real sockets, replay offline, compare. Runs progress in real time
(times ``speed``), since the clients' sleeps cannot be made virtual from here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..backend import Backend
from ..engine.faults import TransportFault
from ..errors import HarnessInterrupt
from .messages import ApiRequest, ApiResponse, json_response
from .routing import UnservedEndpoint

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class ServeApp:
    """An ASGI application answering ``{base_path}/...`` from a :class:`Backend`."""

    def __init__(self, backend: Backend, base_path: str = "/v1") -> None:
        self.backend = backend
        self.base_path = base_path.rstrip("/")
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        response = await asyncio.to_thread(self._answer, scope, body)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})

    def _answer(self, scope: Scope, body: bytes) -> ApiResponse:
        path = unquote(scope["path"])
        method = scope["method"]
        if not (path == self.base_path or path.startswith(self.base_path + "/")):
            return _invalid_url(method, path)
        request = ApiRequest(
            method=method,
            path=path[len(self.base_path) :] or "/",
            query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=body,
            url=path,
        )
        try:
            with self._lock:
                return self.backend.handle(request)
        except UnservedEndpoint:
            return _invalid_url(method, path)
        except TransportFault as fault:
            return json_response(
                503,
                {"error": {"message": str(fault), "type": "server_error", "param": None, "code": fault.kind}},
            )
        except HarnessInterrupt as error:
            return json_response(
                500,
                {
                    "error": {
                        "message": str(error),
                        "type": "harness_error",
                        "param": None,
                        "code": type(error).__name__,
                    }
                },
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

    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
