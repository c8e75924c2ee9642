"""Lanes: a chain of handlers in front of httpcore/httpcore2, ahead of respx.

respx answers a patched httpcore call by building an ``httpx.Request``, resolving it through its
router and turning the ``httpx.Response`` back into an httpcore response. For the fake's own
requests that round trip costs more than the fake itself. This module patches the same httpcore
and httpcore2 methods respx patches and offers each request to the open *lanes*, newest first: a
fake answers its own endpoints from its backend; a cassette replays or records (sending the request
on down the chain, to an older lane or the network). A request no lane claims goes to whatever was
patched before (respx's mocker, then the network), so user routes and pass-through keep working.

One step higher, httpx's and httpx2's own transports are wrapped too: when the newest lane claiming a
request has ``answer`` (a fake; a cassette that replays it) and the httpcore method underneath is
still this module's, the lane answers the httpx request there, sparing httpx's conversion of every
request to httpcore and of every response back (as much again as the fake's own work). Otherwise
the request goes on down.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, NamedTuple, Protocol

# Re-exported: the cassette lane and older code use fastlane.Chunks and fastlane.BROKEN.
from .faults import BROKEN as BROKEN
from .faults import Chunks as Chunks
from .messages import ApiRequest, ApiResponse, decoded_headers, request_from

#: (module, class names) whose request methods carry every request httpx/httpx2 send.
TARGETS = (
    ("httpcore", ("ConnectionPool", "HTTPProxy", "AsyncConnectionPool", "AsyncHTTPProxy")),
    ("httpcore2", ("ConnectionPool", "HTTPProxy", "AsyncConnectionPool", "AsyncHTTPProxy")),
)

#: (module, class names) of the transports httpx/httpx2 clients send through, over the classes above.
TRANSPORTS = (
    ("httpx", ("HTTPTransport", "AsyncHTTPTransport")),
    ("httpx2", ("HTTPTransport", "AsyncHTTPTransport")),
)

Send = Callable[[Any], Any]
AsyncSend = Callable[[Any], Awaitable[Any]]


class Lane(Protocol):
    """Something that may answer requests at the httpcore layer."""

    def claims(self, scheme: str, host: str, port: int, path: str) -> bool: ...

    def handle(self, core: Any, request: Any, body: bytes, send: Send) -> Any: ...

    async def handle_async(self, core: Any, request: Any, body: bytes, send: AsyncSend) -> Any: ...

    # A lane may also have ``answer(module, request, spot)``: the httpx/httpx2 ``module``'s response to
    # its ``request`` (at ``spot``, as ``claims`` was given it), given at the transport, or None to
    # send it on down to httpcore (a fake's lane answers every request it claims; a cassette's those
    # it replays).


class Bytes:
    """A request or response body that both sync and async httpcore code can iterate."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def __iter__(self) -> Iterator[bytes]:
        yield self.content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.content


class _State:
    def __init__(self) -> None:
        self.lanes: list[Lane] = []
        #: (class, method, what was there, our wrapper put over it), oldest first.
        self.saved: list[tuple[type, str, Any, Any]] = []
        self.lock = threading.Lock()


_state = _State()


def where(request: Any) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an httpcore request."""
    url = request.url
    scheme = url.scheme.decode("ascii")
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host.decode("ascii"), port, url.target.decode("ascii").partition("?")[0]


def to_api_request(request: Any, base_path: str, body: bytes) -> ApiRequest:
    """An httpcore request as an :class:`ApiRequest` relative to ``base_path``."""
    url = request.url
    target = url.target.decode("ascii")
    timeout = (request.extensions or {}).get("timeout") or {}
    return request_from(
        request.method.decode("ascii"),
        target,
        base_path,
        decoded_headers(request.headers),
        body,
        url=f"{url.scheme.decode()}://{netloc(url)}{target}",
        read_timeout=timeout.get("read"),
    )


def netloc(url: Any) -> str:
    """An httpcore URL's host, with its port when not the scheme's (as httpx's URL has it)."""
    host: str = url.host.decode("ascii")
    default = 443 if url.scheme == b"https" else 80
    return host if url.port in (None, default) else f"{host}:{url.port}"


def to_core_response(core: Any, response: ApiResponse) -> Any:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    if response.chunks is None:
        content: Any = Bytes(response.content)
    else:
        content = Chunks.of(response, lambda: core.ReadError(BROKEN))
    return core.Response(response.status, headers=headers, content=content)


def _sync_wrapper(core: Any, original: Any) -> Any:
    @functools.wraps(original)
    def handle_request(self: Any, request: Any) -> Any:
        def send_from(start: int) -> Send:
            def send(request: Any) -> Any:
                return dispatch(start, request)

            return send

        def dispatch(start: int, request: Any) -> Any:
            lanes = _state.lanes
            if start < len(lanes):
                spot = where(request)
                for index in range(start, len(lanes)):
                    lane = lanes[index]
                    if lane.claims(*spot):
                        body = b"".join(request.stream)
                        request.stream = Bytes(body)
                        return lane.handle(core, request, body, send_from(index + 1))
            return original(self, request)

        return dispatch(0, request)

    return handle_request


def _async_wrapper(core: Any, original: Any) -> Any:
    @functools.wraps(original)
    async def handle_async_request(self: Any, request: Any) -> Any:
        def send_from(start: int) -> AsyncSend:
            async def send(request: Any) -> Any:
                return await dispatch(start, request)

            return send

        async def dispatch(start: int, request: Any) -> Any:
            lanes = _state.lanes
            if start < len(lanes):
                spot = where(request)
                for index in range(start, len(lanes)):
                    lane = lanes[index]
                    if lane.claims(*spot):
                        body = b"".join([chunk async for chunk in request.stream])
                        request.stream = Bytes(body)
                        return await lane.handle_async(core, request, body, send_from(index + 1))
            return await original(self, request)

        return await dispatch(0, request)

    return handle_async_request


def _unused(self: Any, request: Any) -> Any:  # pragma: no cover - only its wrappers' code is read
    return None


#: The code of this module's httpcore wrappers: how a method is known to be one of them.
_LANE_CODES = frozenset({_sync_wrapper(None, _unused).__code__, _async_wrapper(None, _unused).__code__})


class CoreUrl(NamedTuple):
    scheme: bytes
    host: bytes
    port: int | None
    target: bytes


class CoreView:
    """An httpx/httpx2 request's method, URL and headers, as bytes, as an httpcore request has them
    (what a cassette reads to match it)."""

    __slots__ = ("headers", "method", "url")

    def __init__(self, request: Any) -> None:
        url = request.url
        self.method: bytes = request.method.encode("ascii")
        self.url = CoreUrl(url.raw_scheme, url.raw_host, url.port, url.raw_path)
        self.headers: list[tuple[bytes, bytes]] = request.headers.raw


def transport_where(request: Any) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an httpx/httpx2 request, as :func:`where` gives its httpcore one."""
    url = request.url
    scheme: str = url.scheme
    port = url.port or (443 if scheme == "https" else 80)
    # The host as the wire has it (IDNA's xn-- form), as httpcore's request gives it to lanes.
    return scheme, url.raw_host.decode("ascii"), port, url.raw_path.decode("ascii").partition("?")[0]


Answer = Callable[[Any, Any, tuple[str, str, int, str]], Any]


def _answerer(transport: Any, request: Any, method: str) -> tuple[Answer, tuple[str, str, int, str]] | None:
    """The newest lane claiming ``request`` if it answers at the transport, and only while the
    method ``transport``'s pool runs is this module's own wrapper (known by its code, which a spy's
    ``functools.wraps`` does not copy): a patch put over httpcore's pool after the lanes opened
    must still see the request first, as it does at the httpcore layer."""
    lanes = _state.lanes
    if not lanes:
        return None
    spot = transport_where(request)
    for lane in lanes:
        if lane.claims(*spot):
            answer: Answer | None = getattr(lane, "answer", None)
            pool = getattr(transport, "_pool", None)
            underneath = getattr(type(pool), method, None)
            if answer is None or getattr(underneath, "__code__", None) not in _LANE_CODES:
                return None
            return answer, spot
    return None


def _is_own(module: Any, original: Any) -> bool:
    """Whether ``original`` is ``module``'s (httpx's or httpx2's) own transport method, not a patch
    put there before the lanes opened (vcrpy's cassette, a test's spy), which must still run."""
    code = getattr(original, "__code__", None)
    if code is None:
        return False
    filename: str = code.co_filename
    parts = filename.replace("\\", "/").split("/")
    return parts[-3:] == [module.__name__, "_transports", "default.py"]


def _transport_wrapper(module: Any, original: Any) -> Any:
    if not _is_own(module, original):
        return None  # no shortcut over another patch: it runs, then httpcore's lanes

    @functools.wraps(original)
    def handle_request(self: Any, request: Any) -> Any:
        found = _answerer(self, request, "handle_request")
        if found is not None:
            request.read()  # as MockTransport does: a streamed body (multipart) is read first
            response = found[0](module, request, found[1])
            if response is not None:
                return response
        return original(self, request)

    return handle_request


def _async_transport_wrapper(module: Any, original: Any) -> Any:
    if not _is_own(module, original):
        return None

    @functools.wraps(original)
    async def handle_async_request(self: Any, request: Any) -> Any:
        found = _answerer(self, request, "handle_async_request")
        if found is not None:
            await request.aread()
            response = found[0](module, request, found[1])
            if response is not None:
                return response
        return await original(self, request)

    return handle_async_request


def _patch() -> None:
    _patch_layer(TARGETS, _sync_wrapper, _async_wrapper)
    _patch_layer(TRANSPORTS, _transport_wrapper, _async_transport_wrapper)


def _patch_layer(
    targets: tuple[tuple[str, tuple[str, ...]], ...],
    sync_wrapper: Callable[[Any, Any], Any],
    async_wrapper: Callable[[Any, Any], Any],
) -> None:
    for module_name, class_names in targets:
        try:
            core = importlib.import_module(module_name)
        except ImportError:
            continue
        for class_name in class_names:
            cls = getattr(core, class_name, None)
            if cls is None:
                continue
            is_async = class_name.startswith("Async")
            method = "handle_async_request" if is_async else "handle_request"
            original = cls.__dict__.get(method)
            if original is None or getattr(original, "_assistant_harness_lane", False):
                continue  # not defined here, or our wrapper is already on top
            wrapper = (async_wrapper if is_async else sync_wrapper)(core, original)
            if wrapper is None:
                continue  # another patch's method: left as it is
            wrapper._assistant_harness_lane = True
            _state.saved.append((cls, method, original, wrapper))
            setattr(cls, method, wrapper)


def _unpatch() -> None:
    """Take each of our wrappers off where that very wrapper is still on top; one buried under a
    later patch stays (with no lane open it only passes requests on), so that patch is not undone.

    Not "any lane wrapper on top": respx's undoing (a fake stopped while a cassette's lane stays
    open) can bring back an older wrapper of ours over which a newer one had been saved, and putting
    back what the newer one wrapped would reinstate respx's wrapper with no router behind it.
    """
    while _state.saved:
        cls, method, original, wrapper = _state.saved.pop()
        if cls.__dict__.get(method) is wrapper:
            setattr(cls, method, original)


def open_lane(lane: Lane) -> None:
    """Offer requests to ``lane`` before the lanes already open (patching on the first one)."""
    with _state.lock:
        _patch()  # (re)wraps wherever our wrapper is not on top
        _state.lanes = [lane, *_state.lanes]


def ensure_patched() -> None:
    """Put the wrapper back on top where a later patch's undoing removed it, if lanes are open."""
    with _state.lock:
        if _state.lanes:
            _patch()


def close_lane(lane: Lane) -> None:
    with _state.lock:
        _state.lanes = [other for other in _state.lanes if other is not lane]
        if not _state.lanes:
            _unpatch()
