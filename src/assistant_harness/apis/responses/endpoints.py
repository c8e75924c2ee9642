"""The Responses API's endpoints: ``POST /responses`` (JSON or SSE), retrieve (JSON, or the event
stream from the start or after ``starting_after``), delete, cancel, input items, input tokens.

Handlers take the fake's :class:`ResponseStore`, the request,
and the path parameters by name; fault rules name them ``responses.create``, ``responses.retrieve``,
``responses.cancel``, ``responses.delete``, ``responses.input_items``, ``responses.input_tokens``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ...engine.faults import READ_TIMEOUT, TransportFault
from ...engine.hangs import Polled
from ...http.messages import ApiRequest, ApiResponse
from ...http.routing import Endpoint
from ..common.errors import ApiError, invalid_value
from ..common.validation import validate
from ..conversations.store import ConversationStore
from ..registry import Api, Context
from . import events, leniency
from .state import ResponseState
from .store import ResponseStore, _default_scripts

Obj = dict[str, Any]

#: How long a request that would never be answered waits when the client names no read timeout.
DEFAULT_READ_TIMEOUT = 600.0


def create(store: ResponseStore, request: ApiRequest, *, body: Obj) -> Obj | ApiResponse:
    validate("CreateResponse", leniency.create_body(body))
    response = store.create(body)
    streamed = body.get("stream") is True
    if streamed:
        return stream(store, response, None, request)
    if not response.obj["background"] and not store.play(response):
        # A foreground request whose response never ends is never answered: the client's read
        # timeout fires (in virtual time), as it would against the real API.
        store.clock.advance(request.read_timeout or DEFAULT_READ_TIMEOUT)
        raise TransportFault(READ_TIMEOUT, "The read operation timed out (the response never finished)")
    return response.obj


def retrieve(store: ResponseStore, request: ApiRequest, *, response_id: str) -> Obj | ApiResponse:
    streamed, after = _flag(request.query, "stream"), _starting_after(request.query)
    response = store.get(response_id)
    return stream(store, response, after, request) if streamed else response.obj


def delete(store: ResponseStore, request: ApiRequest, *, response_id: str) -> Obj:
    return store.delete(response_id)


def cancel(store: ResponseStore, request: ApiRequest, *, response_id: str) -> Obj:
    return store.cancel(response_id).obj


def input_items(store: ResponseStore, request: ApiRequest, *, response_id: str) -> Obj:
    return store.input_items(response_id, request.query)


def input_tokens(store: ResponseStore, request: ApiRequest, *, body: Obj) -> Obj:
    return store.input_tokens(body)


def stream(
    store: ResponseStore, response: ResponseState, starting_after: int | None, request: ApiRequest
) -> ApiResponse:
    """The response's events after ``starting_after`` (all with ``None``), following it on virtual time
    until it ends. One that never ends holds the connection until the client's read timeout, then the
    connection breaks, as a real server's would."""
    ended = store.play(response)
    last = response.events.last
    if ended and starting_after is not None and (last is None or starting_after > last):
        # Past the end of a stream that is complete: nothing there will ever come (a 400, not an
        # empty stream a resuming client would take for the end).
        raise ApiError(
            400,
            f"Invalid 'starting_after': {starting_after} is past the end of the stream "
            f"(its last sequence number is {last}).",
            param="starting_after",
            code="invalid_value",
        )
    chunks = events.render(response.events.after(starting_after))
    broken_after = None
    if not ended and not response.progress.is_final:
        store.clock.advance(request.read_timeout or DEFAULT_READ_TIMEOUT)
        broken_after = len(chunks)
    return ApiResponse(
        200, b"".join(chunks), dict(events.SSE_HEADERS), chunks=chunks, broken_after=broken_after
    )


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name)
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise invalid_value(name, value, ["true", "false"])


def _starting_after(query: Mapping[str, str]) -> int | None:
    raw = query.get("starting_after")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(
            400,
            "Invalid type for 'starting_after': expected an integer, but got a string instead.",
            param="starting_after",
            code="invalid_type",
        ) from None


ENDPOINTS: tuple[Endpoint, ...] = (
    # Validated against CreateResponse by the handler itself (see leniency.py).
    Endpoint("responses.create", "POST", "/responses", create, returns="response", beta=False),
    Endpoint(
        "responses.input_tokens",
        "POST",
        "/responses/input_tokens",
        input_tokens,
        schema="TokenCountsBody",
        beta=False,
    ),
    Endpoint(
        "responses.retrieve", "GET", "/responses/{response_id}", retrieve, returns="response", beta=False
    ),
    Endpoint("responses.delete", "DELETE", "/responses/{response_id}", delete, beta=False),
    Endpoint(
        "responses.cancel", "POST", "/responses/{response_id}/cancel", cancel, returns="response", beta=False
    ),
    Endpoint(
        "responses.input_items",
        "GET",
        "/responses/{response_id}/input_items",
        input_items,
        lists=True,
        beta=False,
    ),
)


def _build(context: Context) -> ResponseStore:
    store = ResponseStore(
        context.clock,
        context.ids,
        context.option("response_scripts", _default_scripts),
        cancel_finished=context.option("cancel_finished", "return"),
        retention=context.options.get("response_retention"),
    )
    store.attach(context.states.of(ConversationStore))
    return store


def _response(store: ResponseStore, params: Mapping[str, str]) -> Polled | None:
    return store.responses.get(params["response_id"])


def _stream_error(sent: list[bytes]) -> functools.partial[bytes]:
    """The error event after ``sent``: it carries the next sequence number."""
    return functools.partial(events.error_event, sequence_number=events.next_number(sent))


API = Api("responses", ENDPOINTS, _build, polled={"response": _response}, stream_error=_stream_error)
