"""The vector stores endpoints (shared by every API's file search): stores, files, batches, search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine.hangs import Polled
from ...http.messages import ApiRequest
from ...http.routing import Endpoint
from ..files.store import Files
from ..registry import Api, Context
from .store import VectorStores, default_file_timelines

Obj = dict[str, Any]


def create_vector_store(stores: VectorStores, request: ApiRequest, *, body: Obj) -> Obj:
    return stores.create(body)


def list_vector_stores(stores: VectorStores, request: ApiRequest) -> Obj:
    return stores.list_page(request.query)


def retrieve_vector_store(stores: VectorStores, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return stores.retrieve(vector_store_id).obj


def update_vector_store(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return stores.update(vector_store_id, body)


def delete_vector_store(stores: VectorStores, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return stores.delete(vector_store_id)


def search_vector_store(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return stores.search(vector_store_id, body)


def add_file(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return stores.add_file(vector_store_id, body)


def list_files(stores: VectorStores, request: ApiRequest, *, vector_store_id: str) -> Obj:
    return stores.list_files(vector_store_id, request.query)


def retrieve_file(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, file_id: str) -> Obj:
    return stores.file(vector_store_id, file_id)


def update_file(
    stores: VectorStores, request: ApiRequest, *, vector_store_id: str, file_id: str, body: Obj
) -> Obj:
    return stores.update_file(vector_store_id, file_id, body)


def delete_file(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, file_id: str) -> Obj:
    return stores.delete_file(vector_store_id, file_id)


def file_content(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, file_id: str) -> Obj:
    return stores.file_content(vector_store_id, file_id)


def create_batch(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, body: Obj) -> Obj:
    return stores.create_batch(vector_store_id, body)


def retrieve_batch(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, batch_id: str) -> Obj:
    return stores.batch(vector_store_id, batch_id)


def cancel_batch(stores: VectorStores, request: ApiRequest, *, vector_store_id: str, batch_id: str) -> Obj:
    return stores.cancel_batch(vector_store_id, batch_id)


def list_batch_files(
    stores: VectorStores, request: ApiRequest, *, vector_store_id: str, batch_id: str
) -> Obj:
    return stores.list_batch_files(vector_store_id, batch_id, request.query)


_VS = "/vector_stores/{vector_store_id}"
_FILE = f"{_VS}/files/{{file_id}}"
_BATCH = f"{_VS}/file_batches/{{batch_id}}"


def _endpoint(name: str, method: str, path: str, handler: Any, **kwargs: Any) -> Endpoint:
    return Endpoint(f"vector_stores{name}", method, path, handler, beta=False, **kwargs)


ENDPOINTS: tuple[Endpoint, ...] = (
    _endpoint(".create", "POST", "/vector_stores", create_vector_store, schema="CreateVectorStoreRequest"),
    _endpoint(".list", "GET", "/vector_stores", list_vector_stores, lists=True),
    _endpoint(".retrieve", "GET", _VS, retrieve_vector_store),
    _endpoint(".update", "POST", _VS, update_vector_store, schema="UpdateVectorStoreRequest"),
    _endpoint(".delete", "DELETE", _VS, delete_vector_store),
    _endpoint(".search", "POST", f"{_VS}/search", search_vector_store, schema="VectorStoreSearchRequest"),
    _endpoint(".files.create", "POST", f"{_VS}/files", add_file, schema="CreateVectorStoreFileRequest"),
    _endpoint(".files.list", "GET", f"{_VS}/files", list_files, lists=True),
    _endpoint(".files.retrieve", "GET", _FILE, retrieve_file, returns="vector_store.file"),
    _endpoint(".files.update", "POST", _FILE, update_file, schema="UpdateVectorStoreFileAttributesRequest"),
    _endpoint(".files.delete", "DELETE", _FILE, delete_file),
    _endpoint(".files.content", "GET", f"{_FILE}/content", file_content),
    _endpoint(
        ".file_batches.create",
        "POST",
        f"{_VS}/file_batches",
        create_batch,
        schema="CreateVectorStoreFileBatchRequest",
    ),
    _endpoint(".file_batches.retrieve", "GET", _BATCH, retrieve_batch, returns="vector_store.file_batch"),
    _endpoint(".file_batches.cancel", "POST", f"{_BATCH}/cancel", cancel_batch),
    _endpoint(".file_batches.list_files", "GET", f"{_BATCH}/files", list_batch_files, lists=True),
)


def _build(context: Context) -> VectorStores:
    files = context.states.of(Files)
    return VectorStores(
        context.clock, context.ids, files, context.option("file_timelines", default_file_timelines)
    )


def _file(stores: VectorStores, params: Mapping[str, str]) -> Polled | None:
    state = stores.stores.get(params["vector_store_id"])
    return state.files.get(params["file_id"]) if state is not None else None


def _batch(stores: VectorStores, params: Mapping[str, str]) -> Polled | None:
    state = stores.stores.get(params["vector_store_id"])
    return state.batches.get(params["batch_id"]) if state is not None else None


API = Api(
    "vector_stores",
    ENDPOINTS,
    _build,
    polled={"vector_store.file": _file, "vector_store.file_batch": _batch},
)
