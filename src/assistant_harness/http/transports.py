"""Plug the backend into the HTTP stacks the openai SDK uses.

* Global interception through respx: one respx ``Router`` registered with respx's httpcore mocker
  (openai 2.x talks httpx -> httpcore) and with :class:`HTTPCore2Mocker` (openai 3.x talks httpx2 ->
  httpcore2, which respx alone does not patch). Clients made before the fake started are caught too.
* ``MockTransport`` clients (``fake.client()``): no patching, the SDK's own httpx/httpx2 client with
  a transport that calls the backend directly (:mod:`.answers`, which both use to answer a request).
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable
from typing import Any

import httpx
import respx
from respx.mocks import HTTPCoreMocker
from respx.models import AllMockedAssertionError, PassThrough

from ..engine.faults import TransportFault
from ..errors import UnservedEndpointError
from . import azure, fastlane, faults
from .answers import Handle, answer_with
from .bases import BaseUrl as BaseUrl
from .bases import passes_through, unserved_error, unserved_host_error, unserved_message
from .routing import UnservedEndpoint

HAS_HTTPX2 = (
    importlib.util.find_spec("httpx2") is not None and importlib.util.find_spec("httpcore2") is not None
)

#: How many (scheme, host, port, path) answers a router remembers before starting again.
_SERVED_KEPT = 1024


class FakeRouter(respx.Router):
    """The respx router of one fake: its base URLs answered by the backend, other hosts passed on."""

    def __init__(
        self,
        handle: Handle,
        base_urls: Iterable[BaseUrl],
        roots: frozenset[str],
        pass_through: Iterable[str] = (),
    ) -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=True)
        self._handle = handle
        self._azure_handle = azure.adapter(handle)
        self.base_urls = tuple(base_urls)
        # Azure resources are served on any host with Azure's suffixes: one base per host seen.
        self._azure_bases: dict[tuple[str, str, int | None], BaseUrl] = {}
        #: The first path segments the fake serves (``assistants``, ``threads``...).
        self.roots = roots
        #: URLs an openai client may reach past the fake (other hosts' SDK requests are refused).
        self.pass_through = tuple(pass_through)
        self._served: dict[tuple[str, str, int | None, str], BaseUrl | None] = {}

    # The fake's own endpoints are answered here rather than by a respx route: a route costs two of
    # respx's mock-based call lists (~70 us) per fake, and respx only sees these requests when
    # another respx mock was put in front of the fast lane.
    def handler(self, request: httpx.Request) -> httpx.Response:
        base = self._answering_base(request)
        if base is None:
            return super().handler(request)
        answer: httpx.Response = answer_with(self.handle_for(base), request, base, httpx)
        return answer

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        base = self._answering_base(request)
        if base is None:
            return await super().async_handler(request)
        answer: httpx.Response = answer_with(self.handle_for(base), request, base, httpx)
        return answer

    def _answering_base(self, request: httpx.Request) -> BaseUrl | None:
        """The base URL this fake answers ``request`` for, if it serves it.

        A fake started inside this one that serves it too answers instead, as on the fast lane:
        respx asks routers in the order they started, and moves on after this assertion error.
        """
        where = _where(request)
        base = self._served_base(*where)
        if base is not None and _later_fake_serves(self, where):
            raise AllMockedAssertionError(f"a fake started later answers {request.method} {request.url}")
        return base

    def handle_for(self, base: BaseUrl) -> Handle:
        return self._azure_handle if base.azure else self._handle

    def _base_for(self, request: Any) -> BaseUrl | None:
        url = request.url
        return self._owning_base(url.scheme, url.host, url.port, url.path)

    def _owning_base(self, scheme: str, host: str, port: int | None, path: str) -> BaseUrl | None:
        for base in self.base_urls:
            if base.owns(scheme, host, port, path):
                return base
        if azure.is_azure_host(host) and path.startswith(azure.BASE_PATH + "/"):
            key = (scheme, host, port)
            found = self._azure_bases.get(key)
            if found is None:
                found = self._azure_bases[key] = BaseUrl.for_azure(scheme, host, port)
            return found
        return None

    # -- the fast lane (see fastlane.py) ------------------------------------------------------
    def _served_base(self, scheme: str, host: str, port: int | None, path: str) -> BaseUrl | None:
        """The base URL whose *served* endpoints ``path`` is one of (other paths go through respx)."""
        where = (scheme, host, port, path)
        try:
            return self._served[where]  # asked twice per request (claims, then handle); polls repeat
        except KeyError:
            pass
        base = self._owning_base(scheme, host, port, path)
        served = base if base is not None and base.root(path) in self.roots else None
        if len(self._served) >= _SERVED_KEPT:
            self._served.clear()
        self._served[where] = served
        return served

    def claims(self, scheme: str, host: str, port: int, path: str) -> bool:
        return self._served_base(scheme, host, port, path) is not None

    def handle(self, core: Any, request: Any, body: bytes, send: Any) -> Any:
        base = self._served_base(*fastlane.where(request))
        assert base is not None
        api_request = fastlane.to_api_request(request, base.path, body)
        try:
            response = self.handle_for(base)(api_request)
        except UnservedEndpoint:
            raise UnservedEndpointError(unserved_message(api_request.method, api_request.url)) from None
        except TransportFault as fault:
            # httpx/httpx2 map these to their ConnectError / ReadTimeout, which the SDK retries.
            raise faults.transport_error(fault, core.ConnectError, core.ReadTimeout) from None
        return fastlane.to_core_response(core, response)

    async def handle_async(self, core: Any, request: Any, body: bytes, send: Any) -> Any:
        return self.handle(core, request, body, send)

    def answer(self, module: Any, request: Any, spot: tuple[str, str, int, str]) -> Any:
        """``module``'s (httpx or httpx2) response to ``request``, at its transport (fastlane.py)."""
        base = self._served_base(*spot)
        assert base is not None
        return answer_with(self.handle_for(base), request, base, module)

    def resolve(self, request: httpx.Request) -> Any:
        try:
            return super().resolve(request)
        except AllMockedAssertionError:
            self._unmatched(request)
            raise

    async def aresolve(self, request: httpx.Request) -> Any:
        try:
            return await super().aresolve(request)
        except AllMockedAssertionError:
            self._unmatched(request)
            raise

    def _unmatched(self, request: httpx.Request) -> None:
        """No route matched: an OpenAI path is a clear error; another host passes through."""
        if self._base_for(request) is not None:
            raise unserved_error(request)
        if not _other_routers(self):
            if not passes_through(self.pass_through, request):
                raise unserved_host_error(request, self.roots)
            raise PassThrough(f"not an OpenAI request: {request!r}", request=request, origin=None)  # type: ignore[arg-type]
        # Another respx router is active: let it try (respx moves on after this assertion error).


def _where(request: httpx.Request) -> tuple[str, str, int | None, str]:
    url = request.url
    return url.scheme, url.host, url.port, url.path


def _later_fake_serves(router: FakeRouter, where: tuple[str, str, int | None, str]) -> bool:
    for mocker in _mockers():
        routers = mocker.routers
        if router in routers:
            later = routers[routers.index(router) + 1 :]
            return any(isinstance(r, FakeRouter) and r._served_base(*where) is not None for r in later)
    return False


def _other_routers(router: respx.Router) -> bool:
    return any(r is not router for mocker in _mockers() for r in mocker.routers)


def _make_httpcore2_mocker() -> type[HTTPCoreMocker] | None:
    if not HAS_HTTPX2:
        return None
    import httpcore2

    class HTTPCore2Mocker(HTTPCoreMocker):
        """respx's httpcore mocker aimed at httpcore2, the transport under httpx2 (openai 3.x)."""

        name = "assistant_harness.httpcore2"
        targets = [  # noqa: RUF012  (respx's Mocker API: a class-level list)
            "httpcore2._sync.connection.HTTPConnection",
            "httpcore2._sync.connection_pool.ConnectionPool",
            "httpcore2._sync.http_proxy.HTTPProxy",
            "httpcore2._async.connection.AsyncHTTPConnection",
            "httpcore2._async.connection_pool.AsyncConnectionPool",
            "httpcore2._async.http_proxy.AsyncHTTPProxy",
        ]

        @classmethod
        def from_sync_httpx_response(cls, httpx_response: httpx.Response, target: Any, **kwargs: Any) -> Any:
            return httpcore2.Response(
                status=httpx_response.status_code,
                headers=httpx_response.headers.raw,
                content=httpx_response.stream,
                extensions=httpx_response.extensions,
            )

    return HTTPCore2Mocker


HTTPCore2Mocker = _make_httpcore2_mocker()


def _mockers() -> list[type[HTTPCoreMocker]]:
    return [HTTPCoreMocker] if HTTPCore2Mocker is None else [HTTPCoreMocker, HTTPCore2Mocker]


class _Undo:
    """One patch made by :func:`_start_mocker`; respx's ``Mocker.stop`` calls ``stop()`` on it."""

    __slots__ = ("cls", "had_own", "name", "original")

    def __init__(self, cls: type, name: str, original: Any, had_own: bool) -> None:
        self.cls, self.name, self.original, self.had_own = cls, name, original, had_own

    def stop(self) -> None:
        if self.had_own:
            setattr(self.cls, self.name, self.original)
        else:
            delattr(self.cls, self.name)  # it was inherited: inherit it again


@functools.cache
def _resolve(target: str) -> type | None:
    module_name, _, class_name = target.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    found: type | None = getattr(module, class_name, None)
    return found


def _wrapper(mocker: type[HTTPCoreMocker], original: Any) -> Any:
    """respx's wrapper of ``original``, made once per pool method: building it inspects the
    signature (most of a start's cost), and it holds no state (it finds the registered routers when
    called). A fast-lane wrapper underneath (a cassette opened first) is new each time: not cached."""
    if getattr(original, "_assistant_harness_lane", False):
        return mocker.mock(original)  # type: ignore[no-untyped-call]
    return _cached_wrapper(mocker, original)


@functools.lru_cache(maxsize=128)  # bounded: a pool method replaced by others again and again
def _cached_wrapper(mocker: type[HTTPCoreMocker], original: Any) -> Any:
    return mocker.mock(original)  # type: ignore[no-untyped-call]


def _start_mocker(mocker: type[HTTPCoreMocker]) -> None:
    """What respx's ``Mocker.start`` does, without ``unittest.mock.patch``'s import-system lookups
    on every start (most of a fake's start-up time): the same wrappers, undone by ``Mocker.stop``."""
    if mocker._patches:
        return
    for target in mocker.targets:
        cls = _resolve(target)
        if cls is None:
            continue
        for name in mocker.target_methods:
            if not hasattr(cls, name):
                continue
            original = getattr(cls, name)
            replacement = _wrapper(mocker, original)
            if replacement is original:
                continue
            had_own = name in cls.__dict__
            setattr(cls, name, replacement)
            mocker._patches.append(_Undo(cls, name, original, had_own))  # type: ignore[arg-type]


def start_interception(router: FakeRouter) -> None:
    """Route every httpx/httpcore and httpx2/httpcore2 request in the process through ``router``.

    The router is registered with respx's mockers (the general path: user routes, pass-through),
    then a fast lane is opened in front of them for the fake's own endpoints.
    """
    for mocker in _mockers():
        mocker.register(router)
        _start_mocker(mocker)
    fastlane.open_lane(router)


def stop_interception(router: FakeRouter) -> None:
    fastlane.close_lane(router)
    for mocker in _mockers():
        mocker.unregister(router)
        mocker.stop()
    # respx's unpatching puts back what it found, over our wrapper: lanes still open need it again.
    fastlane.ensure_patched()


def httpx_module_for_openai() -> Any:
    """The HTTP library the installed openai SDK builds its clients with (httpx, or httpx2 for 3.x)."""
    import openai

    if issubclass(openai.DefaultHttpxClient, httpx.Client):
        return httpx
    import httpx2

    return httpx2
