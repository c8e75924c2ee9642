"""A fast lane in front of respx for the fake's own requests.

respx answers a patched httpcore call by building an ``httpx.Request``, resolving it through its
router, and turning the ``httpx.Response`` back into an httpcore response. For the fake's own
requests that round trip costs more than the fake itself (twice the URL parsing on openai 3.x). The
fast lane patches the same httpcore/httpcore2 methods respx patches, answers requests for an active
fake's base URLs straight from its backend, and hands every other request to whatever it replaced
(respx's own patch, then the network): user routes, pass-through and the slow path keep working.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from .errors import UnservedEndpointError
from .faults import CONNECT, TransportFault
from .http import ApiRequest, ApiResponse
from .router import UnservedEndpoint

#: (module, class names) whose request methods carry every request httpx/httpx2 send.
TARGETS = (
    ("httpcore", ("ConnectionPool", "HTTPProxy", "AsyncConnectionPool", "AsyncHTTPProxy")),
    ("httpcore2", ("ConnectionPool", "HTTPProxy", "AsyncConnectionPool", "AsyncHTTPProxy")),
)

Lane = Callable[[str, str, int, str], "Callable[[ApiRequest], ApiResponse] | None"]


class _State:
    """The active fakes' lookups, and the patches to undo when the last one stops."""

    def __init__(self) -> None:
        self.lanes: list[Any] = []
        self.saved: list[tuple[type, str, Any]] = []
        self.lock = threading.Lock()


_state = _State()


def _lookup(scheme: str, host: str, port: int, path: str) -> tuple[Any, Any] | None:
    for lane in _state.lanes:
        base = lane.base_for(scheme, host, port, path)
        if base is not None:
            return lane, base
    return None


def _api_request(request: Any, base_path: str, body: bytes) -> ApiRequest:
    target = request.url.target.decode("ascii")
    path, _, query = target.partition("?")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
    timeout = (request.extensions or {}).get("timeout") or {}
    return ApiRequest(
        method=request.method.decode("ascii"),
        path=unquote(path[len(base_path) :]) or "/",
        query=dict(parse_qsl(query, keep_blank_values=True)) if query else {},
        headers=headers,
        body=body,
        url=f"{request.url.scheme.decode()}://{request.url.host.decode()}{target}",
        read_timeout=timeout.get("read"),
    )


def _answer(core: Any, lane: Any, api_request: ApiRequest) -> Any:
    try:
        response = lane.handle(api_request)
    except UnservedEndpoint:
        raise UnservedEndpointError(lane.unserved_message(api_request.method, api_request.url)) from None
    except TransportFault as fault:
        # httpx/httpx2 map these to their ConnectError / ReadTimeout, which the SDK retries.
        raise (core.ConnectError if fault.kind == CONNECT else core.ReadTimeout)(str(fault)) from None
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    return core.Response(response.status, headers=headers, content=response.content)


def _where(request: Any) -> tuple[str, str, int, str]:
    url = request.url
    scheme = url.scheme.decode("ascii")
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host.decode("ascii"), port, url.target.decode("ascii").partition("?")[0]


def _sync_wrapper(core: Any, original: Any) -> Any:
    @functools.wraps(original)
    def handle_request(self: Any, request: Any) -> Any:
        found = _lookup(*_where(request)) if _state.lanes else None
        if found is None:
            return original(self, request)
        lane, base = found
        body = b"".join(request.stream)
        return _answer(core, lane, _api_request(request, base.path, body))

    return handle_request


def _async_wrapper(core: Any, original: Any) -> Any:
    @functools.wraps(original)
    async def handle_async_request(self: Any, request: Any) -> Any:
        found = _lookup(*_where(request)) if _state.lanes else None
        if found is None:
            return await original(self, request)
        lane, base = found
        body = b"".join([chunk async for chunk in request.stream])
        return _answer(core, lane, _api_request(request, base.path, body))

    return handle_async_request


def _patch() -> None:
    for module_name, class_names in TARGETS:
        try:
            core = importlib.import_module(module_name)
        except ImportError:
            continue
        for class_name in class_names:
            cls = getattr(core, class_name, None)
            if cls is None:
                continue
            method = "handle_async_request" if class_name.startswith("Async") else "handle_request"
            original = cls.__dict__.get(method)
            if original is None:
                continue
            wrapper = _async_wrapper if class_name.startswith("Async") else _sync_wrapper
            _state.saved.append((cls, method, original))
            setattr(cls, method, wrapper(core, original))


def _unpatch() -> None:
    while _state.saved:
        cls, method, original = _state.saved.pop()
        setattr(cls, method, original)


def open_lane(lane: Any) -> None:
    """Answer ``lane``'s base URLs in the fast lane (patching on the first open lane)."""
    with _state.lock:
        if not _state.lanes:
            _patch()
        _state.lanes.insert(0, lane)


def close_lane(lane: Any) -> None:
    with _state.lock:
        if lane in _state.lanes:
            _state.lanes.remove(lane)
        if not _state.lanes:
            _unpatch()
