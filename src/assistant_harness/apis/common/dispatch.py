"""Answering a routed request as the OpenAI API does: headers checked, body parsed and validated,
the handler called, API errors rendered as the API's error bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...http.messages import ApiRequest, ApiResponse, MalformedRequest, json_response
from ...http.repeats import RepeatedBodies
from ...http.routing import Endpoint
from .errors import ApiError, unauthorized
from .validation import validate

#: Kinds of object whose answers carry ``openai-poll-after-ms`` (the SDK's pollers read it).
POLLED = frozenset({"run"})


def dispatch(
    state: Any,
    endpoint: Endpoint,
    params: Mapping[str, str],
    request: ApiRequest,
    *,
    poll_after_ms: int,
    request_id: str,
    repeats: RepeatedBodies | None = None,
) -> ApiResponse:
    """Answer ``request`` (already matched to ``endpoint``) from ``state``; API errors become responses.
    ``repeats``: a poll's, whose body is encoded again only when the object changed."""
    headers = {"x-request-id": request_id, "openai-version": "2020-10-01"}
    try:
        _check_headers(request.headers, endpoint)
        body = request.json() if request.method == "POST" and not endpoint.raw_body else None
        if endpoint.schema is not None:
            validate(endpoint.schema, body)
        # Endpoint.call, inlined: one frame less on every request.
        if endpoint.takes_body:
            result = endpoint.handler(state, request, body=body, **params)
        else:
            result = endpoint.handler(state, request, **params)
    except ApiError as error:
        return error_response(error, headers)
    except MalformedRequest as error:
        return error_response(ApiError(400, error.message, param=error.param), headers)
    if isinstance(result, ApiResponse):
        result.headers.update(headers)
        return result
    if endpoint.returns in POLLED:
        headers["openai-poll-after-ms"] = str(poll_after_ms)
    content = repeats.body(request.path, result) if repeats is not None else None
    return json_response(200, result, headers, content=content)


def error_response(error: ApiError, headers: dict[str, str]) -> ApiResponse:
    headers.update(error.headers)
    return json_response(error.status, error.body(), headers)


def _check_headers(headers: Mapping[str, str], endpoint: Endpoint) -> None:
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        raise unauthorized()
    if endpoint.beta and "assistants=v2" not in headers.get("openai-beta", ""):
        raise ApiError(
            400,
            "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by "
            "setting the header 'OpenAI-Beta: assistants=v2'.",
            code="invalid_beta",
        )
