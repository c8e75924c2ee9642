"""Answer one httpx or httpx2 request from the backend: the request as an :class:`ApiRequest`, the
backend's answer (or fault) as the library's own ``Response`` (or exception). Global interception
(:mod:`.transports`) and ``fake.client()``'s ``MockTransport`` (:func:`mock_transport`) both answer so.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import Any

from ..engine.faults import TransportFault
from . import faults
from .bases import BaseUrl, unserved_error
from .bodies import complete_response
from .messages import ApiRequest, ApiResponse, decoded_headers, request_from
from .routing import UnservedEndpoint

Handle = Callable[[ApiRequest], ApiResponse]


def to_api_request(request: Any, base: BaseUrl) -> ApiRequest:
    """An httpx or httpx2 request as an :class:`ApiRequest` relative to ``base``."""
    target = request.url.raw_path.decode("ascii")
    timeout = request.extensions.get("timeout") or {}
    return request_from(
        request.method,
        target,
        base.path,
        header_names(request.headers),
        request.content,
        # The request was routed to ``base``, so its origin is the base's: str(url) would re-parse
        # and re-validate the whole URL on every request, for a value only messages read.
        url=base.origin + target,
        read_timeout=timeout.get("read"),
    )


def header_names(headers: Any) -> dict[str, str]:
    """An httpx/httpx2 ``Headers`` as :func:`~.messages.decoded_headers`, from the names it keeps lowered."""
    kept = getattr(headers, "_list", None)
    if kept is None:  # not the Headers class this was written against: ask it the public way
        return decoded_headers([(name.lower(), value) for name, value in headers.raw], lower_case=True)
    # decoded_headers' comprehension, over httpx's own triples: pairs made first would cost a list a request.
    return {lower.decode("latin-1"): value.decode("latin-1") for _, lower, value in kept}


def transport_error(module: Any, fault: TransportFault, request: Any) -> BaseException:
    """``fault`` as ``module``'s (httpx or httpx2) own exception, which the SDK retries."""
    return faults.transport_error(
        fault,
        lambda text: module.ConnectError(text, request=request),
        lambda text: module.ReadTimeout(text, request=request),
    )


def answer_with(
    handle: Handle, request: Any, base: BaseUrl, module: Any, *, client_reads_first: bool = False
) -> Any:
    """Answer an httpx or httpx2 ``request`` from ``handle``, as ``module``'s Response (or exception).
    ``client_reads_first``: the answer goes straight to the client (bodies.complete_response)."""
    try:
        answer = handle(to_api_request(request, base))
    except UnservedEndpoint:
        raise unserved_error(request) from None
    except TransportFault as fault:
        raise transport_error(module, fault, request) from None
    if answer.chunks is None:
        # As ``content=`` would make it, but cheaper: given as a stream with its length, the
        # Response does not look for and insert Content-Length itself, and the client's read()
        # takes the body in one step (bodies.py).
        headers = {**answer.headers, "content-length": str(len(answer.content))}
        return complete_response(
            module, answer.status, headers, answer.content, client_reads_first=client_reads_first
        )
    stream = faults.stream_class(module)(
        answer.parts(),
        answer.broken_after,
        lambda: module.ReadError(faults.BROKEN, request=request),
        answer.before_chunk,
    )
    return module.Response(answer.status, headers=answer.headers, stream=stream)


def mock_transport(handle: Handle, base: BaseUrl, module: Any) -> Any:
    """A ``MockTransport`` of ``module`` (httpx or httpx2) answering from ``handle``."""

    def handler(request: Any) -> Any:
        # The client reads the answer first, unless instrumentation wrapped the transport's methods in
        # place (OpenTelemetry's instrument_client, logfire): a hook there may write a header before that.
        # Unwrapped, both are plain bound methods (two attribute reads; nothing is built per request).
        first = (
            type(transport.handle_request) is MethodType
            and type(transport.handle_async_request) is MethodType
        )
        return answer_with(handle, request, base, module, client_reads_first=first)

    transport = module.MockTransport(handler)
    return transport
