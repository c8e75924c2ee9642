"""The Assistants API's endpoints: paths, handlers, schemas (files and vector stores have their own).

Handlers take the :class:`Store`, the request, the path parameters by name and (when they read
one) the validated JSON ``body``; see :mod:`assistant_harness.http.routing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine.hangs import Polled
from ...http.messages import ApiRequest, ApiResponse
from ...http.routing import Endpoint
from ..files.store import Files
from ..registry import Api, Context
from ..vector_stores.store import VectorStores
from . import runs, streaming, tools
from .store import Store, _default_timelines

Obj = dict[str, Any]


def _streams(body: Obj) -> bool:
    return body.get("stream") is True


def _run_or_stream(
    store: Store, run: runs.RunState, body: Obj, after: int | None = None
) -> Obj | ApiResponse:
    """The run object, or (when the request asked to stream) its events after sequence number
    ``after`` as server-sent events."""
    return streaming.stream_response(store, run, after) if _streams(body) else run.obj


# -- assistants ------------------------------------------------------------------------------
def create_assistant(store: Store, request: ApiRequest, *, body: Obj) -> Obj:
    return store.create_assistant(body)


def list_assistants(store: Store, request: ApiRequest) -> Obj:
    return store.list_assistants(request.query)


def retrieve_assistant(store: Store, request: ApiRequest, *, assistant_id: str) -> Obj:
    return store.assistant(assistant_id)


def update_assistant(store: Store, request: ApiRequest, *, assistant_id: str, body: Obj) -> Obj:
    return store.update_assistant(assistant_id, body)


def delete_assistant(store: Store, request: ApiRequest, *, assistant_id: str) -> Obj:
    return store.delete_assistant(assistant_id)


# -- threads and messages --------------------------------------------------------------------
def create_thread(store: Store, request: ApiRequest, *, body: Obj) -> Obj:
    return store.create_thread(body)


def create_thread_and_run(store: Store, request: ApiRequest, *, body: Obj) -> Obj | ApiResponse:
    return _run_or_stream(store, store.create_thread_and_run(body), body)


def retrieve_thread(store: Store, request: ApiRequest, *, thread_id: str) -> Obj:
    return store.thread(thread_id).obj


def update_thread(store: Store, request: ApiRequest, *, thread_id: str, body: Obj) -> Obj:
    return store.update_thread(thread_id, body)


def delete_thread(store: Store, request: ApiRequest, *, thread_id: str) -> Obj:
    return store.delete_thread(thread_id)


def create_message(store: Store, request: ApiRequest, *, thread_id: str, body: Obj) -> Obj:
    return store.create_message(thread_id, body)


def list_messages(store: Store, request: ApiRequest, *, thread_id: str) -> Obj:
    return store.list_messages(thread_id, request.query)


def retrieve_message(store: Store, request: ApiRequest, *, thread_id: str, message_id: str) -> Obj:
    return store.message(thread_id, message_id)


def update_message(store: Store, request: ApiRequest, *, thread_id: str, message_id: str, body: Obj) -> Obj:
    return store.update_message(thread_id, message_id, body)


def delete_message(store: Store, request: ApiRequest, *, thread_id: str, message_id: str) -> Obj:
    return store.delete_message(thread_id, message_id)


# -- runs and steps --------------------------------------------------------------------------
def create_run(store: Store, request: ApiRequest, *, thread_id: str, body: Obj) -> Obj | ApiResponse:
    run = store.create_run(thread_id, body)
    # include[]=...content: the run's streamed file search steps carry their results' text.
    run.tools.include_content = tools.wants_content(request.query)
    return _run_or_stream(store, run, body)


def list_runs(store: Store, request: ApiRequest, *, thread_id: str) -> Obj:
    return store.list_runs(thread_id, request.query)


def retrieve_run(store: Store, request: ApiRequest, *, thread_id: str, run_id: str) -> Obj:
    return store.run(thread_id, run_id).obj


def update_run(store: Store, request: ApiRequest, *, thread_id: str, run_id: str, body: Obj) -> Obj:
    return store.update_run(thread_id, run_id, body)


def cancel_run(store: Store, request: ApiRequest, *, thread_id: str, run_id: str) -> Obj:
    run = store.run(thread_id, run_id)
    runs.cancel(store, run)
    return run.obj


def submit_tool_outputs(
    store: Store, request: ApiRequest, *, thread_id: str, run_id: str, body: Obj
) -> Obj | ApiResponse:
    run = store.run(thread_id, run_id)
    before = run.log.last  # the stream sends what the submission sets off, not the run's past
    run.streamed = _streams(body)
    runs.submit_tool_outputs(store, run, list(body["tool_outputs"]))
    return _run_or_stream(store, run, body, before)


def list_run_steps(store: Store, request: ApiRequest, *, thread_id: str, run_id: str) -> Obj:
    listing = store.list_run_steps(thread_id, run_id, request.query)
    return {**listing, "data": [tools.step_view(step, request.query) for step in listing["data"]]}


def retrieve_run_step(store: Store, request: ApiRequest, *, thread_id: str, run_id: str, step_id: str) -> Obj:
    return tools.step_view(store.run_step(thread_id, run_id, step_id), request.query)


_MSG = "/threads/{thread_id}/messages"
_RUN = "/threads/{thread_id}/runs/{run_id}"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("assistants.create", "POST", "/assistants", create_assistant, schema="CreateAssistantRequest"),
    Endpoint("assistants.list", "GET", "/assistants", list_assistants, lists=True),
    Endpoint("assistants.retrieve", "GET", "/assistants/{assistant_id}", retrieve_assistant),
    Endpoint(
        "assistants.update",
        "POST",
        "/assistants/{assistant_id}",
        update_assistant,
        schema="ModifyAssistantRequest",
    ),
    Endpoint("assistants.delete", "DELETE", "/assistants/{assistant_id}", delete_assistant),
    Endpoint("threads.create", "POST", "/threads", create_thread, schema="CreateThreadRequest"),
    Endpoint(
        "threads.create_and_run",
        "POST",
        "/threads/runs",
        create_thread_and_run,
        returns="run",
        schema="CreateThreadAndRunRequest",
    ),
    Endpoint("threads.retrieve", "GET", "/threads/{thread_id}", retrieve_thread),
    Endpoint("threads.update", "POST", "/threads/{thread_id}", update_thread, schema="ModifyThreadRequest"),
    Endpoint("threads.delete", "DELETE", "/threads/{thread_id}", delete_thread),
    Endpoint(
        "messages.create",
        "POST",
        "/threads/{thread_id}/messages",
        create_message,
        schema="CreateMessageRequest",
    ),
    Endpoint("messages.list", "GET", _MSG, list_messages, lists=True),
    Endpoint("messages.retrieve", "GET", _MSG + "/{message_id}", retrieve_message),
    Endpoint(
        "messages.update", "POST", _MSG + "/{message_id}", update_message, schema="ModifyMessageRequest"
    ),
    Endpoint("messages.delete", "DELETE", _MSG + "/{message_id}", delete_message),
    Endpoint(
        "runs.create",
        "POST",
        "/threads/{thread_id}/runs",
        create_run,
        returns="run",
        schema="CreateRunRequest",
    ),
    Endpoint("runs.list", "GET", "/threads/{thread_id}/runs", list_runs, lists=True),
    Endpoint("runs.retrieve", "GET", _RUN, retrieve_run, returns="run"),
    Endpoint("runs.update", "POST", _RUN, update_run, returns="run", schema="ModifyRunRequest"),
    Endpoint("runs.cancel", "POST", f"{_RUN}/cancel", cancel_run, returns="run"),
    Endpoint(
        "runs.submit_tool_outputs",
        "POST",
        f"{_RUN}/submit_tool_outputs",
        submit_tool_outputs,
        returns="run",
        schema="SubmitToolOutputsRunRequest",
    ),
    Endpoint("steps.list", "GET", f"{_RUN}/steps", list_run_steps, lists=True),
    Endpoint("steps.retrieve", "GET", f"{_RUN}/steps/{{step_id}}", retrieve_run_step),
)


def _build(context: Context) -> Store:
    return Store(
        context.clock,
        context.ids,
        context.option("timelines", _default_timelines),
        files=context.states.of(Files),
        vector_stores=context.states.of(VectorStores),
    )


def _run(store: Store, params: Mapping[str, str]) -> Polled | None:
    return store.runs.get(params["run_id"])


API = Api(
    "assistants", ENDPOINTS, _build, polled={"run": _run}, stream_error=lambda sent: streaming.error_event
)
