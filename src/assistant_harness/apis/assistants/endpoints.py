"""The Assistants API's endpoints (with files and vector stores, for now): paths, handlers, schemas.

Handlers take the :class:`Store`, the request, the path parameters by name and (when they read
one) the validated JSON ``body``; see :mod:`assistant_harness.http.routing`.
"""

from __future__ import annotations

from typing import Any

from ...http import multipart
from ...http.messages import ApiRequest, ApiResponse
from ...http.routing import Endpoint
from . import runs, streaming
from .store import Store

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
    return _run_or_stream(store, store.create_run(thread_id, body), body)


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
    runs.submit_tool_outputs(store, run, list(body["tool_outputs"]))
    return _run_or_stream(store, run, body, before)


def list_run_steps(store: Store, request: ApiRequest, *, thread_id: str, run_id: str) -> Obj:
    return store.list_run_steps(thread_id, run_id, request.query)


def retrieve_run_step(store: Store, request: ApiRequest, *, thread_id: str, run_id: str, step_id: str) -> Obj:
    return store.run_step(thread_id, run_id, step_id)


# -- files -----------------------------------------------------------------------------------
def upload_file(store: Store, request: ApiRequest) -> Obj:
    form = multipart.parse(request.headers.get("content-type", ""), request.body)
    file_part, purpose = form.get("file"), form.get("purpose")
    return store.create_file(
        file_part.filename if file_part else None,
        file_part.content if file_part else None,
        multipart.text(purpose, "purpose") if purpose else None,
    )


def list_files(store: Store, request: ApiRequest) -> Obj:
    return store.list_files(request.query)


def retrieve_file(store: Store, request: ApiRequest, *, file_id: str) -> Obj:
    return store.file(file_id).obj


def delete_file(store: Store, request: ApiRequest, *, file_id: str) -> Obj:
    return store.delete_file(file_id)


def file_content(store: Store, request: ApiRequest, *, file_id: str) -> ApiResponse:
    return ApiResponse(200, store.file(file_id).content, {"content-type": "application/octet-stream"})


# -- vector stores ---------------------------------------------------------------------------
def create_vector_store(store: Store, request: ApiRequest, *, body: Obj) -> Obj:
    return store.create_vector_store(body)


def list_vector_stores(store: Store, request: ApiRequest) -> Obj:
    return store.list_vector_stores(request.query)


def retrieve_vector_store(store: Store, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return store.vector_store(vector_store_id).obj


def update_vector_store(store: Store, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return store.update_vector_store(vector_store_id, body)


def delete_vector_store(store: Store, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return store.delete_vector_store(vector_store_id)


def search_vector_store(store: Store, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return store.search_vector_store(vector_store_id, body)


def add_vector_store_file(store: Store, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return store.add_vector_store_file(vector_store_id, body)


def list_vector_store_files(store: Store, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return store.list_vector_store_files(vector_store_id, request.query)


def retrieve_vector_store_file(
    store: Store, request: ApiRequest, *, vector_store_id: str, file_id: str
) -> Obj:
    return store.vector_store_file(vector_store_id, file_id)


def update_vector_store_file(
    store: Store, request: ApiRequest, *, vector_store_id: str, file_id: str, body: Obj
) -> Obj:
    return store.update_vector_store_file(vector_store_id, file_id, body)


def delete_vector_store_file(store: Store, request: ApiRequest, *, vector_store_id: str, file_id: str) -> Obj:
    return store.delete_vector_store_file(vector_store_id, file_id)


def vector_store_file_content(
    store: Store, request: ApiRequest, *, vector_store_id: str, file_id: str
) -> Obj:
    return store.vector_store_file_content(vector_store_id, file_id)


def create_file_batch(store: Store, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return store.create_file_batch(vector_store_id, body)


def retrieve_file_batch(store: Store, request: ApiRequest, *, vector_store_id: str, batch_id: str) -> Obj:
    return store.file_batch(vector_store_id, batch_id)


def cancel_file_batch(store: Store, request: ApiRequest, *, vector_store_id: str, batch_id: str) -> Obj:
    return store.cancel_file_batch(vector_store_id, batch_id)


def list_file_batch_files(store: Store, request: ApiRequest, *, vector_store_id: str, batch_id: str) -> Obj:
    return store.list_file_batch_files(vector_store_id, batch_id, request.query)


_MSG = "/threads/{thread_id}/messages"
_RUN = "/threads/{thread_id}/runs/{run_id}"
_VS = "/vector_stores/{vector_store_id}"
_BATCH = _VS + "/file_batches/{batch_id}"

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
    Endpoint("files.create", "POST", "/files", upload_file, raw_body=True, beta=False),
    Endpoint("files.list", "GET", "/files", list_files, lists=True, beta=False),
    Endpoint("files.retrieve", "GET", "/files/{file_id}", retrieve_file, beta=False),
    Endpoint("files.delete", "DELETE", "/files/{file_id}", delete_file, beta=False),
    Endpoint("files.content", "GET", "/files/{file_id}/content", file_content, beta=False),
    Endpoint(
        "vector_stores.create",
        "POST",
        "/vector_stores",
        create_vector_store,
        schema="CreateVectorStoreRequest",
        beta=False,
    ),
    Endpoint("vector_stores.list", "GET", "/vector_stores", list_vector_stores, lists=True, beta=False),
    Endpoint("vector_stores.retrieve", "GET", _VS, retrieve_vector_store, beta=False),
    Endpoint(
        "vector_stores.update",
        "POST",
        _VS,
        update_vector_store,
        schema="UpdateVectorStoreRequest",
        beta=False,
    ),
    Endpoint("vector_stores.delete", "DELETE", _VS, delete_vector_store, beta=False),
    Endpoint(
        "vector_stores.search",
        "POST",
        f"{_VS}/search",
        search_vector_store,
        schema="VectorStoreSearchRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.create",
        "POST",
        f"{_VS}/files",
        add_vector_store_file,
        schema="CreateVectorStoreFileRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.list", "GET", f"{_VS}/files", list_vector_store_files, lists=True, beta=False
    ),
    Endpoint(
        "vector_stores.files.retrieve",
        "GET",
        f"{_VS}/files/{{file_id}}",
        retrieve_vector_store_file,
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.update",
        "POST",
        f"{_VS}/files/{{file_id}}",
        update_vector_store_file,
        schema="UpdateVectorStoreFileAttributesRequest",
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.delete",
        "DELETE",
        f"{_VS}/files/{{file_id}}",
        delete_vector_store_file,
        beta=False,
    ),
    Endpoint(
        "vector_stores.files.content",
        "GET",
        f"{_VS}/files/{{file_id}}/content",
        vector_store_file_content,
        beta=False,
    ),
    Endpoint(
        "vector_stores.file_batches.create",
        "POST",
        f"{_VS}/file_batches",
        create_file_batch,
        schema="CreateVectorStoreFileBatchRequest",
        beta=False,
    ),
    Endpoint("vector_stores.file_batches.retrieve", "GET", _BATCH, retrieve_file_batch, beta=False),
    Endpoint("vector_stores.file_batches.cancel", "POST", _BATCH + "/cancel", cancel_file_batch, beta=False),
    Endpoint(
        "vector_stores.file_batches.list_files",
        "GET",
        _BATCH + "/files",
        list_file_batch_files,
        lists=True,
        beta=False,
    ),
)
