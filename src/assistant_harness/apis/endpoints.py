"""The endpoint table: every served method and path, dispatched by an index (never a scan).

Each endpoint names its request schema (validated before the handler runs) and whether its
answer is a run (which carries ``openai-poll-after-ms``). Unknown paths raise
:class:`UnservedEndpoint` with the method and path, so callers can name them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..http import multipart
from ..http.messages import ApiRequest, ApiResponse, json_response
from .assistants import runs, streaming
from .assistants.store import Store
from .common.errors import ApiError, unauthorized
from .common.validation import validate

Obj = dict[str, Any]
Handler = Callable[[Store, ApiRequest, Any, tuple[str, ...]], "Obj | ApiResponse"]


class UnservedEndpoint(LookupError):
    """No endpoint of the fake matches ``method path``."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    #: The name fault rules and messages use, after the SDK's resource path (``runs.retrieve``).
    name: str
    method: str
    template: str
    handler: Handler
    schema: str | None = None
    #: The kind of object the endpoint answers when it changes over time ("run"): such answers carry
    #: ``openai-poll-after-ms``, and hang detection watches GETs of them.
    returns: str | None = None
    #: Assistants and threads need ``OpenAI-Beta: assistants=v2``; files and vector stores do not.
    beta: bool = True
    #: The handler reads the raw body itself (multipart uploads); otherwise a POST body is JSON.
    raw_body: bool = False

    @property
    def returns_run(self) -> bool:
        return self.returns == "run"

    @property
    def lists(self) -> bool:
        """Whether the endpoint answers a paginated list."""
        return self.name.endswith((".list", ".list_files"))


def _streams(body: Obj) -> bool:
    return body.get("stream") is True


def _run_or_stream(
    store: Store, run: runs.RunState, body: Obj, after: int | None = None
) -> Obj | ApiResponse:
    """The run object, or (when the request asked to stream) its events after ``after`` as
    server-sent events."""
    return streaming.stream_response(store, run, after) if _streams(body) else run.obj


# Handlers: (store, request, parsed body, path params) -> object to answer.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "assistants.create",
        "POST",
        "/assistants",
        lambda s, r, b, p: s.create_assistant(b),
        "CreateAssistantRequest",
    ),
    Endpoint("assistants.list", "GET", "/assistants", lambda s, r, b, p: s.list_assistants(r.query)),
    Endpoint("assistants.retrieve", "GET", "/assistants/{}", lambda s, r, b, p: s.assistant(p[0])),
    Endpoint(
        "assistants.update",
        "POST",
        "/assistants/{}",
        lambda s, r, b, p: s.update_assistant(p[0], b),
        "ModifyAssistantRequest",
    ),
    Endpoint("assistants.delete", "DELETE", "/assistants/{}", lambda s, r, b, p: s.delete_assistant(p[0])),
    Endpoint(
        "threads.create", "POST", "/threads", lambda s, r, b, p: s.create_thread(b), "CreateThreadRequest"
    ),
    Endpoint(
        "threads.create_and_run",
        "POST",
        "/threads/runs",
        lambda s, r, b, p: _run_or_stream(s, s.create_thread_and_run(b), b),
        "CreateThreadAndRunRequest",
        returns="run",
    ),
    Endpoint("threads.retrieve", "GET", "/threads/{}", lambda s, r, b, p: s.thread(p[0]).obj),
    Endpoint(
        "threads.update",
        "POST",
        "/threads/{}",
        lambda s, r, b, p: s.update_thread(p[0], b),
        "ModifyThreadRequest",
    ),
    Endpoint("threads.delete", "DELETE", "/threads/{}", lambda s, r, b, p: s.delete_thread(p[0])),
    Endpoint(
        "messages.create",
        "POST",
        "/threads/{}/messages",
        lambda s, r, b, p: s.create_message(p[0], b),
        "CreateMessageRequest",
    ),
    Endpoint(
        "messages.list", "GET", "/threads/{}/messages", lambda s, r, b, p: s.list_messages(p[0], r.query)
    ),
    Endpoint("messages.retrieve", "GET", "/threads/{}/messages/{}", lambda s, r, b, p: s.message(p[0], p[1])),
    Endpoint(
        "messages.update",
        "POST",
        "/threads/{}/messages/{}",
        lambda s, r, b, p: s.update_message(p[0], p[1], b),
        "ModifyMessageRequest",
    ),
    Endpoint(
        "messages.delete",
        "DELETE",
        "/threads/{}/messages/{}",
        lambda s, r, b, p: s.delete_message(p[0], p[1]),
    ),
    Endpoint(
        "runs.create",
        "POST",
        "/threads/{}/runs",
        lambda s, r, b, p: _run_or_stream(s, s.create_run(p[0], b), b),
        "CreateRunRequest",
        returns="run",
    ),
    Endpoint("runs.list", "GET", "/threads/{}/runs", lambda s, r, b, p: s.list_runs(p[0], r.query)),
    Endpoint(
        "runs.retrieve",
        "GET",
        "/threads/{}/runs/{}",
        lambda s, r, b, p: s.run(p[0], p[1]).obj,
        returns="run",
    ),
    Endpoint(
        "runs.update",
        "POST",
        "/threads/{}/runs/{}",
        lambda s, r, b, p: s.update_run(p[0], p[1], b),
        "ModifyRunRequest",
        returns="run",
    ),
    Endpoint(
        "runs.cancel",
        "POST",
        "/threads/{}/runs/{}/cancel",
        lambda s, r, b, p: _cancel(s, p),
        returns="run",
    ),
    Endpoint(
        "runs.submit_tool_outputs",
        "POST",
        "/threads/{}/runs/{}/submit_tool_outputs",
        lambda s, r, b, p: _submit(s, p, b),
        "SubmitToolOutputsRunRequest",
        returns="run",
    ),
    Endpoint(
        "steps.list",
        "GET",
        "/threads/{}/runs/{}/steps",
        lambda s, r, b, p: s.list_run_steps(p[0], p[1], r.query),
    ),
    Endpoint(
        "steps.retrieve",
        "GET",
        "/threads/{}/runs/{}/steps/{}",
        lambda s, r, b, p: s.run_step(p[0], p[1], p[2]),
    ),
    Endpoint("files.create", "POST", "/files", lambda s, r, b, p: _upload(s, r), beta=False, raw_body=True),
    Endpoint("files.list", "GET", "/files", lambda s, r, b, p: s.list_files(r.query), beta=False),
    Endpoint("files.retrieve", "GET", "/files/{}", lambda s, r, b, p: s.file(p[0]).obj, beta=False),
    Endpoint("files.delete", "DELETE", "/files/{}", lambda s, r, b, p: s.delete_file(p[0]), beta=False),
    Endpoint(
        "files.content", "GET", "/files/{}/content", lambda s, r, b, p: _file_content(s, p[0]), beta=False
    ),
    Endpoint(
        "vector_stores.create",
        "POST",
        "/vector_stores",
        lambda s, r, b, p: s.create_vector_store(b),
        "CreateVectorStoreRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.list",
        "GET",
        "/vector_stores",
        lambda s, r, b, p: s.list_vector_stores(r.query),
        beta=False,
    ),
    Endpoint(
        "vector_stores.retrieve",
        "GET",
        "/vector_stores/{}",
        lambda s, r, b, p: s.vector_store(p[0]).obj,
        beta=False,
    ),
    Endpoint(
        "vector_stores.update",
        "POST",
        "/vector_stores/{}",
        lambda s, r, b, p: s.update_vector_store(p[0], b),
        "UpdateVectorStoreRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.delete",
        "DELETE",
        "/vector_stores/{}",
        lambda s, r, b, p: s.delete_vector_store(p[0]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.search",
        "POST",
        "/vector_stores/{}/search",
        lambda s, r, b, p: s.search_vector_store(p[0], b),
        "VectorStoreSearchRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.create",
        "POST",
        "/vector_stores/{}/files",
        lambda s, r, b, p: s.add_vector_store_file(p[0], b),
        "CreateVectorStoreFileRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.list",
        "GET",
        "/vector_stores/{}/files",
        lambda s, r, b, p: s.list_vector_store_files(p[0], r.query),
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.retrieve",
        "GET",
        "/vector_stores/{}/files/{}",
        lambda s, r, b, p: s.vector_store_file(p[0], p[1]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.update",
        "POST",
        "/vector_stores/{}/files/{}",
        lambda s, r, b, p: s.update_vector_store_file(p[0], p[1], b),
        "UpdateVectorStoreFileAttributesRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.delete",
        "DELETE",
        "/vector_stores/{}/files/{}",
        lambda s, r, b, p: s.delete_vector_store_file(p[0], p[1]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.content",
        "GET",
        "/vector_stores/{}/files/{}/content",
        lambda s, r, b, p: s.vector_store_file_content(p[0], p[1]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.file_batches.create",
        "POST",
        "/vector_stores/{}/file_batches",
        lambda s, r, b, p: s.create_file_batch(p[0], b),
        "CreateVectorStoreFileBatchRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.file_batches.retrieve",
        "GET",
        "/vector_stores/{}/file_batches/{}",
        lambda s, r, b, p: s.file_batch(p[0], p[1]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.file_batches.cancel",
        "POST",
        "/vector_stores/{}/file_batches/{}/cancel",
        lambda s, r, b, p: s.cancel_file_batch(p[0], p[1]),
        beta=False,
    ),
    Endpoint(
        "vector_stores.file_batches.list_files",
        "GET",
        "/vector_stores/{}/file_batches/{}/files",
        lambda s, r, b, p: s.list_file_batch_files(p[0], p[1], r.query),
        beta=False,
    ),
)

#: The first path segment of every served endpoint (what the interception routes claim).
SERVED_ROOTS = frozenset(e.template.split("/")[1] for e in ENDPOINTS)


def _cancel(store: Store, params: tuple[str, ...]) -> Obj:
    run = store.run(params[0], params[1])
    runs.cancel(store, run)
    return run.obj


def _submit(store: Store, params: tuple[str, ...], body: Obj) -> Obj | ApiResponse:
    run = store.run(params[0], params[1])
    before = run.log.last  # the stream sends what the submission sets off, not the run's past
    runs.submit_tool_outputs(store, run, list(body["tool_outputs"]))
    return _run_or_stream(store, run, body, before)


def _upload(store: Store, request: ApiRequest) -> Obj:
    form = multipart.parse(request.headers.get("content-type", ""), request.body)
    file_part, purpose = form.get("file"), form.get("purpose")
    return store.create_file(
        file_part.filename if file_part else None,
        file_part.content if file_part else None,
        purpose.content.decode() if purpose else None,
    )


def _file_content(store: Store, file_id: str) -> ApiResponse:
    return ApiResponse(200, store.file(file_id).content, {"content-type": "application/octet-stream"})


class EndpointIndex:
    """Endpoints indexed by (method, number of segments); literals are checked per candidate."""

    def __init__(self, endpoints: tuple[Endpoint, ...] = ENDPOINTS) -> None:
        self._index: dict[tuple[str, int], list[tuple[Callable[[list[str]], Any], Any, Any, Endpoint]]] = {}
        for endpoint in endpoints:
            segments = endpoint.template.strip("/").split("/")
            literals = [i for i, s in enumerate(segments) if s != "{}"]
            params = [i for i, s in enumerate(segments) if s == "{}"]
            # itemgetter picks the literal segments (one value, or a tuple of several) in one C call.
            pick = operator.itemgetter(*literals)
            expected = pick(segments)
            take = operator.itemgetter(*params) if params else None
            key = (endpoint.method, len(segments))
            self._index.setdefault(key, []).append((pick, expected, take, endpoint))
            # Literal-heavy templates first, so /threads/runs wins over /threads/{}.
            self._index[key].sort(key=lambda entry: entry[3].template.count("{}"))

    def find(self, method: str, path: str) -> tuple[Endpoint, tuple[str, ...]]:
        segments = path.strip("/").split("/")
        for pick, expected, take, endpoint in self._index.get((method, len(segments)), ()):
            if pick(segments) == expected:
                if take is None:
                    return endpoint, ()
                found = take(segments)
                return endpoint, found if isinstance(found, tuple) else (found,)
        raise UnservedEndpoint(f"{method} {path}")


def dispatch(
    store: Store,
    endpoint: Endpoint,
    params: tuple[str, ...],
    request: ApiRequest,
    *,
    poll_after_ms: int,
    request_id: str,
) -> ApiResponse:
    """Answer ``request`` (already matched to ``endpoint``) from ``store``; API errors become responses."""
    headers = {"x-request-id": request_id, "openai-version": "2020-10-01"}
    try:
        _check_headers(request.headers, endpoint)
        body = request.json() if request.method == "POST" and not endpoint.raw_body else None
        if endpoint.schema is not None:
            validate(endpoint.schema, body)
        result = endpoint.handler(store, request, body, params)
    except ApiError as error:
        return error_response(error, headers)
    if isinstance(result, ApiResponse):
        result.headers.update(headers)
        return result
    if endpoint.returns_run:
        headers["openai-poll-after-ms"] = str(poll_after_ms)
    return json_response(200, result, headers)


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
